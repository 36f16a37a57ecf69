// session_view.h — the public JSON shape of a session (`amux agents --json`
// and the supervisor's events), kept apart from the on-disk record so the
// file can change without breaking scripts.
#pragma once

#include <nlohmann/json.hpp>

#include "mux/store/session_record.h"

namespace amux::mux {

// {id, name, state, detail, cwd, kind:"background", agent, startedAt,
//  updatedAt, pid (alive), exitCode|signal (exited), pinned, worktree,
//  sessionId, waitingFor, attached (clients attached now)}
nlohmann::json session_json(const SessionRecord& r, bool pinned);

}  // namespace amux::mux
