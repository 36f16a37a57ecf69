// host_launcher.h — start a session host as a detached process.
//
// Why: a host must outlive whoever started it (a CLI call, the supervisor),
// so it is started with a double fork and setsid, its stdio pointed at
// /dev/null and daemon.log, and the starter waits on a pipe until the host
// says it is listening (or why it could not start).
#pragma once

#include <string>
#include <vector>

#include "mux/paths.h"

namespace amux::mux {

// Path of the running amux binary (/proc/self/exe).
std::string self_exe();

// Runs `<exe> <args…> --ready-fd N` detached (double fork, setsid, stdio to
// /dev/null, stderr to daemon.log) and waits until it writes "ok" on the
// ready pipe. "" or a one-line error; `what` names it in errors.
std::string launch_detached(const Paths& paths, const std::vector<std::string>& args,
                            const std::string& what, int timeout_ms = 10000);

// Runs `<exe> host <id>` detached; returns "" once the host listens, else a
// one-line error. The record jobs/<id>/state.json must exist.
std::string launch_host(const Paths& paths, const std::string& id, int timeout_ms = 10000);

}  // namespace amux::mux
