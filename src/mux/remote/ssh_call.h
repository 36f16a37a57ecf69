// ssh_call.h — one ssh process on a libuv loop: its output as lines, its
// end as one callback, a deadline.
//
// Why: the agent view and `agents --json` talk to several hosts at once
// and must never wait on one: each call is a child process with pipes on
// the loop (uv_spawn), so a slow or dead host costs nothing but its own
// callback, and a deadline ends a call that hangs.
//
// Lifetime: the process and pipe handles live in a block of their own that
// only libuv's close callbacks free, so an SshCall may be destroyed at any
// time (even from its own callbacks): destroying a running call kills the
// process (SIGTERM) and no callback runs after that.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <uv.h>

namespace amux::mux {

struct SshCallResult {
  int exit_code = -1;      // the process's exit status (-1: killed or not started)
  int signal = 0;
  bool timed_out = false;  // ended by the deadline
  std::string out;         // stdout, when no line callback was given
  std::string err;         // stderr (its last 8 KiB)
  std::string error;       // could not start it
};

class SshCall {
 public:
  using LineFn = std::function<void(std::string_view line)>;
  using DoneFn = std::function<void(const SshCallResult&)>;

  SshCall() = default;
  ~SshCall();
  SshCall(const SshCall&) = delete;
  SshCall& operator=(const SshCall&) = delete;

  // Start argv (argv[0] looked up on PATH) with stdin from /dev/null. Each
  // stdout line goes to on_line when it is set (else stdout is kept in
  // `out`); `done` runs once, after the process ended and its pipes closed,
  // or at once with `error` set when it could not start. timeout_ms <= 0: no
  // deadline.
  void start(uv_loop_t* loop, const std::vector<std::string>& argv, LineFn on_line, DoneFn done,
             int timeout_ms);
  bool running() const { return h_ != nullptr; }
  // Kill the process (SIGTERM); `done` still runs, with timed_out false.
  void kill();

  struct Handles;  // libuv's handles and the call's state (ssh_call.cpp)

 private:
  Handles* h_ = nullptr;  // owned by libuv's close callbacks once started
};

}  // namespace amux::mux
