// supervisor_hosts.cpp — the supervisor's registry of session hosts.
//
// Why: the supervisor must know which hosts run without holding any of
// them: on start it adopts every live host from the state files (marking the
// rest "host lost"), keeps one subscription per live host (state changes
// arrive as events; a closed connection means the host is gone), writes the
// roster, pushes record changes to watchers, and sends one-shot requests to
// a host on their own connection so one slow host never stalls the loop.
#include <cstring>
#include <filesystem>

#include "mux/daemon/supervisor_impl.h"
#include "mux/wire/ops.h"
#include "mux/store/roster.h"
#include "mux/store/session_id.h"
#include "mux/sys/process_info.h"
#include "mux/wire/protocol.h"
#include "mux/wire/session_view.h"

namespace amux::mux {

using json = nlohmann::json;

namespace {

constexpr uint64_t kHostCallTimeoutMs = 15000;   // a request to a host gives up after this

}  // namespace

void Supervisor::Impl::adopt() {
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

void Supervisor::Impl::mark_host_lost(const std::string& id) {
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

void Supervisor::Impl::save_roster_now() {
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
void Supervisor::Impl::discard_unrecorded(const std::string& id) {
  if (!is_session_id(id) || load_record(o.paths, id)) return;
  records.erase(id);
  std::error_code ec;
  std::filesystem::remove_all(o.paths.job_dir(id), ec);
}

// ---- host subscriptions ----
void Supervisor::Impl::watch_host(const std::string& id) {
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
    raw->send_json(MsgType::Request, {{"op", op_name(Op::Subscribe)}});
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
void Supervisor::Impl::drop_subscription(const std::string& id) {
  auto it = hosts.find(id);
  if (it == hosts.end()) return;
  UvConn* c = it->second;
  hosts.erase(it);
  c->close("host replaced");
}

void Supervisor::Impl::on_host_closed(const std::string& id, const std::string& reason) {
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

void Supervisor::Impl::on_record(const SessionRecord& r) {
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
void Supervisor::Impl::broadcast(const SessionRecord& r) {
  if (watchers.empty()) return;
  auto pins = load_pins(o.paths);
  json ev = {{"session", session_json(r, pins.count(r.id) > 0)}};
  for (auto* w : watchers) send_event(w, ev);
}

// One request to a host on its own connection; cb gets the response json
// ({"ok":false,"error":…} when the host cannot be reached).
void Supervisor::Impl::host_call(const std::string& id, json req, std::function<void(const json&)> cb) {
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

bool Supervisor::Impl::host_alive(const std::string& id) {
  auto it = records.find(id);
  if (it == records.end()) return false;
  return it->second.host_pid > 0 && process_alive(it->second.host_pid, it->second.host_start_time);
}

}  // namespace amux::mux
