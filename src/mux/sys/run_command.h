// run_command.h — run a helper program (git, mostly) to completion and
// capture what it printed.
//
// Why: worktrees and agent lookups need to ask other programs things. Doing
// it through a shell would evaluate paths and branch names; doing it with a
// bare fork in a process full of fds would leak them into the child. This
// spawns argv directly (no shell), with only fds 0-2 open in the child, in a
// working directory and an environment of the caller's choosing, and kills
// it (its whole process group) if it overruns a deadline.
#pragma once

#include <string>
#include <vector>

namespace amux::mux {

struct RunOptions {
  std::string cwd;                      // "" = the caller's
  std::vector<std::string> env;         // "K=V" added to (or replacing in) the caller's environment
  std::vector<std::string> unset_env;   // names removed from the child's environment
  int timeout_ms = 30000;               // <= 0: no deadline
  size_t max_output = 16u << 20;        // bytes kept per stream; the rest is read and dropped
};

struct RunResult {
  int exit_code = -1;       // exit status when the program exited
  int signal = 0;           // the signal that ended it, or 0
  bool timed_out = false;   // killed at the deadline
  std::string out, err;     // captured stdout, stderr
  std::string error;        // could not start it (one line), else ""

  bool ok() const { return error.empty() && !timed_out && signal == 0 && exit_code == 0; }
  // A one-line description of a failure: the error, or "exit N: <stderr's first line>".
  std::string failure() const;
};

// argv[0] is looked up on PATH (the PATH of the child's environment) unless
// it contains a '/'. stdin is /dev/null. Never throws for a failing program;
// a program that cannot be started sets `error`.
RunResult run_command(const std::vector<std::string>& argv, const RunOptions& opts = {});

// The absolute path of an executable `name` on `path_value` (a PATH string),
// or "" when none. A name with a '/' is checked as is.
std::string find_executable(const std::string& name, const std::string& path_value);
// The same over the current $PATH.
std::string find_executable(const std::string& name);

}  // namespace amux::mux
