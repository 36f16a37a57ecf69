// host_requests.cpp — the host's request table: one handler per op.
//
// Why: a Request frame names an op (mux/wire/ops.h) and its arguments; the
// host looks the op up in one table (Op → member function) and answers with
// a Response. A handler returns the response, or null when the answer is
// sent later (stop waits for the child; follow streams). An op the host does
// not serve, or a malformed request, gets a one-line error; the connection
// stays.
#include <algorithm>

#include "mux/host/host_impl.h"
#include "mux/wire/messages.h"
#include "render/text_dump.h"

namespace amux::mux {

using namespace host_detail;

void SessionHost::Impl::on_request(Conn* c, const json& req) {
  json resp;
  try {
    resp = handle_request(c, req);
  } catch (const json::exception& e) {
    resp = {{"ok", false}, {"error", std::string("bad request: ") + e.what()}};
  }
  if (!resp.is_null()) respond(c, resp);
}

json SessionHost::Impl::handle_request(Conn* c, const json& req) {
  using Handler = json (Impl::*)(Conn*, const json&);
  struct Entry {
    Op op;
    Handler fn;
  };
  static constexpr Entry kHandlers[] = {
      {Op::State, &Impl::op_state},
      {Op::Capture, &Impl::op_capture},
      {Op::Logs, &Impl::op_logs},
      {Op::Follow, &Impl::op_follow},
      {Op::Reply, &Impl::op_reply},
      {Op::Input, &Impl::op_input},
      {Op::Stop, &Impl::op_stop},
      {Op::Shutdown, &Impl::op_shutdown},
      {Op::Rename, &Impl::op_rename},
      {Op::Subscribe, &Impl::op_subscribe},
      {Op::ScreenWatch, &Impl::op_screen_watch},
      {Op::Notify, &Impl::op_notify},
      {Op::SetLinger, &Impl::op_set_linger},
      {Op::Explain, &Impl::op_explain},
      {Op::CopyMode, &Impl::op_copy_mode},
  };
  if (!req.is_object() || !req.contains("op") || !req["op"].is_string())
    return {{"ok", false}, {"error", "bad request: no op"}};
  const std::string name = req["op"].get<std::string>();
  if (auto op = parse_op(name))
    for (const Entry& e : kHandlers)
      if (e.op == *op) return (this->*e.fn)(c, req);
  return {{"ok", false}, {"error", "unknown op '" + name + "'"}};
}

// The live fields.
json SessionHost::Impl::op_state(Conn*, const json&) {
  return {{"ok", true}, {"record", rec.to_json()}};
}

json SessionHost::Impl::op_capture(Conn*, const json& req) {
  render::DumpOptions o;
  o.sgr = req.value("sgr", false);
  return {{"ok", true}, {"text", fit_text(render::dump_screen(*screen, o))}};
}

json SessionHost::Impl::op_logs(Conn*, const json& req) {
  render::DumpOptions o;
  o.sgr = req.value("sgr", false);
  int64_t lines = read_int64(req, "lines", 0);
  return {{"ok", true},
          {"text", fit_text(render::dump_history(*screen, size_t(std::max<int64_t>(0, lines)), o))}};
}

json SessionHost::Impl::op_follow(Conn* c, const json& req) {
  return start_follow(c, read_int64(req, "lines", 0));
}

json SessionHost::Impl::op_reply(Conn*, const json& req) {
  if (!child_alive()) return {{"ok", false}, {"error", "session is not running"}};
  on_person_input();
  write_pty(req.at("text").get<std::string>());
  write_pty("\r");
  return {{"ok", true}};
}

json SessionHost::Impl::op_input(Conn*, const json& req) {
  if (!child_alive()) return {{"ok", false}, {"error", "session is not running"}};
  on_person_input();
  write_pty(req.at("data").get<std::string>());
  return {{"ok", true}};
}

// Answered once the child is gone (finish() tells the stop waiters).
json SessionHost::Impl::op_stop(Conn* c, const json&) {
  if (finished) {
    respond(c, {{"ok", true}, {"record", rec.to_json()}});
    if (shutdown_requested) close_all();
    return nullptr;
  }
  stop_child();  // when already reaped (draining), just wait for finish()
  stop_waiters.push_back(c);
  return nullptr;
}

// A stop after which the host exits at once (no linger).
json SessionHost::Impl::op_shutdown(Conn* c, const json& req) {
  shutdown_requested = true;
  return op_stop(c, req);
}

json SessionHost::Impl::op_rename(Conn*, const json& req) {
  std::string name = req.at("name").get<std::string>();
  if (name.empty()) return {{"ok", false}, {"error", "the name is empty"}};
  const std::string old_name = rec.name, old_source = rec.name_source;
  rec.name = name;
  rec.name_source = "user";
  if (std::string err = save(true); !err.empty()) {
    rec.name = old_name;  // as on disk: the rename did not happen
    rec.name_source = old_source;
    return {{"ok", false}, {"error", err}};
  }
  return {{"ok", true}, {"record", rec.to_json()}};
}

json SessionHost::Impl::op_subscribe(Conn* c, const json&) {
  c->subscribed = true;
  return {{"ok", true}, {"record", rec.to_json()}};
}

json SessionHost::Impl::op_screen_watch(Conn* c, const json& req) {
  c->watching = true;
  c->watch_rows = read_int(req, "rows", 10, 1, kMaxRows);
  c->watch_cols = read_int(req, "cols", 40, 1, kMaxCols);
  c->watch_interval = uint64_t(read_int(req, "interval_ms", 100, 20, 10000));
  c->watch_sgr = req.value("sgr", false);
  json r = watch_json(c);
  r["ok"] = true;
  c->watch_last_ms = uv_now(loop);
  c->watch_seq = screen->seq();
  return r;
}

json SessionHost::Impl::op_notify(Conn*, const json& req) {
  auto st = parse_state(req.value("state", std::string()));
  if (!st || (*st != SessionState::Working && *st != SessionState::Blocked && *st != SessionState::Idle))
    return {{"ok", false}, {"error", "state must be working, blocked or idle"}};
  if (!child_alive()) return {{"ok", false}, {"error", "session is not running"}};
  tracker.on_notify(*st, req.value("detail", std::string()), req.value("waitingFor", std::string()),
                    mono_ms());
  // For `explain`: which hook event said so, or the command itself.
  const std::string hook = req.value("hook", std::string()), event = req.value("event", std::string());
  notify_note = !hook.empty() ? hook + " hook" + (event.empty() ? "" : " " + event) + ": " + req["state"].get<std::string>()
                              : "amux notify --state " + req["state"].get<std::string>();
  if (auto d = req.value("detail", std::string()); !d.empty()) notify_note += " (" + d + ")";
  notify_note = clean_line(notify_note);
  note_work();
  update_state(mono_ms());
  if (record_unsaved) return {{"ok", false}, {"error", last_save_error}};
  return {{"ok", true}};
}

json SessionHost::Impl::op_set_linger(Conn*, const json& req) {
  double s = req.at("seconds").get<double>();
  if (s < 0) return {{"ok", false}, {"error", "linger seconds must be >= 0"}};
  opts.linger_seconds = s;
  if (uv_is_active(reinterpret_cast<uv_handle_t*>(&linger_timer))) start_linger();
  return {{"ok", true}};
}

}  // namespace amux::mux
