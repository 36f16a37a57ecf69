// supervisor_shutdown.cpp — how the supervisor ends: idle exit, shutdown
// (asking hosts to go, or keeping them) and closing every handle once.
//
// Why: the supervisor exits when no session runs and no client has been
// connected for `idle_exit` seconds, or when asked; either way the roster
// it leaves says which hosts still run, so the next supervisor adopts them.
#include <cstring>

#include "mux/daemon/supervisor_impl.h"
#include "mux/wire/ops.h"
#include "mux/store/roster.h"
#include "mux/sys/process_info.h"

namespace amux::mux {

using json = nlohmann::json;

// ---- idle exit ----
bool Supervisor::Impl::any_live() {
  for (auto& [id, r] : records)
    if (state_is_live(r.state) && hosts.count(id)) return true;
  return false;
}

void Supervisor::Impl::check_idle() {
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
void Supervisor::Impl::shutdown(bool keep_workers, std::function<void()> after) {
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
    host_call(id, {{"op", op_name(Op::Shutdown)}}, [this, hp, live, finish](const json&) {
      when_gone(hp, 5000, [live, finish]() {
        if (--*live == 0) finish();
      });
    });
  }
}

// The roster as the supervisor leaves it: no supervisor pid, and only
// the hosts that still run (all of them with --keep-workers).
void Supervisor::Impl::save_final_roster() {
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

void Supervisor::Impl::on_own_handle_closed(uv_handle_t*) {}

// Close every handle the supervisor owns, each once, through its owner.
// Idempotent.
void Supervisor::Impl::close_all() {
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

}  // namespace amux::mux
