// worktree.h — a git worktree per agent session (docs/architecture.md §7).
//
// Why: agents working in the same checkout trample each other. A session
// started inside a repository gets <repo>/.amux/worktrees/<name> on branch
// amux/<name>; removing the session removes that worktree only when nothing
// would be lost (no uncommitted changes, no commits that live on no other
// branch), and never touches a worktree amux did not make. Everything goes
// through the git binary (run_command), so git's own rules and locks apply.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include "mux/store/config.h"

namespace amux::mux {

struct WorktreeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct WorktreeInfo {
  std::string repo;    // the main worktree's top directory
  std::string path;    // <repo>/.amux/worktrees/<name>
  std::string branch;  // amux/<name> (short name)
  std::string base;    // the commit it started from (create_worktree only)
};

// The top directory of the worktree containing `dir`, or "" when `dir` is
// not inside a git repository (or git is missing).
std::string git_toplevel(const std::string& dir);
// True when `dir` is inside a linked worktree (not the main one).
bool is_linked_worktree(const std::string& dir);

// The repository an agent session started in `dir` should get a worktree
// of, or "" when it runs in `dir` itself: not a repository, already a linked
// worktree, or worktree.bg_isolation = "none" in `user_config` or in the
// project's <top>/.amux/config.toml (which overrides the user's). Throws
// ConfigError for a broken project config.
std::string isolation_repo(const std::string& dir, const Config& user_config);
// `dir` re-rooted into the worktree: <wt>/<dir relative to repo>, or the
// worktree itself when `dir` is not under `repo`.
std::string path_in_worktree(const WorktreeInfo& wt, const std::string& dir);

// New worktree <repo>/.amux/worktrees/<name'> on a new branch amux/<name'>
// from the current HEAD, where name' is `name` made safe for a branch and
// suffixed -2, -3, … when taken. Adds "/.amux/worktrees/" to the
// repository's info/exclude so it does not show as untracked (the rest of
// .amux/, the project's config.toml and agents.toml, stays visible to git
// so it can be committed). Throws WorktreeError.
WorktreeInfo create_worktree(const std::string& repo_root, const std::string& name);

// The worktree at `path` when amux made it: under <repo>/.amux/worktrees/,
// registered with git, checked out on an amux/ branch. nullopt otherwise.
std::optional<WorktreeInfo> amux_worktree_at(const std::string& path);

struct WorktreeStatus {
  bool exists = false;        // registered with git and present on disk
  bool owned = false;         // made by amux (see amux_worktree_at)
  bool dirty = false;         // uncommitted changes or untracked files
  int unique_commits = 0;     // commits on its branch that no other branch or remote has
  std::string summary;        // one line, e.g. "2 changed files, 1 unpushed commit"
};
WorktreeStatus worktree_status(const WorktreeInfo& wt);

struct RemoveResult {
  bool removed = false;
  std::string kept_path;        // set when kept
  std::string discard_command;  // a shell command that would discard it (when kept)
  std::string message;          // one line for the user
};
// Remove a clean amux-made worktree and its branch. A dirty one, or one
// with unique commits, is kept unless `discard`. A worktree amux did not
// make is never touched (removed = false, message says why).
RemoveResult remove_worktree(const WorktreeInfo& wt, bool discard);

}  // namespace amux::mux
