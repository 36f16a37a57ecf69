// supervisor.cpp — the per-user supervisor (see supervisor.h for the why).
//
// Structure: Impl owns the lock fd, the control socket, client connections
// (one-shot CLI requests or long-lived watchers) and one subscription per
// live host. Requests are a table of ops (dispatch, list, stop, rm, respawn,
// ensure, rename, pin, unpin, status, shutdown, watch). Anything that must
// talk to a host does so asynchronously (host_call) so one slow host never
// stalls the loop. Every handle has one owner and one close path: the
// connections live in `conns` and leave it only in their close callback;
// the rest are closed once by close_all. Clients are bounded (a Hello
// deadline, a reply queue limit; watchers drop events and are resynced).
#include "mux/daemon/supervisor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <list>
#include <map>
#include <set>

#include "mux/store/atomic_file.h"
#include "mux/daemon/host_launcher.h"
#include "mux/sys/process_info.h"
#include "mux/wire/protocol.h"
#include "mux/daemon/ready_pipe.h"
#include "mux/store/roster.h"
#include "mux/store/session_env.h"
#include "mux/store/session_id.h"
#include "mux/store/session_record.h"
#include "mux/wire/session_view.h"
#include "mux/wire/uv_conn.h"
#include "mux/agents/worktree.h"
#include "pty/unique_fd.h"

namespace amux::mux {

using json = nlohmann::json;

namespace {

std::string iso_now() {
  char buf[64];
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, sizeof buf - n, ".%03ldZ", ts.tv_nsec / 1000000);
  return buf;
}

constexpr uint64_t kHandshakeTimeoutMs = 5000;   // a connection must say Hello by then
constexpr size_t kClientQueueLimit = 4u << 20;   // replies a client has not read: then it is let go
constexpr size_t kWatcherQueueLimit = 256u << 10; // events a watcher has not read: then they are dropped
constexpr uint64_t kHostCallTimeoutMs = 15000;   // a request to a host gives up after this

}  // namespace

struct Supervisor::Impl {
  uv_loop_t* loop;
  SupervisorOptions o;
  pty::UniqueFd lock_fd;
  pty::UniqueFd log_fd;
  uv_pipe_t server{};
  bool server_open = false;
  uv_timer_t reap_timer{}, idle_timer{};
  uv_signal_t sig_term{}, sig_int{}, sig_hup{};
  int64_t started_at = now_ms();
  bool shutting_down = false;

  // Every connection has one owner, `conns`; the others are roles that
  // point into it. A connection is closed only through UvConn::close and
  // leaves `conns` (and every role) in its close callback, never earlier.
  std::map<UvConn*, std::unique_ptr<UvConn>> conns;
  std::set<UvConn*> clients;                            // control connections
  std::set<UvConn*> watchers;                           // clients that asked to watch
  std::set<UvConn*> behind;                             // watchers whose events were dropped
  std::map<std::string, UvConn*> hosts;                 // id → subscription
  std::set<UvConn*> calls;                              // one-shot host requests
  std::map<std::string, SessionRecord> records;         // latest known records
  bool closed_all = false;

  UvConn* new_conn() {
    auto c = std::make_unique<UvConn>(loop);
    UvConn* raw = c.get();
    conns[raw] = std::move(c);
    return raw;
  }
  // Frees a connection; only from its close callback.
  void forget(UvConn& c) { conns.erase(&c); }

  Impl(uv_loop_t* l, SupervisorOptions opts) : loop(l), o(std::move(opts)) {
    uv_timer_init(loop, &reap_timer);
    reap_timer.data = this;
    uv_timer_init(loop, &idle_timer);
    idle_timer.data = this;
    for (uv_signal_t* h : {&sig_term, &sig_int, &sig_hup}) {
      uv_signal_init(loop, h);
      h->data = this;
    }
  }

  // ---- logging ----
  void log(const std::string& msg) {
    if (log_fd.get() < 0) return;
    std::string line = "[" + iso_now() + "] [supervisor] " + msg + "\n";
    ssize_t n = ::write(log_fd.get(), line.data(), line.size());
    (void)n;
  }

  // ---- lifecycle ----
  std::string start() {
    make_dirs(o.paths.config_dir);
    make_dirs(o.paths.daemon_dir());
    make_dirs(o.paths.jobs_dir());
    log_fd.reset(open(o.paths.daemon_log().c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
    lock_fd.reset(open(o.paths.daemon_lock().c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (lock_fd.get() < 0) return "cannot open " + o.paths.daemon_lock() + ": " + strerror(errno);
    if (flock(lock_fd.get(), LOCK_EX | LOCK_NB) != 0) {
      char buf[512] = {0};
      ssize_t n = pread(lock_fd.get(), buf, sizeof buf - 1, 0);
      std::string pid = "?";
      try { if (n > 0) pid = std::to_string(json::parse(std::string(buf, size_t(n))).value("pid", 0)); } catch (...) {}
      return "already running (pid " + pid + ")";
    }
    json lock = {{"pid", getpid()}, {"version", AMUX_VERSION}, {"protocol", kProtocolVersion},
                 {"startedAt", started_at}, {"origin", o.origin}};
    std::string ls = lock.dump() + "\n";
    if (ftruncate(lock_fd.get(), 0) == 0) {
      ssize_t n = pwrite(lock_fd.get(), ls.data(), ls.size(), 0);
      (void)n;
    }
    log("─── daemon start ─── version=" AMUX_VERSION " pid=" + std::to_string(getpid()) +
        " origin=" + o.origin);

    std::string sock = o.paths.control_socket();
    if (sock.size() > max_socket_path()) return "socket path too long: " + sock;
    unlink(sock.c_str());  // we hold the lock: any socket file left is stale
    uv_pipe_init(loop, &server, 0);
    server.data = this;
    server_open = true;
    if (int r = uv_pipe_bind(&server, sock.c_str()); r != 0)
      return "cannot bind " + sock + ": " + uv_strerror(r);
    chmod(sock.c_str(), 0600);
    if (int r = uv_listen(reinterpret_cast<uv_stream_t*>(&server), 64, [](uv_stream_t* s, int st) {
          if (st == 0) static_cast<Impl*>(s->data)->on_accept();
        });
        r != 0)
      return "cannot listen on " + sock + ": " + uv_strerror(r);

    for (auto [h, s] : {std::pair{&sig_term, SIGTERM}, {&sig_int, SIGINT}, {&sig_hup, SIGHUP}}) {
      uv_signal_start(h, [](uv_signal_t* hh, int signum) {
        auto* self = static_cast<Impl*>(hh->data);
        if (signum == SIGHUP) return;  // detached from a terminal: keep going
        self->log(std::string("shutdown requested by ") + (signum == SIGTERM ? "SIGTERM" : "SIGINT"));
        self->shutdown(false, nullptr);
      }, s);
    }
    adopt();
    save_roster_now();
    schedule_reap();
    check_idle();
    return "";
  }

  void adopt() {
    int adopted = 0, dead = 0;
    auto all = load_all_records(o.paths);
    for (auto& r : all) {
      records[r.id] = r;
      if (r.host_pid > 0 && process_alive(r.host_pid, r.host_start_time)) {
        watch_host(r.id);
        adopted++;
      } else if (state_is_live(r.state)) {
        mark_host_lost(r.id);
        dead++;
      }
    }
    log("adopt: adopted=" + std::to_string(adopted) + " dead=" + std::to_string(dead));
  }

  void mark_host_lost(const std::string& id) {
    if (launching.count(id)) return;  // its new host is on the way
    auto rec = load_record(o.paths, id);
    if (!rec) return;
    if (!state_is_live(rec->state)) { records[id] = *rec; return; }
    rec->state = SessionState::Failed;
    rec->detail = "host lost";
    rec->pid = 0;
    rec->host_pid = 0;
    if (!rec->finished_at) rec->finished_at = now_ms();
    if (int rc = save_record(o.paths, *rec); rc < 0) {
      // Memory follows the disk: tried again by the next list.
      log("cannot write " + o.paths.state_file(id) + ": " + strerror(-rc));
      return;
    }
    records[id] = *rec;
    log("bg settled " + id + " (failed): host lost");
    broadcast(*rec);
  }

  void save_roster_now() {
    json r = load_roster(o.paths);
    r["pid"] = getpid();
    r["version"] = AMUX_VERSION;
    r["protocol"] = kProtocolVersion;
    r["startedAt"] = started_at;
    r["origin"] = o.origin;
    json hs = json::object();
    for (auto& [id, c] : hosts) {
      auto it = records.find(id);
      if (it == records.end()) continue;
      hs[id] = {{"hostPid", it->second.host_pid}, {"hostStartTime", it->second.host_start_time},
                {"socket", it->second.socket}};
    }
    r["hosts"] = hs;
    if (int rc = save_roster(o.paths, r); rc < 0)
      log("cannot write " + o.paths.roster_file() + ": " + strerror(-rc));
  }

  // A session that could not start and left no record leaves no job dir
  // either.
  void discard_unrecorded(const std::string& id) {
    if (!is_session_id(id) || load_record(o.paths, id)) return;
    records.erase(id);
    std::error_code ec;
    std::filesystem::remove_all(o.paths.job_dir(id), ec);
  }

  // ---- host subscriptions ----
  void watch_host(const std::string& id) {
    if (hosts.count(id)) return;
    auto it = records.find(id);
    std::string sock = it != records.end() && !it->second.socket.empty() ? it->second.socket
                                                                          : o.paths.host_socket(id);
    UvConn* raw = new_conn();
    raw->tag = id;
    hosts[id] = raw;
    raw->connect(sock, [raw](const std::string& err) {
      if (!err.empty()) { raw->close(err); return; }
      raw->send_json(MsgType::Hello, make_hello());
      raw->send_json(MsgType::Request, {{"op", "subscribe"}});
    });
    raw->start(
        [this, id](UvConn& c, Frame& f) {
          if (f.type == MsgType::Error) { c.close(f.payload); return; }
          if (f.type != MsgType::Event && f.type != MsgType::Response) return;
          json j = f.json();
          if (j.contains("record")) on_record(SessionRecord::from_json(j["record"]));
        },
        [this, id](UvConn& c, const std::string& reason) {
          // A subscription let go of (respawn) is no longer the session's.
          auto it = hosts.find(id);
          const bool current = it != hosts.end() && it->second == &c;
          if (current) hosts.erase(it);
          forget(c);
          if (current) on_host_closed(id, reason);
        });
  }

  // Let go of a host's subscription at once (its host is gone or going), so
  // a new host of the same session can be watched before the old connection
  // has finished closing.
  void drop_subscription(const std::string& id) {
    auto it = hosts.find(id);
    if (it == hosts.end()) return;
    UvConn* c = it->second;
    hosts.erase(it);
    c->close("host replaced");
  }

  void on_host_closed(const std::string& id, const std::string& reason) {
    if (shutting_down) return;
    auto rec = load_record(o.paths, id);
    if (rec && state_is_live(rec->state) && !process_alive(rec->host_pid, rec->host_start_time)) {
      log("host of " + id + " is gone (" + reason + ")");
      mark_host_lost(id);
    } else if (rec) {
      records[id] = *rec;
    }
    save_roster_now();
    schedule_reap();
    check_idle();
  }

  void on_record(const SessionRecord& r) {
    auto prev = records.find(r.id);
    bool changed_state = prev == records.end() || prev->second.state != r.state;
    records[r.id] = r;
    if (changed_state && !state_is_live(r.state) && r.state != SessionState::Starting) {
      std::string how = r.state == SessionState::Done ? "done" : r.state == SessionState::Stopped ? "stopped" : "failed";
      log("bg settled " + r.id + " (" + how + ")" + (r.detail.empty() ? "" : ": " + r.detail));
    }
    broadcast(r);
    schedule_reap();
    check_idle();
  }

  // Push a record change to every watcher (the agent view).
  void broadcast(const SessionRecord& r) {
    if (watchers.empty()) return;
    auto pins = load_pins(o.paths);
    json ev = {{"session", session_json(r, pins.count(r.id) > 0)}};
    for (auto* w : watchers) send_event(w, ev);
  }

  // One request to a host on its own connection; cb gets the response json
  // ({"ok":false,"error":…} when the host cannot be reached).
  void host_call(const std::string& id, json req, std::function<void(const json&)> cb) {
    auto it = records.find(id);
    std::string sock = it != records.end() && !it->second.socket.empty() ? it->second.socket
                                                                          : o.paths.host_socket(id);
    UvConn* raw = new_conn();
    calls.insert(raw);
    // A host that never answers (hung) must not hold up stop, respawn or
    // daemon stop for ever; the slowest answer (a stop) comes within ~4 s.
    raw->arm_timeout(kHostCallTimeoutMs, "no answer within " + std::to_string(kHostCallTimeoutMs / 1000) + " s");
    auto done = std::make_shared<std::function<void(const json&)>>(std::move(cb));
    raw->connect(sock, [raw, req, done](const std::string& err) {
      if (!err.empty()) {
        if (*done) { (*done)({{"ok", false}, {"error", "session host unreachable: " + err}}); *done = nullptr; }
        raw->close(err);
        return;
      }
      raw->send_json(MsgType::Hello, make_hello());
      raw->send_json(MsgType::Request, req);
    });
    raw->start(
        [done](UvConn& c, Frame& f) {
          if (f.type == MsgType::Response || f.type == MsgType::Error) {
            json j;
            try { j = f.json(); } catch (...) { j = {{"ok", false}, {"error", "bad response"}}; }
            if (f.type == MsgType::Error) j = {{"ok", false}, {"error", j.value("error", std::string("host error"))}};
            if (*done) { (*done)(j); *done = nullptr; }
            c.close();
          }
        },
        [this, done](UvConn& c, const std::string& reason) {
          calls.erase(&c);
          forget(c);
          if (*done) { (*done)({{"ok", false}, {"error", "session host closed the connection: " + reason}}); *done = nullptr; }
          check_idle();
        });
  }

  bool host_alive(const std::string& id) {
    auto it = records.find(id);
    if (it == records.end()) return false;
    return it->second.host_pid > 0 && process_alive(it->second.host_pid, it->second.host_start_time);
  }

  // ---- reaping ----
  // Deadline (ms) at which a record must be reaped, or 0 for never.
  std::set<std::string> reap_tried;

  int64_t reap_deadline(const SessionRecord& r, bool pinned) {
    if (pinned || reap_tried.count(r.id)) return 0;
    auto ms = [](double s) { return int64_t(s * 1000); };
    // `amux stop` leaves a stopped record until the user removes it.
    if (r.state == SessionState::Stopped) return 0;
    if (r.kind == "shell") {
      if (!state_is_live(r.state) && r.state != SessionState::Starting && r.finished_at)
        return r.finished_at + ms(o.config.shell_linger);
      return 0;
    }
    // Agent rows that never got any work go after empty_row.
    if (!r.had_work) return (r.finished_at ? r.finished_at : r.created_at) + ms(o.config.empty_row);
    return 0;
  }

  void schedule_reap() {
    if (shutting_down) return;
    auto pins = load_pins(o.paths);
    int64_t next = 0;
    for (auto& [id, r] : records) {
      int64_t d = reap_deadline(r, pins.count(id) > 0);
      if (d && (!next || d < next)) next = d;
    }
    uv_timer_stop(&reap_timer);
    if (!next) return;
    int64_t wait = std::max<int64_t>(0, next - now_ms());
    uv_timer_start(&reap_timer, [](uv_timer_t* t) { static_cast<Impl*>(t->data)->reap(); }, uint64_t(wait) + 5, 0);
  }

  void reap() {
    auto pins = load_pins(o.paths);
    int64_t now = now_ms();
    std::vector<std::string> gone;
    for (auto& [id, r] : records) {
      int64_t d = reap_deadline(r, pins.count(id) > 0);
      if (d && d <= now) gone.push_back(id);
    }
    for (auto& id : gone) {
      log("reaped " + id);
      // The worktree rules of rm apply: a clean amux-made worktree goes with
      // the row; one holding work keeps the row for the user to look at.
      const std::string wt = records[id].worktree;
      if (wt.empty()) remove_session(id, [](const json&) {});
      else {
        reap_tried.insert(id);  // tried once: a kept worktree keeps the row
        rm_with_worktree(id, wt, false, [](const json&) {});
      }
    }
    schedule_reap();
  }

  // Stop the host (if any) and delete the record and its job dir.
  void remove_session(const std::string& id, std::function<void(const json&)> cb) {
    auto finish = [this, id, cb]() {
      std::error_code ec;
      std::filesystem::remove_all(o.paths.job_dir(id), ec);
      records.erase(id);
      auto pins = load_pins(o.paths);
      if (pins.erase(id)) save_pins(o.paths, pins);
      json ev = {{"removed", id}};
      for (auto* w : watchers) send_event(w, ev);
      save_roster_now();
      check_idle();
      cb({{"ok", true}, {"id", id}});
    };
    if (host_alive(id)) host_call(id, {{"op", "shutdown"}}, [finish](const json&) { finish(); });
    else finish();
  }

  // ---- rm and the session's worktree (DESIGN.md §6) ----
  // git can take a while on a big worktree: it runs on libuv's thread pool,
  // and `done` runs back on the loop (not at all once shutting down).
  struct BlockingJob {
    uv_work_t req{};
    Impl* self = nullptr;
    std::function<json()> work;
    std::function<void(const json&)> done;
    json result;
  };
  void off_loop(std::function<json()> work, std::function<void(const json&)> done) {
    auto job = std::make_unique<BlockingJob>();
    job->self = this;
    job->work = std::move(work);
    job->done = std::move(done);
    job->req.data = job.get();
    auto run = [](uv_work_t* w) {
      auto* j = static_cast<BlockingJob*>(w->data);
      try {
        j->result = j->work();
      } catch (const std::exception& e) {
        j->result = {{"error", e.what()}};
      }
    };
    auto after = [](uv_work_t* w, int) {
      std::unique_ptr<BlockingJob> j(static_cast<BlockingJob*>(w->data));
      if (!j->self->shutting_down) j->done(j->result);
    };
    if (uv_queue_work(loop, &job->req, run, after) == 0) {
      job.release();  // `after` owns it now
    } else {
      run(&job->req);
      job->done(job->result);
    }
  }

  // rm of a session that has a worktree: a worktree amux did not make is
  // left alone; a clean amux-made one goes with its branch; one with
  // uncommitted changes or commits on no other branch keeps the session
  // (so the user can look, or name it again with --discard).
  void rm_with_worktree(const std::string& id, const std::string& path, bool discard,
                        const std::function<void(const json&)>& reply) {
    off_loop(
        [path]() -> json {
          auto wt = amux_worktree_at(path);
          if (!wt) return {{"owned", false}};
          WorktreeStatus st = worktree_status(*wt);
          return {{"owned", true}, {"keep", st.dirty || st.unique_commits > 0}, {"summary", st.summary}};
        },
        [this, id, path, discard, reply](const json& chk) {
          if (chk.value("keep", false) && !discard) {
            log("rm " + id + " refused: worktree " + path + " has " + chk.value("summary", std::string()));
            reply({{"ok", false},
                   {"error", "kept session " + id + ": its worktree " + path + " has " +
                                 chk.value("summary", std::string("changes")) + "; `amux rm --discard " + id +
                                 "` deletes it with its changes"},
                   {"worktree", {{"keptPath", path}, {"summary", chk.value("summary", std::string())}}}});
            return;
          }
          bool owned = chk.value("owned", false);
          remove_session(id, [this, id, path, discard, owned, reply](const json& r) {
            if (!owned) {
              json out = r;
              out["worktree"] = {{"removed", false}, {"message", "left " + path + " alone: not a worktree amux made"}};
              reply(out);
              return;
            }
            off_loop(
                [path, discard]() -> json {
                  auto wt = amux_worktree_at(path);
                  if (!wt) return {{"removed", false}, {"message", "left " + path + " alone: not a worktree amux made"}};
                  RemoveResult res = remove_worktree(*wt, discard);
                  json j = {{"removed", res.removed}, {"message", res.message}};
                  if (!res.kept_path.empty()) j["keptPath"] = res.kept_path;
                  if (!res.discard_command.empty()) j["discardCommand"] = res.discard_command;
                  return j;
                },
                [this, id, r, reply](const json& wt) {
                  log("rm " + id + ": " + wt.value("message", wt.value("error", std::string())));
                  json out = r;
                  out["worktree"] = wt;
                  reply(out);
                });
          });
        });
  }

  // ---- idle exit ----
  bool any_live() {
    for (auto& [id, r] : records)
      if (state_is_live(r.state) && hosts.count(id)) return true;
    return false;
  }

  void check_idle() {
    if (shutting_down) return;
    bool idle = clients.empty() && !any_live() && calls.empty() && launching.empty();
    if (!idle) { uv_timer_stop(&idle_timer); return; }
    if (uv_is_active(reinterpret_cast<uv_handle_t*>(&idle_timer))) return;
    uv_timer_start(&idle_timer, [](uv_timer_t* t) {
      auto* self = static_cast<Impl*>(t->data);
      if (!self->clients.empty() || self->any_live() || !self->launching.empty()) return;
      self->log("idle " + std::to_string(int(self->o.idle_exit_seconds)) + "s with no clients — exiting");
      self->shutdown(true, nullptr);
    }, uint64_t(o.idle_exit_seconds * 1000), 0);
  }

  // Ends the supervisor: unless keep_workers, every live host is asked to
  // shut down and waited for; then the roster says who still runs, `after`
  // answers the request, and every handle is closed (uv_run then returns).
  void shutdown(bool keep_workers, std::function<void()> after) {
    if (shutting_down) return;
    shutting_down = true;
    uv_timer_stop(&idle_timer);
    uv_timer_stop(&reap_timer);
    auto finish = [this, keep_workers, after]() {
      log(std::string("shutting down (keep_workers=") + (keep_workers ? "yes" : "no") +
          ", uptime=" + std::to_string((now_ms() - started_at) / 1000) + "s)");
      save_final_roster();
      if (after) after();
      close_all();
    };
    if (keep_workers) { finish(); return; }
    std::vector<std::string> ids;
    for (auto& [id, r] : records)
      if (r.host_pid > 0 && process_alive(r.host_pid, r.host_start_time)) ids.push_back(id);
    if (ids.empty()) { finish(); return; }
    auto live = std::make_shared<int>(int(ids.size()));
    for (auto& id : ids) {
      pid_t hp = records[id].host_pid;
      host_call(id, {{"op", "shutdown"}}, [this, hp, live, finish](const json&) {
        when_gone(hp, 5000, [live, finish]() {
          if (--*live == 0) finish();
        });
      });
    }
  }

  // The roster as the supervisor leaves it: no supervisor pid, and only
  // the hosts that still run (all of them with --keep-workers).
  void save_final_roster() {
    json r = load_roster(o.paths);
    r.erase("pid");
    r["endedAt"] = now_ms();
    json hs = json::object();
    for (auto& [id, rec] : records)
      if (rec.host_pid > 0 && process_alive(rec.host_pid, rec.host_start_time))
        hs[id] = {{"hostPid", rec.host_pid}, {"hostStartTime", rec.host_start_time}, {"socket", rec.socket}};
    r["hosts"] = hs;
    if (int rc = save_roster(o.paths, r); rc < 0)
      log("cannot write " + o.paths.roster_file() + ": " + strerror(-rc));
  }

  static void on_own_handle_closed(uv_handle_t*) {}

  // Close every handle the supervisor owns, each once, through its owner.
  // Idempotent.
  void close_all() {
    if (closed_all) return;
    closed_all = true;
    shutting_down = true;
    auto close_h = [](auto* h) {
      auto* hd = reinterpret_cast<uv_handle_t*>(h);
      if (!uv_is_closing(hd)) uv_close(hd, on_own_handle_closed);
    };
    if (server_open) { server_open = false; close_h(&server); }
    close_h(&reap_timer);
    close_h(&idle_timer);
    close_h(&sig_term);
    close_h(&sig_int);
    close_h(&sig_hup);
    for (auto& w : gone_waiters) close_gone_waiter(*w);
    // Closing runs the close callbacks later, which erase from conns.
    std::vector<UvConn*> all;
    for (auto& [p, c] : conns) all.push_back(p);
    for (UvConn* c : all) c->close("shutting down");
  }

  // ---- control connections ----
  void on_accept() {
    UvConn* raw = new_conn();
    clients.insert(raw);
    uv_timer_stop(&idle_timer);
    std::string err = raw->accept_from(reinterpret_cast<uv_stream_t*>(&server));
    raw->start([this](UvConn& c, Frame& f) { on_client_frame(c, f); },
               [this](UvConn& c, const std::string& reason) {
                 if (!reason.empty() && reason != "closed by peer" && reason != "shutting down")
                   log("client connection closed: " + reason);
                 watchers.erase(&c);
                 behind.erase(&c);
                 clients.erase(&c);
                 forget(c);
                 check_idle();
               });
    if (!err.empty()) { log(err); raw->close(err); return; }
    // A connection that never says Hello is not kept (it would also keep
    // the supervisor from exiting when idle); one that stops reading its
    // replies is let go.
    raw->arm_timeout(kHandshakeTimeoutMs, "no hello within " + std::to_string(kHandshakeTimeoutMs / 1000) + " s");
    raw->set_queue_limit(kClientQueueLimit);
  }

  // Events for a watcher that has more than kWatcherQueueLimit unread are
  // dropped (replies never are); once it has read what was queued it gets
  // the whole list again.
  void send_event(UvConn* w, const json& ev) {
    if (behind.count(w)) return;
    if (w->queued_bytes() > kWatcherQueueLimit) { behind.insert(w); return; }
    w->send_json(MsgType::Event, ev);
  }
  void on_watcher_drained(UvConn& c) {
    if (!behind.erase(&c) || !watchers.count(&c)) return;
    auto pins = load_pins(o.paths);
    json arr = json::array();
    for (auto& [id, r] : records) arr.push_back(session_json(r, pins.count(id) > 0));
    c.send_json(MsgType::Event, {{"sessions", arr}});
  }

  void on_client_frame(UvConn& c, Frame& f) {
    if (!c.hello_done) {
      if (f.type != MsgType::Hello) { c.send_json(MsgType::Error, {{"error", "expected hello"}}); c.close("no hello"); return; }
      std::string err = check_hello(f.json());
      if (!err.empty()) { c.send_json(MsgType::Error, {{"error", err}}); c.close(err); return; }
      c.hello_done = true;
      c.disarm_timeout();
      c.send_json(MsgType::Welcome, {{"proto", kProtocolVersion}, {"server", "supervisor"},
                                     {"pid", getpid()}, {"version", AMUX_VERSION}});
      return;
    }
    if (f.type != MsgType::Request) { c.close("unexpected frame " + std::string(msg_type_name(f.type))); return; }
    json req = f.json();
    if (!req.is_object() || !req.contains("op") || !req["op"].is_string()) {
      c.send_json(MsgType::Response, {{"ok", false}, {"error", "request without op"}});
      return;
    }
    UvConn* cp = &c;
    auto reply = [this, cp](const json& j) {
      if (clients.count(cp) && !cp->closing()) cp->send_json(MsgType::Response, j);
    };
    try {
      handle(c, req, reply);
    } catch (const std::exception& e) {
      reply({{"ok", false}, {"error", e.what()}});
    }
  }

  std::optional<SessionRecord> find(const json& req, const std::function<void(const json&)>& reply) {
    std::string id = req.value("id", std::string());
    auto rec = load_record(o.paths, id);
    if (!rec) { reply({{"ok", false}, {"error", "no session " + id}}); return std::nullopt; }
    records[id] = *rec;
    return rec;
  }

  // ---- starting hosts ----
  // A start never blocks the loop: the host's spec (TOML, git) is worked
  // out on the thread pool, the fork is prepared before it happens, and the
  // ready pipe is read here (ReadyPipe). Sessions whose host is starting,
  // with everyone waiting for the outcome ("" or an error).
  std::map<std::string, std::vector<std::function<void(const std::string&)>>> launching;
  std::map<ReadyPipe*, std::unique_ptr<ReadyPipe>> ready_pipes;

  // Start the host of a new record (resume = false: its argv), or restart
  // an existing one with the resume argv; `done` gets "" once it listens,
  // else the error. A session already starting is not started twice: `done`
  // waits for that start.
  void relaunch(SessionRecord rec, bool resume, std::function<void(const std::string&)> done) {
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

  void launch_ok(const std::string& id) {
    if (auto fresh = load_record(o.paths, id)) records[id] = *fresh;
    log("bg spawned " + id + " (" + records[id].kind + ")");
    watch_host(id);
    save_roster_now();
    launch_done(id, "");
  }

  void launch_failed(const std::string& id, const std::string& err) {
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

  void launch_done(const std::string& id, const std::string& err) {
    auto node = launching.extract(id);
    if (!node.empty())
      for (auto& cb : node.mapped()) cb(err);
    check_idle();
  }

  // Run `cb` once process `pid` is gone (or after timeout_ms), polling on a
  // timer so the loop keeps serving everyone else meanwhile. Each waiter's
  // timer is closed once and the waiter freed in its close callback.
  struct GoneWaiter {
    uv_timer_t timer{};
    Impl* self = nullptr;
    pid_t pid = 0;
    uint64_t deadline = 0;
    bool closing = false;
    std::function<void()> cb;
  };
  std::list<std::unique_ptr<GoneWaiter>> gone_waiters;

  void when_gone(pid_t pid, uint64_t timeout_ms, std::function<void()> cb) {
    if (pid <= 0 || !process_alive(pid) || closed_all) { cb(); return; }
    auto w = std::make_unique<GoneWaiter>();
    w->self = this;
    w->pid = pid;
    w->deadline = uv_now(loop) + timeout_ms;
    w->cb = std::move(cb);
    uv_timer_init(loop, &w->timer);
    w->timer.data = w.get();
    uv_timer_start(&w->timer, [](uv_timer_t* t) {
      auto* gw = static_cast<GoneWaiter*>(t->data);
      gw->self->poll_gone(*gw);
    }, 10, 10);
    gone_waiters.push_back(std::move(w));
  }

  void poll_gone(GoneWaiter& w) {
    if (!w.cb || (process_alive(w.pid) && uv_now(loop) < w.deadline)) return;
    auto cb = std::move(w.cb);
    w.cb = nullptr;
    close_gone_waiter(w);
    cb();
  }

  void close_gone_waiter(GoneWaiter& w) {
    if (w.closing) return;
    w.closing = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&w.timer), [](uv_handle_t* h) {
      auto* gw = static_cast<GoneWaiter*>(h->data);
      gw->self->gone_waiters.remove_if([gw](const std::unique_ptr<GoneWaiter>& p) { return p.get() == gw; });
    });
  }

  void handle(UvConn& c, const json& req, const std::function<void(const json&)>& reply) {
    std::string op = req["op"];
    // An id names files and sockets: only a session id gets that far.
    if (auto it = req.find("id"); it != req.end() && !(it->is_string() && is_session_id(it->get<std::string>()))) {
      reply({{"ok", false}, {"error", "invalid session id (expected 8 hex digits)"}});
      return;
    }
    if (op == "dispatch") {
      SessionRecord r = SessionRecord::from_json(req.value("record", json::object()));
      // The client may have picked the id (and reserved its job dir for the
      // files the agent starts with); otherwise pick one here.
      if (!is_session_id(r.id) || load_record(o.paths, r.id)) r.id = new_session_id();
      if (r.session_uuid.empty()) r.session_uuid = new_uuid();
      r.created_at = now_ms();
      if (!r.rows || !r.cols) { r.rows = o.config.rows; r.cols = o.config.cols; }
      if (r.argv.empty()) { reply({{"ok", false}, {"error", "nothing to run"}}); return; }
      // The dispatching command's environment, kept with the session so a
      // respawn starts it the same way.
      if (req.contains("env") && req["env"].is_array()) {
        std::vector<std::string> env;
        for (auto& e : req["env"])
          if (e.is_string()) env.push_back(e.get<std::string>());
        int rc = make_dirs(o.paths.job_dir(r.id));
        if (rc == 0) rc = save_session_env(o.paths, r.id, inheritable_environment(env));
        if (rc < 0) {
          discard_unrecorded(r.id);
          reply({{"ok", false}, {"error", "cannot write " + session_env_file(o.paths, r.id) + ": " + strerror(-rc)}});
          return;
        }
      }
      const std::string id = r.id;
      relaunch(r, false, [this, id, reply](const std::string& err) {
        if (!err.empty()) {
          discard_unrecorded(id);
          reply({{"ok", false}, {"error", "could not start session " + id + ": " + err}});
        } else {
          reply({{"ok", true}, {"id", id}, {"record", records[id].to_json()}});
        }
      });
    } else if (op == "list") {
      bool all = req.value("all", false);
      std::string cwd = req.value("cwd", std::string());
      auto pins = load_pins(o.paths);
      json arr = json::array();
      for (auto& r : load_all_records(o.paths)) {
        SessionRecord rr = r;
        if (state_is_live(rr.state) && !launching.count(rr.id) &&
            !(rr.host_pid > 0 && process_alive(rr.host_pid, rr.host_start_time))) {
          mark_host_lost(rr.id);
          if (auto fresh = load_record(o.paths, rr.id)) rr = *fresh;
        }
        if (!all && !state_is_live(rr.state) && !pins.count(rr.id)) continue;
        if (!cwd.empty() && rr.cwd != cwd && rr.cwd.rfind(cwd + "/", 0) != 0) continue;
        arr.push_back(session_json(rr, pins.count(rr.id) > 0));
      }
      reply({{"ok", true}, {"sessions", arr}});
    } else if (op == "stop") {
      auto rec = find(req, reply);
      if (!rec) return;
      if (!state_is_live(rec->state) || !host_alive(rec->id)) { reply({{"ok", true}, {"id", rec->id}}); return; }
      std::string id = rec->id;
      host_call(id, {{"op", "stop"}}, [reply, id](const json& j) {
        reply(j.value("ok", false) ? json{{"ok", true}, {"id", id}} : j);
      });
    } else if (op == "rm") {
      auto rec = find(req, reply);
      if (!rec) return;
      if (state_is_live(rec->state) && host_alive(rec->id) && !req.value("force", false)) {
        reply({{"ok", false}, {"error", "session " + rec->id + " is running; stop it first or use --force"}});
        return;
      }
      log("rm " + rec->id);
      if (rec->worktree.empty()) { remove_session(rec->id, reply); return; }
      rm_with_worktree(rec->id, rec->worktree, req.value("discardWorktree", false), reply);
    } else if (op == "respawn" || op == "ensure") {
      std::vector<std::string> ids;
      if (req.value("all", false)) {
        for (auto& r : load_all_records(o.paths)) ids.push_back(r.id);
      } else {
        auto rec = find(req, reply);
        if (!rec) return;
        if (op == "ensure" && host_alive(rec->id)) { reply({{"ok", true}, {"id", rec->id}, {"respawned", false}}); return; }
        ids.push_back(rec->id);
      }
      auto left = std::make_shared<size_t>(ids.size());
      auto errors = std::make_shared<std::vector<std::string>>();
      auto done = [reply, left, errors, ids]() {
        if (--*left) return;
        if (errors->empty()) reply({{"ok", true}, {"ids", ids}, {"respawned", true}, {"id", ids.empty() ? "" : ids[0]}});
        else reply({{"ok", false}, {"error", (*errors)[0]}});
      };
      if (ids.empty()) { reply({{"ok", true}, {"ids", json::array()}}); return; }
      for (auto& id : ids) {
        auto go = [this, id, errors, done]() {
          auto rec = load_record(o.paths, id);
          if (!rec) { errors->push_back("no session " + id); done(); return; }
          relaunch(*rec, true, [this, id, errors, done](const std::string& err) {
            if (!err.empty()) errors->push_back("could not restart " + id + ": " + err);
            else log("respawned " + id);
            done();
          });
        };
        if (host_alive(id)) {
          host_call(id, {{"op", "shutdown"}}, [this, id, go](const json&) {
            // The subscription closes too; start the new host once the old is gone.
            auto it = records.find(id);
            pid_t hp = it != records.end() ? it->second.host_pid : 0;
            when_gone(hp, 2000, [this, id, go]() {
              drop_subscription(id);
              go();
            });
          });
        } else {
          // A host that died may still have a subscription whose end has
          // not been read yet: it must not stand in for the new host's.
          drop_subscription(id);
          go();
        }
      }
    } else if (op == "rename") {
      auto rec = find(req, reply);
      if (!rec) return;
      std::string name = req.value("name", std::string());
      if (name.empty()) { reply({{"ok", false}, {"error", "a name cannot be empty"}}); return; }
      if (host_alive(rec->id)) {
        host_call(rec->id, {{"op", "rename"}, {"name", name}}, reply);
      } else {
        rec->name = name;
        rec->name_source = "user";
        if (int rc = save_record(o.paths, *rec); rc < 0) {
          reply({{"ok", false}, {"error", "cannot write " + o.paths.state_file(rec->id) + ": " + strerror(-rc)}});
          return;
        }
        records[rec->id] = *rec;
        broadcast(*rec);
        reply({{"ok", true}});
      }
    } else if (op == "pin" || op == "unpin") {
      auto rec = find(req, reply);
      if (!rec) return;
      auto pins = load_pins(o.paths);
      if (op == "pin") pins.insert(rec->id); else pins.erase(rec->id);
      if (int rc = save_pins(o.paths, pins); rc < 0) {
        reply({{"ok", false}, {"error", "cannot write " + o.paths.pins_file() + ": " + strerror(-rc)}});
        return;
      }
      broadcast(*rec);
      schedule_reap();
      reply({{"ok", true}, {"id", rec->id}});
    } else if (op == "status") {
      int live = 0;
      for (auto& [id, h] : hosts) if (host_alive(id)) live++;
      struct stat st {};
      int64_t roster_age = stat(o.paths.roster_file().c_str(), &st) == 0
                               ? now_ms() - int64_t(st.st_mtim.tv_sec) * 1000 - st.st_mtim.tv_nsec / 1000000
                               : -1;
      reply({{"ok", true}, {"pid", getpid()}, {"version", AMUX_VERSION}, {"protocol", kProtocolVersion},
             {"uptimeMs", now_ms() - started_at}, {"origin", o.origin},
             {"configDir", o.paths.config_dir}, {"log", o.paths.daemon_log()},
             {"socketDir", o.paths.socket_dir}, {"liveHosts", live}, {"rosterAgeMs", roster_age},
             {"sessions", records.size()}});
    } else if (op == "shutdown") {
      bool keep = req.value("keep_workers", false);
      log(std::string("shutdown requested via control socket") + (keep ? " (keep workers)" : ""));
      int n = 0;
      for (auto& [id, r] : records) if (state_is_live(r.state) && host_alive(id)) n++;
      UvConn* cp = &c;
      shutdown(keep, [this, cp, n, reply]() {
        if (clients.count(cp)) reply({{"ok", true}, {"ended", n}});
      });
    } else if (op == "watch") {
      watchers.insert(&c);
      c.set_on_drain([this](UvConn& w) { on_watcher_drained(w); });
      reply({{"ok", true}});
    } else {
      reply({{"ok", false}, {"error", "unknown op '" + op + "'"}});
    }
  }
};

Supervisor::Supervisor(uv_loop_t* loop, SupervisorOptions opts)
    : impl_(std::make_unique<Impl>(loop, std::move(opts))) {}
Supervisor::~Supervisor() {
  // Every handle lives in impl_: close them and let their callbacks run
  // before it goes.
  impl_->close_all();
  uv_run(impl_->loop, UV_RUN_DEFAULT);
}

std::string Supervisor::start() { return impl_->start(); }

int Supervisor::run_main(SupervisorOptions opts) {
  // Starting a host works out its settings on libuv's thread pool (TOML,
  // git); `respawn --all` starts every session at once, so the pool is
  // larger than libuv's default of 4 (read once, at its first use).
  setenv("UV_THREADPOOL_SIZE", "16", 0);
  uv_loop_t loop;
  uv_loop_init(&loop);
  int ready = opts.ready_fd;
  int rc = 0;
  {
    Supervisor s(&loop, std::move(opts));
    std::string err = s.start();
    if (!err.empty()) {
      if (ready >= 0) { dprintf(ready, "error: %s\n", err.c_str()); ::close(ready); }
      else fprintf(stderr, "amux: %s\n", err.c_str());
      s.impl_->close_all();
      uv_run(&loop, UV_RUN_DEFAULT);
      rc = 1;
    } else {
      if (ready >= 0) { dprintf(ready, "ok\n"); ::close(ready); }
      uv_run(&loop, UV_RUN_DEFAULT);
    }
  }
  if (uv_loop_close(&loop) != 0) fprintf(stderr, "amux: supervisor: handles left open at exit\n");
  return rc;
}

}  // namespace amux::mux
