// supervisor.h — the per-user supervisor (`amux daemon run`).
//
// Why: background sessions are only trustworthy if something keeps their
// list, notices when one dies, restarts what must restart and removes what is
// finished — and can itself stop and come back without losing a session. The
// supervisor holds no PTY (hosts do), so it can restart at any time: on start
// it takes daemon.lock, adopts every live host from roster.json and the state
// files (pid + start time + socket), marks the rest failed ("host lost"), and
// serves control.sock. It watches each host over a subscription (state
// changes arrive as events; a closed connection means the host is gone),
// wakes only for its next reaping deadline, and exits when no session runs
// and no client has been connected for `idle_exit` seconds.
#pragma once

#include <memory>
#include <string>

#include <uv.h>

#include "mux/store/config.h"
#include "mux/store/paths.h"

namespace amux::mux {

struct SupervisorOptions {
  Paths paths;
  Config config;
  std::string origin = "transient";  // who started it (shown by daemon status)
  double idle_exit_seconds = 5;
  int ready_fd = -1;                 // "ok\n" / "error: …\n" once listening
};

class Supervisor {
 public:
  Supervisor(uv_loop_t* loop, SupervisorOptions opts);
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  std::string start();  // "" or a one-line error
  static int run_main(SupervisorOptions opts);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace amux::mux
