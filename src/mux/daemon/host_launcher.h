// host_launcher.h — start a session host (or the supervisor) as a detached
// process.
//
// Why: a host must outlive whoever started it (a CLI call, the supervisor),
// so it is started with a double fork and setsid, its stdio pointed at
// /dev/null and daemon.log, and the starter learns from a pipe when the
// host listens (or why it could not start). The process keeps none of its
// starter's descriptors: only 0, 1, 2 and the ready pipe (as fd 3) reach
// it. Everything the child needs is built before fork, so the child makes
// only async-signal-safe calls — the supervisor forks while libuv's thread
// pool runs. Starting and waiting are separate steps: the supervisor waits
// for the ready line on its loop (ready_pipe.h), the CLI blocks
// (launch_detached, launch_host). The launcher also resolves what the host
// needs from the TOML files (host_spec.h), since the host binary reads none.
#pragma once

#include <string>
#include <vector>

#include "mux/store/host_spec.h"
#include "mux/store/paths.h"
#include "mux/store/session_record.h"

namespace amux::mux {

// How long a started process may take to say it is ready.
inline constexpr int kReadyTimeoutMs = 10000;

// Path of the running amux binary (/proc/self/exe).
std::string self_exe();

// The session host binary: amux-host next to the running amux (the build
// tree), else <prefix>/lib/amux/amux-host (installed); "" when neither exists.
std::string host_exe();

// What the host of `rec` needs: config.toml's settings and, for an agent,
// its profile's screen patterns (agents.toml: shipped, user, project). A
// profile that cannot be loaded leaves a note instead of patterns. Throws
// ConfigError for a bad config.toml.
HostSpec resolve_host_spec(const Paths& paths, const SessionRecord& rec);

// Writes jobs/<id>/host.json (resolve_host_spec) for the record
// jobs/<id>/state.json. Reads TOML and may run git: the supervisor calls it
// off its loop. "" or a one-line error.
std::string prepare_host(const Paths& paths, const std::string& id);

// Starts the host of `id` detached without waiting: host_exe() with the
// command line `amux host <id> --ready-fd 3`, or `<amux> host <id>` when
// there is no amux-host. Returns the read end of its ready pipe
// (close-on-exec; the caller owns it), or -1 with *err set.
int spawn_host(const Paths& paths, const std::string& id, std::string* err);

// What a ready pipe said: "" for "ok", else a one-line error (`what` names
// the process; EOF without a word points at daemon.log).
std::string ready_error(const std::string& answer, const std::string& what, const Paths& paths);

// Runs `<amux> <args…> --ready-fd 3` detached and blocks until it is ready
// (for callers without a loop). "" or a one-line error.
std::string launch_detached(const Paths& paths, const std::vector<std::string>& args,
                            const std::string& what, int timeout_ms = kReadyTimeoutMs);

// prepare_host + spawn_host, then blocks until the host listens. "" or a
// one-line error.
std::string launch_host(const Paths& paths, const std::string& id, int timeout_ms = kReadyTimeoutMs);

}  // namespace amux::mux
