// supervisor_remove.cpp — removing a session (`amux rm`, and reaping).
//
// Why: removal stops the host, deletes the record and its job dir, and
// decides what happens to the session's worktree: a worktree amux did not
// make is left alone; a clean amux-made one goes with its branch; one with
// work in it keeps the session (docs/architecture.md, "Agent profiles,
// dispatch and trust"). git runs off the loop.
#include <filesystem>

#include "mux/agents/worktree.h"
#include "mux/wire/ops.h"
#include "mux/daemon/supervisor_impl.h"
#include "mux/store/roster.h"

namespace amux::mux {

using json = nlohmann::json;

// Stop the host (if any) and delete the record and its job dir.
void Supervisor::Impl::remove_session(const std::string& id, std::function<void(const json&)> cb) {
  auto finish = [this, id, cb]() {
    std::error_code ec;
    std::filesystem::remove_all(o.paths.job_dir(id), ec);
    records.erase(id);
    auto pins = load_pins(o.paths);
    if (pins.erase(id)) save_pins(o.paths, pins);
    json ev = {{"removed", id}};
    for (auto* w : watchers) send_event(w, ev);
    save_roster_now();
    check_idle();
    cb({{"ok", true}, {"id", id}});
  };
  if (host_alive(id)) host_call(id, {{"op", op_name(Op::Shutdown)}}, [finish](const json&) { finish(); });
  else finish();
}

// rm of a session that has a worktree: a worktree amux did not make is
// left alone; a clean amux-made one goes with its branch; one with
// uncommitted changes or commits on no other branch keeps the session
// (so the user can look, or name it again with --discard).
void Supervisor::Impl::rm_with_worktree(const std::string& id, const std::string& path, bool discard,
                                        const std::function<void(const json&)>& reply) {
  off_loop(
      [path]() -> json {
        auto wt = amux_worktree_at(path);
        if (!wt) return {{"owned", false}};
        WorktreeStatus st = worktree_status(*wt);
        return {{"owned", true}, {"keep", st.dirty || st.unique_commits > 0}, {"summary", st.summary}};
      },
      [this, id, path, discard, reply](const json& chk) {
        if (chk.value("keep", false) && !discard) {
          log("rm " + id + " refused: worktree " + path + " has " + chk.value("summary", std::string()));
          reply({{"ok", false},
                 {"error", "kept session " + id + ": its worktree " + path + " has " +
                               chk.value("summary", std::string("changes")) + "; `amux rm --discard " + id +
                               "` deletes it with its changes"},
                 {"worktree", {{"keptPath", path}, {"summary", chk.value("summary", std::string())}}}});
          return;
        }
        bool owned = chk.value("owned", false);
        remove_session(id, [this, id, path, discard, owned, reply](const json& r) {
          if (!owned) {
            json out = r;
            out["worktree"] = {{"removed", false}, {"message", "left " + path + " alone: not a worktree amux made"}};
            reply(out);
            return;
          }
          off_loop(
              [path, discard]() -> json {
                auto wt = amux_worktree_at(path);
                if (!wt) return {{"removed", false}, {"message", "left " + path + " alone: not a worktree amux made"}};
                RemoveResult res = remove_worktree(*wt, discard);
                json j = {{"removed", res.removed}, {"message", res.message}};
                if (!res.kept_path.empty()) j["keptPath"] = res.kept_path;
                if (!res.discard_command.empty()) j["discardCommand"] = res.discard_command;
                return j;
              },
              [this, id, r, reply](const json& wt) {
                log("rm " + id + ": " + wt.value("message", wt.value("error", std::string())));
                json out = r;
                out["worktree"] = wt;
                reply(out);
              });
        });
      });
}

}  // namespace amux::mux
