// supervisor_start.cpp — starting a session's host (dispatch, respawn).
//
// Why: a start never blocks the loop: the host's spec (TOML, git) is worked
// out on the thread pool, the fork is prepared before it happens, and the
// ready pipe is read on the loop (ReadyPipe). A session already starting is
// not started twice; everyone waiting hears the one outcome.
#include <cstring>

#include "mux/daemon/host_launcher.h"
#include "mux/daemon/supervisor_impl.h"
#include "mux/store/roster.h"

namespace amux::mux {

using json = nlohmann::json;

// Start the host of a new record (resume = false: its argv), or restart
// an existing one with the resume argv; `done` gets "" once it listens,
// else the error. A session already starting is not started twice: `done`
// waits for that start.
void Supervisor::Impl::relaunch(SessionRecord rec, bool resume, std::function<void(const std::string&)> done) {
  if (auto it = launching.find(rec.id); it != launching.end()) {
    it->second.push_back(std::move(done));
    return;
  }
  if (resume && !rec.resume_argv.empty()) rec.argv = rec.resume_argv;
  rec.state = SessionState::Starting;
  rec.detail = "starting…";
  rec.pid = 0;
  rec.host_pid = 0;
  rec.exit_code.reset();
  rec.signal.reset();
  rec.finished_at = 0;
  rec.socket = o.paths.host_socket(rec.id);
  if (int rc = save_record(o.paths, rec); rc < 0) {
    done("cannot write " + o.paths.state_file(rec.id) + ": " + strerror(-rc));
    return;
  }
  records[rec.id] = rec;
  const std::string id = rec.id;
  launching[id].push_back(std::move(done));
  off_loop([paths = o.paths, id]() -> json { return {{"error", prepare_host(paths, id)}}; },
           [this, id](const json& j) {
             if (std::string err = j.value("error", std::string()); !err.empty()) return launch_failed(id, err);
             std::string err;
             int fd = spawn_host(o.paths, id, &err);
             if (fd < 0) return launch_failed(id, err);
             auto rp = std::make_unique<ReadyPipe>(
                 loop, fd, uint64_t(kReadyTimeoutMs),
                 [this, id](const std::string& answer, bool timed_out) {
                   std::string e = timed_out ? "session host did not start within " +
                                                   std::to_string(kReadyTimeoutMs / 1000) + " s"
                                             : ready_error(answer, "session host", o.paths);
                   if (e.empty()) launch_ok(id);
                   else launch_failed(id, e);
                 },
                 [this](ReadyPipe* p) { ready_pipes.erase(p); });
             ReadyPipe* raw = rp.get();
             ready_pipes[raw] = std::move(rp);
             if (std::string e = raw->start(); !e.empty()) {
               raw->close();
               launch_failed(id, e);
             }
           });
}

void Supervisor::Impl::launch_ok(const std::string& id) {
  if (auto fresh = load_record(o.paths, id)) records[id] = *fresh;
  log("bg spawned " + id + " (" + records[id].kind + ")");
  watch_host(id);
  save_roster_now();
  launch_done(id, "");
}

void Supervisor::Impl::launch_failed(const std::string& id, const std::string& err) {
  SessionRecord rec = records[id];
  if (auto fresh = load_record(o.paths, id)) rec = *fresh;
  rec.state = SessionState::Failed;
  rec.detail = "host did not start — " + err;
  // Memory follows the file: a record that could not be written stays as it was.
  if (save_record(o.paths, rec) == 0) {
    records[id] = rec;
    broadcast(rec);
  }
  launch_done(id, err);
}

void Supervisor::Impl::launch_done(const std::string& id, const std::string& err) {
  auto node = launching.extract(id);
  if (!node.empty())
    for (auto& cb : node.mapped()) cb(err);
  check_idle();
}

}  // namespace amux::mux
