// host_connections.cpp — accepting clients, the Hello deadline, reading frames.
//
// Why: every connection to <socket dir>/<id>.sock is checked (SO_PEERCRED:
// same uid only), must say Hello within 5 s, and then sends size-limited
// frames: requests (host_requests.cpp), Attach/Resize/Detach/Input
// (host_attach.cpp). A malformed frame closes only that connection; each
// connection is one Conn, freed when its last handle has closed.
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

#include "mux/host/host_impl.h"

namespace amux::mux {

using namespace host_detail;

// Clients read into the host's one read buffer too (see on_pty_alloc).
void SessionHost::Impl::on_conn_alloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  *buf = uv_buf_init(static_cast<Conn*>(h->data)->host->read_buf.get(), unsigned(kReadBufSize));
}

void SessionHost::Impl::on_connection(uv_stream_t* server, int status) {
  Impl* h = self(server);
  if (status < 0) {
    h->log(std::string("accept: ") + uv_strerror(status));
    return;
  }
  auto c = std::make_unique<Conn>();
  c->host = h;
  uv_pipe_init(h->loop, &c->pipe, 1);  // ipc: Attach may carry a terminal fd
  c->pipe.data = c.get();
  ++h->open_handles;
  Conn* cp = c.get();
  h->conns.push_back(std::move(c));
  if (uv_accept(server, reinterpret_cast<uv_stream_t*>(&cp->pipe)) < 0) {
    h->close_conn(cp, false);
    return;
  }
  uv_os_fd_t fd;
  ucred cred{};
  socklen_t len = sizeof cred;
  if (uv_fileno(reinterpret_cast<uv_handle_t*>(&cp->pipe), &fd) < 0 ||
      ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != ::getuid()) {
    h->log("refused a connection from uid " + std::to_string(cred.uid));
    h->close_conn(cp, false);
    return;
  }
  uv_read_start(reinterpret_cast<uv_stream_t*>(&cp->pipe), on_conn_alloc, on_conn_read);
  cp->accepted_ms = uv_now(h->loop);
  h->schedule_hello_check();
}

// Close connections that have not said Hello within kHelloTimeoutMs (a
// silent connection would be kept forever); one timer for all of them.
void SessionHost::Impl::schedule_hello_check() {
  if (closed_all) return;
  const uint64_t now = uv_now(loop);
  uint64_t next = ~uint64_t(0);
  for (auto& c : conns) {
    if (c->greeted || c->closing) continue;
    uint64_t due = c->accepted_ms + kHelloTimeoutMs;
    next = std::min(next, due > now ? due - now : 0);
  }
  if (next == ~uint64_t(0)) {
    uv_timer_stop(&hello_timer);
    return;
  }
  uv_timer_start(&hello_timer, [](uv_timer_t* t) { self(t)->on_hello_check(); }, next, 0);
}

void SessionHost::Impl::on_hello_check() {
  const uint64_t now = uv_now(loop);
  std::vector<Conn*> late;
  for (auto& c : conns)
    if (!c->greeted && !c->closing && now >= c->accepted_ms + kHelloTimeoutMs) late.push_back(c.get());
  for (Conn* c : late) {
    log("closing a connection that said nothing for " + std::to_string(kHelloTimeoutMs / 1000) + " s");
    close_conn(c, false);
  }
  schedule_hello_check();
}

void SessionHost::Impl::on_conn_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  Conn* c = static_cast<Conn*>(s->data);
  Impl* h = c->host;
  if (n < 0) {
    h->close_conn(c, false);
    return;
  }
  if (n == 0 || c->closing) return;
  c->dec.append(std::string_view(buf->base, size_t(n)));
  try {
    while (!c->closing) {
      auto f = c->dec.next();
      if (!f) break;
      h->on_frame(c, *f);
    }
    // Only Attach may carry a file descriptor (closing the pipe closes any
    // left pending).
    if (!c->closing && uv_pipe_pending_count(&c->pipe) > 0)
      h->fail_conn(c, "a file descriptor came without Attach");
  } catch (const std::exception& e) {
    h->log(std::string("closing a connection: ") + e.what());
    h->close_conn(c, false);
  }
}

// Close one connection. flush: let queued frames reach the peer first.
void SessionHost::Impl::close_conn(Conn* c, bool flush) {
  if (c->closing) return;
  c->closing = true;
  c->following = false;
  stop_waiters.erase(std::remove(stop_waiters.begin(), stop_waiters.end(), c),
                     stop_waiters.end());
  if (c->attached) detach(c);
  close_tty(c);
  auto* stream = reinterpret_cast<uv_stream_t*>(&c->pipe);
  uv_read_stop(stream);
  if (flush && queue_size(c) > 0) {
    auto req = std::make_unique<uv_shutdown_t>();
    if (uv_shutdown(req.get(), stream, [](uv_shutdown_t* r, int) {
          std::unique_ptr<uv_shutdown_t> own(r);
          auto* hd = reinterpret_cast<uv_handle_t*>(r->handle);
          if (!uv_is_closing(hd)) uv_close(hd, on_conn_closed);
        }) == 0) {
      req.release();
      return;
    }
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&c->pipe), on_conn_closed);
}

// Close callback of both handles of a connection (pipe, tty): the last
// one frees it.
void SessionHost::Impl::on_conn_closed(uv_handle_t* hd) {
  Conn* c = static_cast<Conn*>(hd->data);
  Impl* h = c->host;
  --h->open_handles;
  if (--c->handles > 0) return;  // its other handle is still closing
  auto it = std::find_if(h->conns.begin(), h->conns.end(),
                         [c](const std::unique_ptr<Conn>& p) { return p.get() == c; });
  if (it != h->conns.end()) h->conns.erase(it);
  // What it held (frame buffers, its screen's shadow) is free now: handed
  // back with the next output, or by the probe's trim if none comes.
  h->heap_spare = true;
  h->trim_due = true;
}

void SessionHost::Impl::fail_conn(Conn* c, const std::string& err) {
  log("closing a connection: " + err);
  send_json(c, MsgType::Error, {{"error", err}});
  close_conn(c, true);
}

void SessionHost::Impl::on_frame(Conn* c, const Frame& f) {
  if (!c->greeted) {
    if (f.type != MsgType::Hello)
      return fail_conn(c, std::string("expected Hello, got ") + msg_type_name(f.type));
    if (std::string err = check_hello(f.json()); !err.empty()) return fail_conn(c, err);
    c->greeted = true;
    send_json(c, MsgType::Welcome,
              {{"proto", kProtocolVersion},
               {"server", "host"},
               {"id", rec.id},
               {"pid", int(::getpid())}});
    return;
  }
  switch (f.type) {
    case MsgType::Request: return on_request(c, f.json());
    case MsgType::Attach: return on_attach(c, f.json());
    case MsgType::Resize: return on_resize(c, f.json());
    case MsgType::Detach:
      if (c->attached) detach(c);
      if (c->tty_open) {
        // The client restores its terminal once told that no frame can
        // reach it any more.
        close_tty(c);
        respond(c, {{"ok", true}, {"detached", true}});
      }
      return;
    case MsgType::Input:
      if (f.payload.size() > kMaxInputFrame)
        throw ProtocolError("Input frame of " + std::to_string(f.payload.size()) +
                            " bytes exceeds the limit");
      client_keys(c, f.payload);
      return;
    default:
      throw ProtocolError(std::string("unexpected ") + msg_type_name(f.type) + " frame");
  }
}

}  // namespace amux::mux
