// worktree_diff.h — what a session changed in its worktree (`amux diff`,
// key `d` in the agent view).
//
// Why: a person reviewing an agent's work wants one diff: the commits it
// made and what it has not committed yet, new files included, against the
// commit its worktree started from. git shows it, with the person's own
// pager and colour settings; new files are added to a private copy of the
// index (GIT_INDEX_FILE), so the worktree's own index is never touched.
#pragma once

#include <string>

#include "mux/store/session_record.h"

namespace amux::mux {

// The commit the session's worktree started from: the recorded one, else
// where its branch was created (the branch's reflog); "" when neither.
std::string worktree_start_commit(const SessionRecord& r);

// Run `git diff` for the session on this terminal and wait for it (and its
// pager). Returns git's exit status, or -1 with *error set (no worktree,
// worktree gone, no start commit, git missing).
int run_worktree_diff(const SessionRecord& r, std::string* error);

}  // namespace amux::mux
