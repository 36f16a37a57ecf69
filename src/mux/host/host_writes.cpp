// host_writes.cpp — queued writes to clients and the PTY, with backpressure.
//
// Why: nothing the host writes may block its loop or grow without bound.
// A write goes out at once when nothing is queued, else it is queued with
// its bytes owned until libuv is done. A client that falls behind on frames
// or events is skipped and resynced once its queue drains (on_write); a
// client that asks without reading its replies is let go.
#include <memory>

#include "mux/host/host_impl.h"

namespace amux::mux {

using namespace host_detail;

void SessionHost::Impl::write_stream(uv_stream_t* stream, std::string data, Conn* conn) {
  // Nothing queued: write at once (uv_write would also arm and disarm
  // POLLOUT, two epoll_ctl calls per key echo); queue only what is left.
  if (uv_stream_get_write_queue_size(stream) == 0) {
    uv_buf_t b = uv_buf_init(data.data(), unsigned(data.size()));
    int n = uv_try_write(stream, &b, 1);
    if (n == int(data.size())) return;
    if (n > 0) data.erase(0, size_t(n));
    else if (n != UV_EAGAIN) {
      if (conn) close_conn(conn, false);
      else log(std::string("cannot write to the terminal: ") + uv_strerror(n));
      return;
    }
  }
  auto w = std::make_unique<WriteReq>();
  w->data = std::move(data);
  w->conn = conn;
  w->req.data = w.get();
  uv_buf_t buf = uv_buf_init(w->data.data(), unsigned(w->data.size()));
  int rc = uv_write(&w->req, stream, &buf, 1, on_write);
  if (rc < 0) {
    if (conn) close_conn(conn, false);
    else log(std::string("cannot write to the terminal: ") + uv_strerror(rc));
    return;
  }
  w.release();  // on_write owns it now
}

void SessionHost::Impl::on_write(uv_write_t* req, int status) {
  std::unique_ptr<WriteReq> w(static_cast<WriteReq*>(req->data));
  Conn* c = w->conn;
  if (!c) return;
  Impl* h = c->host;
  if (status < 0) {
    if (status != UV_ECANCELED) h->close_conn(c, false);
    return;
  }
  if (c->exited_pending && c->tty_open && h->out_queue_size(c) == 0) {
    c->exited_pending = false;
    h->send_json(c, MsgType::Exited, h->exit_summary());
  }
  if (c->behind && !c->closing && h->out_queue_size(c) <= h->opts.client_queue_limit)
    h->schedule_frame();
  if (c->sub_behind && !c->closing && h->queue_size(c) == 0) {
    c->sub_behind = false;
    h->send_json(c, MsgType::Event, {{"record", h->rec.to_json()}});
  }
}

size_t SessionHost::Impl::queue_size(Conn* c) const {
  return uv_stream_get_write_queue_size(reinterpret_cast<uv_stream_t*>(&c->pipe));
}

void SessionHost::Impl::send(Conn* c, MsgType t, std::string_view payload) {
  if (c->closing) return;
  // Frames and streamed events skip a client that falls behind (they are
  // resent from the screen); a reply cannot be skipped: a client that
  // asks without reading the answers is let go.
  if (t == MsgType::Response && queue_size(c) > kReplyQueueLimit) {
    log("closing a connection that does not read its replies (" + std::to_string(queue_size(c)) +
        " bytes queued)");
    close_conn(c, false);
    return;
  }
  std::string bytes;
  try {
    bytes = encode_frame(t, payload);
  } catch (const ProtocolError& e) {
    log(e.what());
    return;
  }
  write_stream(reinterpret_cast<uv_stream_t*>(&c->pipe), std::move(bytes), c);
}

void SessionHost::Impl::send_json(Conn* c, MsgType t, const json& j) {
  send(c, t, j.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace amux::mux
