// session_view.cpp — see session_view.h.
#include "mux/wire/session_view.h"

namespace amux::mux {

nlohmann::json session_json(const SessionRecord& r, bool pinned) {
  nlohmann::json j = {{"id", r.id},
                      {"name", r.name},
                      {"state", state_name(r.state)},
                      {"detail", r.detail},
                      {"cwd", r.cwd},
                      {"kind", "background"},
                      {"agent", r.agent},
                      {"startedAt", r.started_at ? r.started_at : r.created_at},
                      {"updatedAt", r.updated_at},
                      {"pinned", pinned},
                      {"sessionId", r.session_uuid}};
  if (r.pid > 0 && state_is_live(r.state)) j["pid"] = r.pid;
  if (r.exit_code) j["exitCode"] = *r.exit_code;
  if (r.signal) j["signal"] = *r.signal;
  if (!r.worktree.empty()) j["worktree"] = r.worktree;
  if (!r.waiting_for.empty()) j["waitingFor"] = r.waiting_for;
  if (r.finished_at) j["finishedAt"] = r.finished_at;
  j["attached"] = state_is_live(r.state) ? r.attached : 0;
  return j;
}

}  // namespace amux::mux
