// ssh_run.h — run one ssh command to its end for a client command, with the
// person's terminal.
//
// Why: `amux logs build:…`, `attach`, `reply` … run the remote amux with
// the same arguments; its output streams straight to this terminal (and
// `attach` needs the terminal itself), while ssh's own complaints are kept
// so they become one clear line. Client commands only: this waits.
#pragma once

#include <string>
#include <vector>

namespace amux::mux {

struct SshRunResult {
  int exit_code = -1;  // the process's exit status; 128+N for a signal N
  std::string out;     // stdout, when captured
  std::string err;     // stderr (last 64 KiB)
  std::string error;   // could not start it
};

enum class SshStdin { Null, Inherit };

// Run argv (looked up on PATH). stdout goes to this process's stdout unless
// capture_out; stderr is captured; stdin is /dev/null or this process's.
SshRunResult run_ssh(const std::vector<std::string>& argv, bool capture_out, SshStdin in = SshStdin::Null);

}  // namespace amux::mux
