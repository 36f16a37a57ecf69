// host_launcher.h — start a session host as a detached process.
//
// Why: a host must outlive whoever started it (a CLI call, the supervisor),
// so it is started with a double fork and setsid, its stdio pointed at
// /dev/null and daemon.log, and the starter waits on a pipe until the host
// says it is listening (or why it could not start). It also resolves what
// the host needs from the TOML files (host_spec.h), since the host binary
// reads none.
#pragma once

#include <string>
#include <vector>

#include "mux/host_spec.h"
#include "mux/paths.h"
#include "mux/session_record.h"

namespace amux::mux {

// Path of the running amux binary (/proc/self/exe).
std::string self_exe();

// Runs `<exe> <args…> --ready-fd N` detached (double fork, setsid, stdio to
// /dev/null, stderr to daemon.log) and waits until it writes "ok" on the
// ready pipe. "" or a one-line error; `what` names it in errors.
std::string launch_detached(const Paths& paths, const std::vector<std::string>& args,
                            const std::string& what, int timeout_ms = 10000);

// The session host binary: amux-host next to the running amux (the build
// tree), else <prefix>/lib/amux/amux-host (installed); "" when neither exists.
std::string host_exe();

// What the host of `rec` needs: config.toml's settings and, for an agent,
// its profile's screen patterns (agents.toml: shipped, user, project). A
// profile that cannot be loaded leaves a note instead of patterns. Throws
// ConfigError for a bad config.toml.
HostSpec resolve_host_spec(const Paths& paths, const SessionRecord& rec);

// Writes jobs/<id>/host.json (resolve_host_spec) and runs the host detached:
// host_exe() with the command line `amux host <id> --ready-fd N`, or
// `<amux> host <id>` when there is no amux-host. Returns "" once the host
// listens, else a one-line error. The record jobs/<id>/state.json must exist.
std::string launch_host(const Paths& paths, const std::string& id, int timeout_ms = 10000);

}  // namespace amux::mux
