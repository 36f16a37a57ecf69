// host_request.cpp — see host_request.h.
#include "cli/host_request.h"

#include <cstdio>

#include "mux/wire/daemon_client.h"
#include "mux/wire/ops.h"
#include "mux/sys/process_info.h"
#include "render/safe_text.h"
#include "view/attach_client.h"

namespace amux::cli {

mux::SessionRecord ensure_host(Context& ctx, const mux::SessionRecord& rec) {
  if (rec.host_pid > 0 && mux::process_alive(rec.host_pid, rec.host_start_time)) return rec;
  bool restartable = mux::state_is_live(rec.state) || rec.state == mux::SessionState::Starting ||
                     (rec.state == mux::SessionState::Failed && rec.detail.rfind("host lost", 0) == 0) ||
                     rec.kind != "shell";
  if (!restartable)
    throw CommandError("session " + rec.id + " (" + rec.name + ") has ended (" + mux::state_name(rec.state) +
                       ") and its output is gone; 'amux respawn " + rec.id + "' runs it again");
  auto r = mux::supervisor_request(ctx.paths, {{"op", mux::op_name(mux::Op::Ensure)}, {"id", rec.id}}, true, 30000);
  if (!r.value("ok", false)) throw CommandError(r.value("error", std::string("could not restart ") + rec.id));
  auto fresh = mux::load_record(ctx.paths, rec.id);
  if (!fresh) throw CommandError("session " + rec.id + " vanished");
  return *fresh;
}

int attach_session(Context& ctx, const mux::SessionRecord& rec) {
  auto r = view::run_attach(ctx.paths, ctx.keymap, rec, true, view::attach_options(ctx.config));
  if (r.end == view::AttachEnd::Lost) {
    std::fprintf(stderr, "amux: %s\n", render::sanitize(r.error).c_str());
    return 1;
  }
  return 0;
}

mux::HostClient connect_session(const Context& ctx, const mux::SessionRecord& rec) {
  mux::HostClient hc;
  std::string sock = rec.socket.empty() ? ctx.paths.host_socket(rec.id) : rec.socket;
  std::string err = hc.connect(sock, 3000);
  if (!err.empty()) {
    std::string st = mux::state_name(rec.state);
    throw CommandError("session " + rec.id + " (" + rec.name + ") is not running: its host is gone (last state: " + st + ")");
  }
  return hc;
}

nlohmann::json host_request(const Context& ctx, const mux::SessionRecord& rec,
                            const nlohmann::json& req, int timeout_ms) {
  auto hc = connect_session(ctx, rec);
  auto resp = hc.request(req, timeout_ms);
  if (!resp.value("ok", false))
    throw CommandError(resp.value("error", std::string("the session host refused the request")));
  return resp;
}

}  // namespace amux::cli
