// uv_conn.h — one framed connection on a libuv unix-socket stream.
//
// Why: the supervisor (and its subscriptions to hosts) speak the frame
// protocol over many connections at once; this owns one uv_pipe_t, decodes
// frames, queues writes and closes cleanly. Errors in the stream (malformed
// or oversized frames, EOF) end only this connection.
//
// Lifetime: the libuv handles (the pipe and its handshake timer) live in a
// block of their own that only the close callback frees, so the UvConn
// object may be destroyed at any time — even from its own on_close, or while
// libuv still holds the handle — without a use-after-free: destroying an open
// connection closes it (no callback runs then). close() is the one close
// path: idempotent, and on_close runs exactly once, from libuv's close
// callback.
//
// Bounds: a write queue past `set_queue_limit` closes the connection ("does
// not read"); streams that drop and resync watch queued_bytes() and hear of
// the drain (`set_on_drain`); a connection that has not finished its
// handshake when `arm_timeout` expires is closed.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <uv.h>

#include "mux/wire/protocol.h"

namespace amux::mux {

class UvConn {
 public:
  using FrameFn = std::function<void(UvConn&, Frame&)>;
  using CloseFn = std::function<void(UvConn&, const std::string& reason)>;

  explicit UvConn(uv_loop_t* loop, size_t max_frame = kMaxFrame);
  ~UvConn();
  UvConn(const UvConn&) = delete;
  UvConn& operator=(const UvConn&) = delete;

  // Accept a pending connection from `server`; checks the peer's uid.
  // Returns "" or the reason (the owner then closes the connection).
  std::string accept_from(uv_stream_t* server);
  // Connect to a socket path; `done("")` once connected, else with the error.
  // `done` does not run once the connection is closed or destroyed.
  void connect(const std::string& path, std::function<void(const std::string&)> done);

  void start(FrameFn on_frame, CloseFn on_close);
  // Queue a frame. Returns false when it was not queued (closing, or the
  // queue was over its limit: then the connection is closed).
  bool send(MsgType t, std::string_view payload);
  bool send_json(MsgType t, const nlohmann::json& j) { return send(t, j.dump()); }
  // Close (idempotent). on_close runs once the handle is closed.
  void close(const std::string& reason = "");
  bool closing() const { return closing_; }
  size_t queued_bytes() const;

  // Past `bytes` queued, the next send() does not queue: the connection is
  // closed ("does not read"). 0: no limit. Streams that drop and resync
  // check queued_bytes() themselves and use on_drain, which runs each time
  // the queue becomes empty.
  void set_queue_limit(size_t bytes) { queue_limit_ = bytes; }
  void set_on_drain(std::function<void(UvConn&)> fn) { on_drain_ = std::move(fn); }
  // Close the connection with `reason` unless disarm_timeout() runs within ms.
  void arm_timeout(uint64_t ms, const std::string& reason);
  void disarm_timeout();

  // Free slots for the owner.
  bool hello_done = false;
  std::string tag;  // e.g. a session id for host subscriptions
  nlohmann::json user;

 private:
  struct Handles;
  static void on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* b);
  static void on_handle_closed(uv_handle_t* h);
  void notify_drained();
  std::unique_ptr<Handles> owned_;  // while open; handed to libuv on close
  Handles* h_ = nullptr;            // valid until the close callback
  std::function<void(const std::string&)> connect_done_;
  FrameDecoder dec_;
  FrameFn on_frame_;
  CloseFn on_close_;
  std::function<void(UvConn&)> on_drain_;
  size_t queue_limit_ = 0;
  bool closing_ = false;
  std::string close_reason_;
  std::string timeout_reason_;
};

}  // namespace amux::mux
