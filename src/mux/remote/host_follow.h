// host_follow.h — keep up with one host's sessions: `amux agents --json
// --all --follow` run there over its ssh master, restarted with backoff
// whenever it ends.
//
// Why: the agent view shows every configured host's rows live, without a
// server of its own: one long-running ssh call per host streams the remote
// supervisor's changes (the list, then one JSON object per change). When
// the host cannot be reached (refused, timeout, auth, remote amux missing
// or of another protocol) the owner hears why at once and the follower
// tries again 1, 2, 4 … 30 s later; nothing here ever blocks the loop.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>
#include <uv.h>

#include "mux/remote/ssh_call.h"
#include "mux/store/config.h"
#include "mux/store/paths.h"

namespace amux::mux {

class HostFollow {
 public:
  struct Callbacks {
    // The whole list (sessions tagged with "host").
    std::function<void(const nlohmann::json& sessions)> on_list;
    // One session changed (tagged), or one was removed (its id).
    std::function<void(const nlohmann::json& session)> on_session;
    std::function<void(const std::string& id)> on_removed;
    // The host went away or could not be reached: why, in one line.
    std::function<void(const std::string& reason)> on_down;
  };

  HostFollow(uv_loop_t* loop, const Paths& p, HostEntry host, Callbacks cb);
  ~HostFollow();
  HostFollow(const HostFollow&) = delete;
  HostFollow& operator=(const HostFollow&) = delete;

  void start();
  const HostEntry& host() const { return host_; }
  bool up() const { return up_; }
  // Try again now (a person asked), resetting the backoff.
  void retry_now();

  // The next wait after `tries` failures in a row, in ms (1 s doubling to 30 s).
  static uint64_t backoff_ms(int tries);

 private:
  void run();
  void on_line(std::string_view line);
  void on_end(const SshCallResult& r);

  uv_loop_t* loop_;
  const Paths& paths_;
  HostEntry host_;
  Callbacks cb_;
  std::unique_ptr<SshCall> call_;
  std::unique_ptr<uv_timer_t> timer_;  // freed by its close callback
  bool up_ = false;
  int tries_ = 0;
};

}  // namespace amux::mux
