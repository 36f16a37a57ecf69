// host_request.h — one request to a session's host, with the CLI's errors.
//
// Why: logs, capture, reply and stop all do the same thing: find the host of
// a session, ask it one thing, and turn any failure into a clear line.
#pragma once

#include <nlohmann/json.hpp>

#include "cli/context.h"
#include "mux/wire/host_client.h"

namespace amux::cli {

// Make sure the session has a host: when it is gone and the session may be
// restarted (it was live, or lost its host), ask the supervisor to restart
// it with its resume command and wait. Returns the fresh record; throws
// CommandError when it cannot.
mux::SessionRecord ensure_host(Context& ctx, const mux::SessionRecord& rec);

// Attach this terminal to the session; returns the exit code for main.
int attach_session(Context& ctx, const mux::SessionRecord& rec);

// Connect to the session's host; throws CommandError ("session X is not
// running …") when it cannot.
mux::HostClient connect_session(const Context& ctx, const mux::SessionRecord& rec);
// Connect, send, and return the response; throws CommandError on {"ok":false}.
nlohmann::json host_request(const Context& ctx, const mux::SessionRecord& rec,
                            const nlohmann::json& req, int timeout_ms = 10000);

}  // namespace amux::cli
