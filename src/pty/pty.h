// pty.h — a child process on its own pseudo-terminal.
//
// Why: every session runs its program on a real PTY with its own session and
// controlling tty, as a terminal would give it. libuv's uv_spawn cannot set a
// controlling tty, so this uses forkpty. The layer knows nothing of amux's
// sessions: it spawns, resizes, signals and reaps one child, and owns the
// master fd (RAII). Errors follow one rule: operations return 0 or -errno;
// Pty::spawn throws PtyError, because there is no object without a child.
#pragma once

#include <sys/types.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "pty/unique_fd.h"

namespace amux::pty {

struct PtyError : std::runtime_error {
  PtyError(const std::string& what, int err) : std::runtime_error(what), error(err) {}
  int error;  // errno value
};

// How a child ended.
struct ExitStatus {
  bool signaled = false;
  int code = 0;    // exit code when !signaled
  int signal = 0;  // signal number when signaled
  // Shell-style code: code, or 128 + signal.
  int shell_code() const { return signaled ? 128 + signal : code; }
  bool success() const { return !signaled && code == 0; }
  // "exit 3", "SIGKILL (137)", "exit 0".
  std::string describe() const;
};

// Decode a waitpid() status word.
ExitStatus exit_status_from_wait(int wstatus);

struct SpawnOptions {
  std::vector<std::string> argv;               // argv[0] looked up in PATH
  std::string cwd;                             // empty: inherit
  std::vector<std::string> env;                // "K=V" entries; empty: inherit environ
  std::vector<std::string> env_overrides;      // "K=V" applied on top of env/environ
  int rows = 50;
  int cols = 200;
};

class Pty {
 public:
  // Fork a child on a new PTY (forkpty): new session, controlling tty, cwd,
  // environment, default signal dispositions and mask; exec argv or
  // _exit(127). The parent's master is non-blocking and close-on-exec.
  // Throws PtyError when the PTY cannot be made or the fork fails. A failed
  // exec shows up as exit code 127 (with a message written to the PTY).
  static Pty spawn(const SpawnOptions& opts);

  Pty(Pty&& other) noexcept;
  Pty& operator=(Pty&& other) noexcept;
  Pty(const Pty&) = delete;
  Pty& operator=(const Pty&) = delete;
  // Closes the master. If the child has not been reaped, sends SIGHUP to its
  // process group and reaps it without blocking (a zombie left behind is
  // reaped by a later try_wait of nobody, so callers should wait first).
  ~Pty();

  int master_fd() const { return master_.get(); }
  pid_t pid() const { return pid_; }
  const std::string& slave_path() const { return slave_path_; }
  int rows() const { return rows_; }
  int cols() const { return cols_; }

  // TIOCSWINSZ on the master, then SIGWINCH to the foreground process group.
  int resize(int rows, int cols);
  // kill(-pgid, sig) for the child's process group (its session).
  int signal_group(int sig);
  // Foreground process group of the terminal (tcgetpgrp on the master), or -errno.
  pid_t foreground_pgid() const;

  // waitpid(pid, WNOHANG): the status once the child is gone, else nullopt.
  // After it returned a status once, it keeps returning the same one.
  std::optional<ExitStatus> try_wait();
  // Blocking waitpid.
  ExitStatus wait();
  bool reaped() const { return status_.has_value(); }

  // Read what is available right now into out (appending); returns bytes
  // read, 0 when nothing is pending, or -errno. EIO means the slave side is
  // closed for good (the end of output).
  ssize_t read_available(std::string& out);
  // Write all of data (blocking briefly on EAGAIN via poll). Returns 0 or -errno.
  int write_all(std::string_view data);
  // Close the master now (idempotent).
  void close_master();

 private:
  Pty() = default;
  UniqueFd master_;
  pid_t pid_ = -1;
  std::string slave_path_;
  int rows_ = 0, cols_ = 0;
  std::optional<ExitStatus> status_;
};

// Name of a signal, e.g. "SIGKILL"; "SIG<n>" when unknown.
std::string signal_name(int sig);

}  // namespace amux::pty
