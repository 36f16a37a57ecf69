// supervisor_clients.cpp — the supervisor's control connections.
//
// Why: every CLI command and every agent view talks to the supervisor over
// control.sock; a connection must say Hello in time, is let go when it stops
// reading its replies, and a watcher whose events pile up gets them dropped
// and is resynced with the whole list once it has caught up. Requests go on
// to the request table (supervisor_requests.cpp).
#include "mux/daemon/supervisor_impl.h"
#include "mux/store/roster.h"
#include "mux/wire/protocol.h"
#include "mux/wire/session_view.h"

namespace amux::mux {

using json = nlohmann::json;

namespace {

constexpr uint64_t kHandshakeTimeoutMs = 5000;   // a connection must say Hello by then
constexpr size_t kClientQueueLimit = 4u << 20;   // replies a client has not read: then it is let go
constexpr size_t kWatcherQueueLimit = 256u << 10; // events a watcher has not read: then they are dropped

}  // namespace

// ---- control connections ----
void Supervisor::Impl::on_accept() {
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
void Supervisor::Impl::send_event(UvConn* w, const json& ev) {
  if (behind.count(w)) return;
  if (w->queued_bytes() > kWatcherQueueLimit) { behind.insert(w); return; }
  w->send_json(MsgType::Event, ev);
}
void Supervisor::Impl::on_watcher_drained(UvConn& c) {
  if (!behind.erase(&c) || !watchers.count(&c)) return;
  auto pins = load_pins(o.paths);
  json arr = json::array();
  for (auto& [id, r] : records) arr.push_back(session_json(r, pins.count(id) > 0));
  c.send_json(MsgType::Event, {{"sessions", arr}});
}

void Supervisor::Impl::on_client_frame(UvConn& c, Frame& f) {
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

}  // namespace amux::mux
