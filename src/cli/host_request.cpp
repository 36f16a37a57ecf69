// host_request.cpp — see host_request.h.
#include "cli/host_request.h"

namespace amux::cli {

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
