// ready_pipe.cpp — see ready_pipe.h.
#include "mux/daemon/ready_pipe.h"

#include <unistd.h>

namespace amux::mux {

ReadyPipe::ReadyPipe(uv_loop_t* loop, int fd, uint64_t timeout_ms, Done done, Closed closed)
    : loop_(loop), fd_(fd), timeout_ms_(timeout_ms), done_(std::move(done)), closed_(std::move(closed)) {}

ReadyPipe::~ReadyPipe() = default;  // fd_ closes itself when never handed to libuv

std::string ReadyPipe::start() {
  uv_timer_init(loop_, &timer_);
  timer_.data = this;
  ++open_handles_;
  uv_pipe_init(loop_, &pipe_, 0);
  pipe_.data = this;
  ++open_handles_;
  if (int r = uv_pipe_open(&pipe_, fd_.get()); r != 0) return std::string("cannot watch the ready pipe: ") + uv_strerror(r);
  fd_.release();  // the pipe handle owns it now
  uv_timer_start(&timer_, [](uv_timer_t* t) { static_cast<ReadyPipe*>(t->data)->finish(true); }, timeout_ms_, 0);
  int r = uv_read_start(
      reinterpret_cast<uv_stream_t*>(&pipe_),
      [](uv_handle_t* h, size_t, uv_buf_t* b) {
        auto* self = static_cast<ReadyPipe*>(h->data);
        *b = uv_buf_init(self->buf_, sizeof self->buf_);
      },
      [](uv_stream_t* s, ssize_t n, const uv_buf_t* b) {
        auto* self = static_cast<ReadyPipe*>(s->data);
        if (n > 0) {
          self->answer_.append(b->base, size_t(n));
          if (self->answer_.find('\n') != std::string::npos) self->finish(false);
        } else if (n < 0) {
          self->finish(false);  // EOF (the process died without a word) or an error
        }
      });
  if (r != 0) return std::string("cannot read the ready pipe: ") + uv_strerror(r);
  return "";
}

void ReadyPipe::finish(bool timed_out) {
  if (!done_) return;
  Done done = std::move(done_);
  done_ = nullptr;
  std::string answer = timed_out ? std::string() : answer_;
  close();  // may free this (when nothing is left to close): use locals only
  done(answer, timed_out);
}

void ReadyPipe::close() {
  if (closing_) return;
  closing_ = true;
  int closing = 0;
  if (open_handles_ > 0) {
    for (uv_handle_t* h : {reinterpret_cast<uv_handle_t*>(&pipe_), reinterpret_cast<uv_handle_t*>(&timer_)}) {
      if (uv_is_closing(h)) continue;  // closed by the loop's final sweep
      uv_close(h, on_closed);
      ++closing;
    }
  }
  open_handles_ = closing;
  if (closing == 0 && closed_) closed_(this);
}

void ReadyPipe::on_closed(uv_handle_t* h) {
  auto* self = static_cast<ReadyPipe*>(h->data);
  if (--self->open_handles_ == 0 && self->closed_) self->closed_(self);
}

}  // namespace amux::mux
