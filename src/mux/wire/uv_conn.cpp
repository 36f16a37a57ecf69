// uv_conn.cpp — see uv_conn.h.
#include "mux/wire/uv_conn.h"

#include <sys/socket.h>
#include <unistd.h>

namespace amux::mux {

// The libuv side of a connection: freed by the last close callback, never
// before, whatever happened to the UvConn meanwhile (owner is then null).
struct UvConn::Handles {
  uv_pipe_t pipe{};
  uv_timer_t timer{};
  uv_connect_t connect_req{};
  UvConn* owner = nullptr;
  int open = 0;  // handles whose close callback has not run yet
  std::string read_buf;
};

namespace {
struct WriteReq {
  uv_write_t req{};
  std::string data;
};

uv_handle_t* as_handle(uv_pipe_t* p) { return reinterpret_cast<uv_handle_t*>(p); }
uv_stream_t* as_stream(uv_pipe_t* p) { return reinterpret_cast<uv_stream_t*>(p); }
}  // namespace

UvConn::UvConn(uv_loop_t* loop, size_t max_frame) : owned_(std::make_unique<Handles>()), dec_(max_frame) {
  h_ = owned_.get();
  h_->owner = this;
  uv_pipe_init(loop, &h_->pipe, 0);
  h_->pipe.data = h_;
  uv_timer_init(loop, &h_->timer);
  h_->timer.data = h_;
  h_->open = 2;
}

UvConn::~UvConn() {
  if (!h_) return;          // already closed
  h_->owner = nullptr;      // no callback reaches this object any more
  if (!closing_) {
    closing_ = true;
    (void)owned_.release();  // on_handle_closed frees it
    uv_close(as_handle(&h_->pipe), &UvConn::on_handle_closed);
    uv_close(reinterpret_cast<uv_handle_t*>(&h_->timer), &UvConn::on_handle_closed);
  }
}

void UvConn::on_handle_closed(uv_handle_t* h) {
  auto* hs = static_cast<Handles*>(h->data);
  if (--hs->open > 0) return;
  std::unique_ptr<Handles> own(hs);
  UvConn* c = hs->owner;
  if (!c) return;
  c->h_ = nullptr;
  CloseFn cb = c->on_close_;  // the callback may destroy c
  std::string reason = c->close_reason_;
  if (cb) cb(*c, reason);
}

std::string UvConn::accept_from(uv_stream_t* server) {
  if (closing_) return "closed";
  if (int r = uv_accept(server, as_stream(&h_->pipe)); r != 0) return std::string("accept: ") + uv_strerror(r);
  uv_os_fd_t fd;
  uv_fileno(as_handle(&h_->pipe), &fd);
  struct ucred cred {};
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
    return "cannot read peer credentials";
  if (cred.uid != getuid())
    return "refused connection from uid " + std::to_string(cred.uid);
  return "";
}

void UvConn::connect(const std::string& path, std::function<void(const std::string&)> done) {
  if (closing_) return;
  connect_done_ = std::move(done);
  h_->connect_req.data = h_;
  uv_pipe_connect(&h_->connect_req, &h_->pipe, path.c_str(), [](uv_connect_t* req, int status) {
    UvConn* c = static_cast<Handles*>(req->data)->owner;
    if (!c || c->closing_) return;  // closed meanwhile (status is UV_ECANCELED)
    auto cb = std::move(c->connect_done_);
    if (cb) cb(status == 0 ? "" : std::string("connect: ") + uv_strerror(status));
  });
}

void UvConn::start(FrameFn on_frame, CloseFn on_close) {
  on_frame_ = std::move(on_frame);
  on_close_ = std::move(on_close);
  if (closing_) return;
  uv_read_start(
      as_stream(&h_->pipe),
      [](uv_handle_t* h, size_t, uv_buf_t* b) {
        auto* hs = static_cast<Handles*>(h->data);
        hs->read_buf.resize(65536);
        *b = uv_buf_init(hs->read_buf.data(), unsigned(hs->read_buf.size()));
      },
      &UvConn::on_read);
}

void UvConn::on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* b) {
  auto* hs = static_cast<Handles*>(s->data);
  UvConn* c = hs->owner;
  if (!c || c->closing_) return;
  if (n < 0) {
    c->close(n == UV_EOF ? "closed by peer" : uv_strerror(int(n)));
    return;
  }
  c->dec_.append(std::string_view(b->base, size_t(n)));
  try {
    // The frame callback may close or even destroy the connection.
    while ((c = hs->owner) && !c->closing_) {
      auto f = c->dec_.next();
      if (!f) break;
      FrameFn fn = c->on_frame_;
      if (fn) fn(*c, *f);
    }
  } catch (const std::exception& e) {
    if ((c = hs->owner)) c->close(std::string("bad frame: ") + e.what());
  }
}

bool UvConn::send(MsgType t, std::string_view payload) {
  if (closing_) return false;
  if (queue_limit_ && queued_bytes() > queue_limit_) {
    close("does not read (" + std::to_string(queued_bytes()) + " bytes queued)");
    return false;
  }
  auto w = std::make_unique<WriteReq>();
  try {
    w->data = encode_frame(t, payload);
  } catch (const std::exception& e) {
    close(e.what());
    return false;
  }
  uv_buf_t buf = uv_buf_init(w->data.data(), unsigned(w->data.size()));
  w->req.data = w.get();
  int r = uv_write(&w->req, as_stream(&h_->pipe), &buf, 1, [](uv_write_t* req, int status) {
    std::unique_ptr<WriteReq> owned(static_cast<WriteReq*>(req->data));
    // Write callbacks run before the close callback: the handles are alive.
    auto* hs = static_cast<Handles*>(req->handle->data);
    UvConn* c = hs->owner;
    if (!c || c->closing_) return;
    if (status < 0) { c->close(std::string("write: ") + uv_strerror(status)); return; }
    if (uv_stream_get_write_queue_size(req->handle) == 0) c->notify_drained();
  });
  if (r != 0) {
    close(std::string("write: ") + uv_strerror(r));
    return false;
  }
  (void)w.release();
  return true;
}

void UvConn::notify_drained() {
  if (!on_drain_) return;
  auto fn = on_drain_;
  fn(*this);
}

void UvConn::close(const std::string& reason) {
  if (closing_) return;
  closing_ = true;
  close_reason_ = reason;
  (void)owned_.release();  // on_handle_closed frees it
  uv_close(as_handle(&h_->pipe), &UvConn::on_handle_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&h_->timer), &UvConn::on_handle_closed);
}

size_t UvConn::queued_bytes() const {
  if (!h_ || closing_) return 0;
  return uv_stream_get_write_queue_size(reinterpret_cast<const uv_stream_t*>(&h_->pipe));
}

void UvConn::arm_timeout(uint64_t ms, const std::string& reason) {
  if (closing_) return;
  timeout_reason_ = reason;
  uv_timer_start(&h_->timer, [](uv_timer_t* t) {
    UvConn* c = static_cast<Handles*>(t->data)->owner;
    if (c && !c->closing_) c->close(c->timeout_reason_);
  }, ms, 0);
}

void UvConn::disarm_timeout() {
  if (!closing_) uv_timer_stop(&h_->timer);
}

}  // namespace amux::mux
