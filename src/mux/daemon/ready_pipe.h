// ready_pipe.h — wait on a libuv loop for a started process's ready line.
//
// Why: the supervisor starts session hosts while it serves everyone else;
// a host that takes seconds to start (or never answers) must not stall the
// loop. This reads the host's ready pipe (host_launcher.h) with a uv_pipe
// and gives up after a timeout on a uv_timer. One owner (the supervisor's
// table) and one close path: close() closes both handles, and `closed`
// runs once libuv is done with them, so the owner frees it there.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>

#include "pty/unique_fd.h"

namespace amux::mux {

class ReadyPipe {
 public:
  // answer: what the process wrote up to its first newline (or until EOF);
  // timed_out: nothing came within the timeout.
  using Done = std::function<void(const std::string& answer, bool timed_out)>;
  using Closed = std::function<void(ReadyPipe*)>;

  // Takes `fd` (the read end); `done` runs once, then the handles close.
  ReadyPipe(uv_loop_t* loop, int fd, uint64_t timeout_ms, Done done, Closed closed);
  ~ReadyPipe();
  ReadyPipe(const ReadyPipe&) = delete;
  ReadyPipe& operator=(const ReadyPipe&) = delete;

  // Starts reading; "" or an error (the fd is closed then; call close()).
  std::string start();
  // Closes both handles once (idempotent); `closed` follows.
  void close();

 private:
  void finish(bool timed_out);
  static void on_closed(uv_handle_t* h);

  uv_loop_t* loop_;
  pty::UniqueFd fd_;  // until the pipe handle takes it
  uint64_t timeout_ms_;
  Done done_;
  Closed closed_;
  uv_pipe_t pipe_{};
  uv_timer_t timer_{};
  bool closing_ = false;
  int open_handles_ = 0;
  std::string answer_;
  char buf_[256];
};

}  // namespace amux::mux
