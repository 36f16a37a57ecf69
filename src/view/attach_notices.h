// attach_notices.h — an attached client tells the person when another
// session needs them or finished (the agent view does the same on its own).
//
// Why: a person attached to one session does not see the list; when
// another one becomes blocked or finishes and nobody is attached to it,
// this client emits one notification for that change (attention.h decides,
// notify_out.h says how), from the supervisor's watch events on the attach
// loop — nothing is polled. The session this client shows is never
// announced (the person is looking at it).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <uv.h>

#include "mux/store/config.h"
#include "mux/store/paths.h"
#include "view/attention.h"
#include "view/link.h"

namespace amux::view {

class AttachNotices {
 public:
  // `timer` belongs to the caller's loop (closed with it); `emit` writes
  // bytes to the person's terminal. Destroy this before the loop's handles
  // are closed.
  AttachNotices(uv_loop_t* loop, uv_timer_t* timer, const mux::Paths& paths, std::string own_id,
                std::function<void(const std::string&)> emit);
  ~AttachNotices();
  AttachNotices(const AttachNotices&) = delete;
  AttachNotices& operator=(const AttachNotices&) = delete;

 private:
  void on_frame(mux::Frame& f);
  void on_due();
  void arm();

  uv_timer_t* timer_;
  std::string own_id_;
  std::function<void(const std::string&)> emit_;
  mux::Config config_;
  Attention attention_;
  int answers_ = 0;  // Responses seen (watch, then list)
  std::unique_ptr<Link> link_;
};

}  // namespace amux::view
