// daemon_client.cpp — see daemon_client.h.
#include "mux/wire/daemon_client.h"

#include <cstdio>

#include "mux/daemon/host_launcher.h"

namespace amux::mux {

std::string launch_supervisor(const Paths& p, const std::string& origin, int timeout_ms) {
  return launch_detached(p, {"daemon", "run", "--origin", origin}, "background service", timeout_ms);
}

std::string connect_supervisor(const Paths& p, HostClient& out, bool start) {
  std::string err = out.connect(p.control_socket(), 3000);
  if (err.empty() || !start) return err.empty() ? "" : "the background service is not running";
  std::fprintf(stderr, "Starting background service…\n");
  std::string lerr = launch_supervisor(p, "transient");
  // Another client may have won the race; its supervisor serves us too.
  err = out.connect(p.control_socket(), 3000);
  if (err.empty()) return "";
  return "could not start the background service: " + (lerr.empty() ? err : lerr);
}

nlohmann::json supervisor_request(const Paths& p, const nlohmann::json& req, bool start, int timeout_ms) {
  HostClient c;
  std::string err = connect_supervisor(p, c, start);
  if (!err.empty()) return {{"ok", false}, {"error", err}};
  return c.request(req, timeout_ms);
}

}  // namespace amux::mux
