// ssh_call.cpp — see ssh_call.h.
#include "mux/remote/ssh_call.h"

#include <signal.h>

#include <cstring>

namespace amux::mux {

struct SshCall::Handles {
  uv_process_t proc{};
  uv_pipe_t out{}, err{};
  uv_timer_t timer{};
  SshCall* owner = nullptr;  // null once the SshCall let go
  LineFn on_line;
  DoneFn done;
  SshCallResult result;
  std::string partial;
  int open = 0;              // handles not yet closed
  int streams = 2;           // pipes not yet at EOF
  bool exited = false;
  bool finished = false;
  char buf[65536];           // libuv reads into it, then calls back at once

  static Handles* of(void* p) { return static_cast<Handles*>(p); }

  void close_all() {
    auto cb = [](uv_handle_t* hd) {
      Handles* h = of(hd->data);
      if (--h->open == 0) std::unique_ptr<Handles> free_it(h);
    };
    for (uv_handle_t* hd : {reinterpret_cast<uv_handle_t*>(&proc), reinterpret_cast<uv_handle_t*>(&out),
                            reinterpret_cast<uv_handle_t*>(&err), reinterpret_cast<uv_handle_t*>(&timer)})
      if (!uv_is_closing(hd)) uv_close(hd, cb);
  }

  // Both pipes at EOF and the process reaped: report once, then close.
  void maybe_finish() {
    if (finished || !exited || streams > 0) return;
    finished = true;
    if (!partial.empty() && on_line && owner) {
      std::string last = std::move(partial);
      on_line(last);
    }
    SshCall* o = owner;
    if (o) o->h_ = nullptr;
    owner = nullptr;
    DoneFn d = std::move(done);
    SshCallResult r = std::move(result);
    close_all();
    if (o && d) d(r);
  }

  void on_stdout(std::string_view data) {
    if (!on_line) {
      result.out.append(data);
      return;
    }
    partial.append(data);
    size_t start = 0;
    while (true) {
      size_t nl = partial.find('\n', start);
      if (nl == std::string::npos) break;
      std::string line = partial.substr(start, nl - start);
      start = nl + 1;
      if (!owner) return;
      on_line(line);
      if (!owner || finished) return;
    }
    partial.erase(0, start);
  }
};

namespace {
void alloc_buf(uv_handle_t* hd, size_t, uv_buf_t* buf) {
  auto* h = static_cast<SshCall::Handles*>(hd->data);
  buf->base = h->buf;
  buf->len = sizeof(h->buf);
}
}  // namespace

void SshCall::start(uv_loop_t* loop, const std::vector<std::string>& argv, LineFn on_line, DoneFn done,
                    int timeout_ms) {
  kill();
  auto h = std::make_unique<Handles>();
  h->owner = this;
  h->on_line = std::move(on_line);
  h->done = std::move(done);
  uv_pipe_init(loop, &h->out, 0);
  uv_pipe_init(loop, &h->err, 0);
  uv_timer_init(loop, &h->timer);
  h->out.data = h->err.data = h->timer.data = h->proc.data = h.get();
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  uv_stdio_container_t stdio[3];
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = uv_stdio_flags(UV_CREATE_PIPE | UV_WRITABLE_PIPE);
  stdio[1].data.stream = reinterpret_cast<uv_stream_t*>(&h->out);
  stdio[2].flags = uv_stdio_flags(UV_CREATE_PIPE | UV_WRITABLE_PIPE);
  stdio[2].data.stream = reinterpret_cast<uv_stream_t*>(&h->err);
  uv_process_options_t o{};
  o.file = args[0];
  o.args = args.data();
  o.stdio = stdio;
  o.stdio_count = 3;
  o.exit_cb = [](uv_process_t* p, int64_t status, int sig) {
    Handles* h = Handles::of(p->data);
    h->exited = true;
    h->result.exit_code = sig ? -1 : int(status);
    h->result.signal = sig;
    uv_timer_stop(&h->timer);
    h->maybe_finish();
  };
  int rc = uv_spawn(loop, &h->proc, &o);
  Handles* raw = h.release();
  raw->open = 4;
  if (rc != 0) {
    // The process handle must still be closed after a failed spawn.
    raw->owner = nullptr;
    SshCallResult r;
    r.error = std::string("cannot run ") + argv[0] + ": " + uv_strerror(rc);
    raw->close_all();
    if (raw->done) {
      DoneFn d = std::move(raw->done);
      d(r);
    }
    return;
  }
  h_ = raw;
  auto read_cb = [](uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
    Handles* h = Handles::of(s->data);
    if (n > 0) {
      if (s == reinterpret_cast<uv_stream_t*>(&h->out)) {
        h->on_stdout(std::string_view(buf->base, size_t(n)));
      } else {
        h->result.err.append(buf->base, size_t(n));
        if (h->result.err.size() > 8192) h->result.err.erase(0, h->result.err.size() - 8192);
      }
      return;
    }
    if (n < 0) {
      uv_read_stop(s);
      h->streams--;
      h->maybe_finish();
    }
  };
  uv_read_start(reinterpret_cast<uv_stream_t*>(&raw->out), alloc_buf, read_cb);
  uv_read_start(reinterpret_cast<uv_stream_t*>(&raw->err), alloc_buf, read_cb);
  if (timeout_ms > 0)
    uv_timer_start(
        &raw->timer,
        [](uv_timer_t* t) {
          Handles* h = Handles::of(t->data);
          h->result.timed_out = true;
          uv_process_kill(&h->proc, SIGTERM);
        },
        uint64_t(timeout_ms), 0);
}

void SshCall::kill() {
  if (!h_) return;
  uv_process_kill(&h_->proc, SIGTERM);
}

SshCall::~SshCall() {
  if (!h_) return;
  Handles* h = h_;
  h_ = nullptr;
  h->owner = nullptr;
  if (!h->exited) uv_process_kill(&h->proc, SIGTERM);
  // Its pipes and the process handle close as soon as they end; until then
  // libuv keeps the block, which frees itself.
  h->done = nullptr;
  h->on_line = nullptr;
  if (h->exited) {
    h->finished = true;
    h->close_all();
  } else {
    // Let exit_cb/read_cb run to completion; they report to nobody.
    h->streams = 0;
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&h->out));
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&h->err));
    uv_close(reinterpret_cast<uv_handle_t*>(&h->out), [](uv_handle_t* hd) {
      Handles* x = Handles::of(hd->data);
      if (--x->open == 0) std::unique_ptr<Handles> free_it(x);
    });
    uv_close(reinterpret_cast<uv_handle_t*>(&h->err), [](uv_handle_t* hd) {
      Handles* x = Handles::of(hd->data);
      if (--x->open == 0) std::unique_ptr<Handles> free_it(x);
    });
  }
}

}  // namespace amux::mux
