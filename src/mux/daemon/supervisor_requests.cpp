// supervisor_requests.cpp — the supervisor's request table: one handler per
// op (dispatch, list, stop, rm, respawn, ensure, rename, pin, unpin, status,
// shutdown, watch).
//
// Why: every command the CLI and the agent view send is a request naming an
// op; one table says which ops exist and what each does, so an op is added
// in one place and an unknown one is refused in one place. Handlers never
// block: what needs a host or git is asked asynchronously and answered
// through `reply`.
#include <sys/stat.h>

#include <cstring>

#include "mux/daemon/supervisor_impl.h"
#include "mux/store/atomic_file.h"
#include "mux/store/roster.h"
#include "mux/store/session_env.h"
#include "mux/store/session_id.h"
#include "mux/sys/process_info.h"
#include "mux/wire/ops.h"
#include "mux/wire/protocol.h"
#include "mux/wire/session_view.h"

namespace amux::mux {

using json = nlohmann::json;

// Keyed by the shared Op (wire/ops.h): the names on the wire live there.
const std::map<Op, Supervisor::Impl::Handler>& Supervisor::Impl::handlers() {
  static const std::map<Op, Handler> table = {
      {Op::Dispatch, &Impl::op_dispatch},
      {Op::List, &Impl::op_list},
      {Op::Stop, &Impl::op_stop},
      {Op::Rm, &Impl::op_rm},
      {Op::Respawn, &Impl::op_respawn},
      {Op::Ensure, &Impl::op_ensure},
      {Op::Rename, &Impl::op_rename},
      {Op::Pin, &Impl::op_pin},
      {Op::Unpin, &Impl::op_unpin},
      {Op::Status, &Impl::op_status},
      {Op::Shutdown, &Impl::op_shutdown},
      {Op::Watch, &Impl::op_watch},
  };
  return table;
}

void Supervisor::Impl::handle(UvConn& c, const json& req, const Reply& reply) {
  std::string op = req["op"];
  // An id names files and sockets: only a session id gets that far.
  if (auto it = req.find("id"); it != req.end() && !(it->is_string() && is_session_id(it->get<std::string>()))) {
    reply({{"ok", false}, {"error", "invalid session id (expected 8 hex digits)"}});
    return;
  }
  const std::optional<Op> parsed = parse_op(op);
  auto h = parsed ? handlers().find(*parsed) : handlers().end();
  if (h == handlers().end()) {
    reply({{"ok", false}, {"error", "unknown op '" + op + "'"}});
    return;
  }
  (this->*(h->second))(c, req, reply);
}

std::optional<SessionRecord> Supervisor::Impl::find(const json& req, const std::function<void(const json&)>& reply) {
  std::string id = req.value("id", std::string());
  auto rec = load_record(o.paths, id);
  if (!rec) { reply({{"ok", false}, {"error", "no session " + id}}); return std::nullopt; }
  records[id] = *rec;
  return rec;
}

void Supervisor::Impl::op_dispatch(UvConn&, const json& req, const Reply& reply) {
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
}

void Supervisor::Impl::op_list(UvConn&, const json& req, const Reply& reply) {
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
}

void Supervisor::Impl::op_stop(UvConn&, const json& req, const Reply& reply) {
  auto rec = find(req, reply);
  if (!rec) return;
  if (!state_is_live(rec->state) || !host_alive(rec->id)) { reply({{"ok", true}, {"id", rec->id}}); return; }
  std::string id = rec->id;
  host_call(id, {{"op", op_name(Op::Stop)}}, [reply, id](const json& j) {
    reply(j.value("ok", false) ? json{{"ok", true}, {"id", id}} : j);
  });
}

void Supervisor::Impl::op_rm(UvConn&, const json& req, const Reply& reply) {
  auto rec = find(req, reply);
  if (!rec) return;
  if (state_is_live(rec->state) && host_alive(rec->id) && !req.value("force", false)) {
    reply({{"ok", false}, {"error", "session " + rec->id + " is running; stop it first or use --force"}});
    return;
  }
  log("rm " + rec->id);
  if (rec->worktree.empty()) { remove_session(rec->id, reply); return; }
  rm_with_worktree(rec->id, rec->worktree, req.value("discardWorktree", false), reply);
}

void Supervisor::Impl::op_respawn(UvConn&, const json& req, const Reply& reply) {
  respawn(req, reply, false);
}

void Supervisor::Impl::op_ensure(UvConn&, const json& req, const Reply& reply) {
  respawn(req, reply, true);
}

void Supervisor::Impl::respawn(const json& req, const Reply& reply, bool ensure) {
  std::vector<std::string> ids;
  if (req.value("all", false)) {
    for (auto& r : load_all_records(o.paths)) ids.push_back(r.id);
  } else {
    auto rec = find(req, reply);
    if (!rec) return;
    if (ensure && host_alive(rec->id)) { reply({{"ok", true}, {"id", rec->id}, {"respawned", false}}); return; }
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
      host_call(id, {{"op", op_name(Op::Shutdown)}}, [this, id, go](const json&) {
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
}

void Supervisor::Impl::op_rename(UvConn&, const json& req, const Reply& reply) {
  auto rec = find(req, reply);
  if (!rec) return;
  std::string name = req.value("name", std::string());
  if (name.empty()) { reply({{"ok", false}, {"error", "a name cannot be empty"}}); return; }
  if (host_alive(rec->id)) {
    host_call(rec->id, {{"op", op_name(Op::Rename)}, {"name", name}}, reply);
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
}

void Supervisor::Impl::op_pin(UvConn&, const json& req, const Reply& reply) {
  set_pin(req, reply, true);
}

void Supervisor::Impl::op_unpin(UvConn&, const json& req, const Reply& reply) {
  set_pin(req, reply, false);
}

void Supervisor::Impl::set_pin(const json& req, const Reply& reply, bool pin) {
  auto rec = find(req, reply);
  if (!rec) return;
  auto pins = load_pins(o.paths);
  if (pin) pins.insert(rec->id); else pins.erase(rec->id);
  if (int rc = save_pins(o.paths, pins); rc < 0) {
    reply({{"ok", false}, {"error", "cannot write " + o.paths.pins_file() + ": " + strerror(-rc)}});
    return;
  }
  broadcast(*rec);
  schedule_reap();
  reply({{"ok", true}, {"id", rec->id}});
}

void Supervisor::Impl::op_status(UvConn&, const json&, const Reply& reply) {
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
}

void Supervisor::Impl::op_shutdown(UvConn& c, const json& req, const Reply& reply) {
  bool keep = req.value("keep_workers", false);
  log(std::string("shutdown requested via control socket") + (keep ? " (keep workers)" : ""));
  int n = 0;
  for (auto& [id, r] : records) if (state_is_live(r.state) && host_alive(id)) n++;
  UvConn* cp = &c;
  shutdown(keep, [this, cp, n, reply]() {
    if (clients.count(cp)) reply({{"ok", true}, {"ended", n}});
  });
}

void Supervisor::Impl::op_watch(UvConn& c, const json&, const Reply& reply) {
  watchers.insert(&c);
  c.set_on_drain([this](UvConn& w) { on_watcher_drained(w); });
  reply({{"ok", true}});
}
}  // namespace amux::mux
