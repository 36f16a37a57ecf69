// uv_conn.cpp — see uv_conn.h.
#include "mux/uv_conn.h"

#include <sys/socket.h>
#include <unistd.h>

namespace amux::mux {
namespace {
struct WriteReq {
  uv_write_t req{};
  std::string data;
};
}  // namespace

UvConn::UvConn(uv_loop_t* loop, size_t max_frame) : dec_(max_frame) {
  uv_pipe_init(loop, &pipe_, 0);
  pipe_.data = this;
  handle_open_ = true;
}

UvConn::~UvConn() {
  // The owner destroys us only after on_close (handle closed) — or before the
  // loop runs again when start() was never called; close without callback.
  if (handle_open_ && !uv_is_closing(reinterpret_cast<uv_handle_t*>(&pipe_))) {
    pipe_.data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&pipe_), nullptr);
  }
}

std::string UvConn::accept_from(uv_stream_t* server) {
  if (int r = uv_accept(server, reinterpret_cast<uv_stream_t*>(&pipe_)); r != 0)
    return std::string("accept: ") + uv_strerror(r);
  uv_os_fd_t fd;
  uv_fileno(reinterpret_cast<uv_handle_t*>(&pipe_), &fd);
  struct ucred cred {};
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
    return "cannot read peer credentials";
  if (cred.uid != getuid())
    return "refused connection from uid " + std::to_string(cred.uid);
  return "";
}

void UvConn::connect(const std::string& path, std::function<void(const std::string&)> done) {
  connect_done_ = std::move(done);
  connect_req_.data = this;
  uv_pipe_connect(&connect_req_, &pipe_, path.c_str(), [](uv_connect_t* req, int status) {
    auto* c = static_cast<UvConn*>(req->data);
    auto cb = std::move(c->connect_done_);
    if (cb) cb(status == 0 ? "" : std::string("connect: ") + uv_strerror(status));
  });
}

void UvConn::start(FrameFn on_frame, CloseFn on_close) {
  on_frame_ = std::move(on_frame);
  on_close_ = std::move(on_close);
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&pipe_),
      [](uv_handle_t* h, size_t, uv_buf_t* b) {
        auto* c = static_cast<UvConn*>(h->data);
        c->read_buf_.resize(65536);
        *b = uv_buf_init(c->read_buf_.data(), unsigned(c->read_buf_.size()));
      },
      &UvConn::on_read);
}

void UvConn::on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* b) {
  auto* c = static_cast<UvConn*>(s->data);
  if (!c || c->closing_) return;
  if (n < 0) {
    c->close(n == UV_EOF ? "closed by peer" : uv_strerror(int(n)));
    return;
  }
  c->dec_.append(std::string_view(b->base, size_t(n)));
  try {
    while (!c->closing_) {
      auto f = c->dec_.next();
      if (!f) break;
      c->on_frame_(*c, *f);
    }
  } catch (const std::exception& e) {
    c->close(std::string("bad frame: ") + e.what());
  }
}

void UvConn::send(MsgType t, std::string_view payload) {
  if (closing_) return;
  auto w = std::make_unique<WriteReq>();
  try {
    w->data = encode_frame(t, payload);
  } catch (const std::exception& e) {
    close(e.what());
    return;
  }
  uv_buf_t buf = uv_buf_init(w->data.data(), unsigned(w->data.size()));
  w->req.data = w.get();
  int r = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&pipe_), &buf, 1, [](uv_write_t* req, int) {
    std::unique_ptr<WriteReq> owned(static_cast<WriteReq*>(req->data));
  });
  if (r == 0) (void)w.release();
  else close(std::string("write: ") + uv_strerror(r));
}

void UvConn::close(const std::string& reason) {
  if (closing_) return;
  closing_ = true;
  close_reason_ = reason;
  uv_close(reinterpret_cast<uv_handle_t*>(&pipe_), [](uv_handle_t* h) {
    auto* c = static_cast<UvConn*>(h->data);
    if (!c) return;
    c->handle_open_ = false;
    if (c->on_close_) {
      auto cb = c->on_close_;
      cb(*c, c->close_reason_);  // may destroy c
    }
  });
}

size_t UvConn::queued_bytes() const {
  return uv_stream_get_write_queue_size(reinterpret_cast<const uv_stream_t*>(&pipe_));
}

}  // namespace amux::mux
