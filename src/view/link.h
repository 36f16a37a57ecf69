// link.h — a client connection from the agent view to an amux socket (the
// supervisor's control socket or a session host), on the view's libuv loop.
//
// Why: the view holds many connections at once (its supervisor watch, one
// per live tile, short requests) and must never block on any of them. A
// Link wraps mux::UvConn with the Hello/Welcome handshake, queues frames
// until the handshake is done, and may be destroyed at any time: the
// underlying handle is closed and freed later by libuv, and no callback
// runs after the Link is gone.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>
#include <uv.h>

#include "mux/wire/protocol.h"

namespace amux::view {

class Link {
 public:
  using FrameFn = std::function<void(mux::Frame&)>;
  // Called once when the connection ends for any reason (not after ~Link).
  using CloseFn = std::function<void(const std::string& reason)>;

  Link(uv_loop_t* loop, const std::string& socket_path, FrameFn on_frame, CloseFn on_close);
  ~Link();
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  // Sent once the handshake is done (queued until then).
  void send_json(mux::MsgType t, const nlohmann::json& j);
  bool ready() const;    // handshake done
  bool closed() const;
  size_t queued_bytes() const;

 private:
  struct State;
  std::shared_ptr<State> st_;
};

// One request on its own connection; `done` gets the Response, or
// {"ok":false,"error":…} when the socket cannot be reached. Owned by the
// loop until it finishes: the caller keeps nothing.
void async_request(uv_loop_t* loop, const std::string& socket_path, const nlohmann::json& req,
                   std::function<void(const nlohmann::json&)> done);

}  // namespace amux::view
