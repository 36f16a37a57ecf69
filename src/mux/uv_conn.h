// uv_conn.h — one framed connection on a libuv unix-socket stream.
//
// Why: the supervisor (and its subscriptions to hosts) speak the frame
// protocol over many connections at once; this owns one uv_pipe_t, decodes
// frames, queues writes and closes cleanly. Errors in the stream (malformed
// or oversized frames, EOF) end only this connection. Ownership: the owner
// keeps the unique_ptr; on_close runs from uv_close's callback, after which
// the owner may destroy the object.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <uv.h>

#include "mux/protocol.h"

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
  // Returns "" or the reason (the connection is then closed).
  std::string accept_from(uv_stream_t* server);
  // Connect to a socket path; `done("")` once connected, else with the error.
  void connect(const std::string& path, std::function<void(const std::string&)> done);

  void start(FrameFn on_frame, CloseFn on_close);
  void send(MsgType t, std::string_view payload);
  void send_json(MsgType t, const nlohmann::json& j) { send(t, j.dump()); }
  // Close (idempotent). on_close runs once the handle is closed.
  void close(const std::string& reason = "");
  bool closing() const { return closing_; }
  size_t queued_bytes() const;

  // Free slots for the owner.
  bool hello_done = false;
  std::string tag;  // e.g. a session id for host subscriptions
  nlohmann::json user;

 private:
  static void on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* b);
  uv_pipe_t pipe_{};
  uv_connect_t connect_req_{};
  std::function<void(const std::string&)> connect_done_;
  FrameDecoder dec_;
  FrameFn on_frame_;
  CloseFn on_close_;
  bool closing_ = false;
  bool handle_open_ = false;
  std::string close_reason_;
  std::string read_buf_;
};

}  // namespace amux::mux
