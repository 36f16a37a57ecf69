// daemon_client.h — reach the supervisor from a client command, starting it
// on demand ("Starting background service…", once), and ask it one thing.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "mux/wire/host_client.h"
#include "mux/store/paths.h"

namespace amux::mux {

// Connect to control.sock. When nothing listens and `start` is true, launch
// `amux daemon run` detached, print the notice on stderr and wait for it.
// "" or a one-line error.
std::string connect_supervisor(const Paths& p, HostClient& out, bool start = true);

// connect_supervisor + request; on failure {"ok":false,"error":...}.
nlohmann::json supervisor_request(const Paths& p, const nlohmann::json& req, bool start = true,
                                  int timeout_ms = 30000);

// Start `amux daemon run --origin <origin>` detached and wait until it
// listens. "" or a one-line error.
std::string launch_supervisor(const Paths& p, const std::string& origin, int timeout_ms = 10000);

}  // namespace amux::mux
