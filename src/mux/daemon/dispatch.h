// dispatch.h — turn what a user asked for into a running session.
//
// Why: the command line (`amux --bg`, `amux new`) and the agent view's
// prompt box dispatch the same way: a shell job or an agent prompt, a
// directory (maybe a fresh worktree), a name, the agent's argv from its
// profile; then the supervisor starts the host. One place does it.
//
// An agent dispatch (docs/architecture.md §1, §7):
//  - the profile: --agent, else config default_agent, else the first agent
//    profile whose binary is on PATH (none: one line naming the profiles and
//    --exec); its binary must be on PATH and is recorded by absolute path;
//  - bypass permission modes need `amux accept-bypass` first;
//  - the id is chosen here (its job dir reserved) so the profile's files,
//    such as the claude hooks settings, can live in the job dir;
//  - inside a git repository the agent gets <repo>/.amux/worktrees/<name>
//    on branch amux/<name> unless worktree.bg_isolation = "none" (user or
//    project config) or the directory already is a linked worktree;
//  - argv, resume argv and environment come from the profile; an option the
//    profile cannot express is an error, never dropped.
// Whatever fails leaves nothing behind (job dir, worktree).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "mux/store/config.h"
#include "mux/store/paths.h"
#include "mux/store/session_record.h"

namespace amux::mux {

struct NewSession {
  bool shell = false;          // a shell job (--exec / `!cmd`): `command` runs under bash -c
  std::string command;         // shell: the command text
  std::string prompt;          // agent: the prompt
  std::string agent;           // agent profile ("" = default agent)
  std::string name;            // "" = derived from the command or prompt
  std::string cwd;             // "" = current directory
  // Agent options (mapped through the profile; unsupported ones are errors).
  std::string model, effort, permission_mode, settings, mcp_config;
  bool skip_permissions = false;
  std::vector<std::string> add_dirs, plugin_dirs, extra_args;
};

struct DispatchError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Start the session through the supervisor (started on demand). Returns its
// record. Throws DispatchError with one line. `notice`, when given, gets the
// one line that says what an untrusted project file asked for and did not
// get, and how to trust it ("" when nothing was ignored).
SessionRecord dispatch_session(const Paths& paths, const Config& config, const NewSession& req,
                               std::string* notice = nullptr);

// A display name from a command or prompt: first line, ≤ 40 characters.
std::string name_from_text(const std::string& text);

}  // namespace amux::mux
