// host_attach.cpp — attached clients: sizes and throttled frames.
//
// Why: an attached client gets a full redraw, then frames rendered from the
// Screen (never raw PTY bytes) on a one-shot timer that runs only while
// output flows: a little output or output after a quiet spell is drawn at
// once, a flood at most frame_delay_ms after the latest output and
// frame_max_delay_ms after the first of a burst. A client whose queue is
// over client_queue_limit is skipped and later gets everything since its
// last frame. Size policy: the PTY follows the newest attached client; when
// it leaves, the previous one's size comes back; when none is left the
// size stays (like tmux keeping the last size).
#include <algorithm>

#include "mux/host/host_impl.h"
#include "mux/wire/messages.h"
#include "render/redraw.h"

namespace amux::mux {

using namespace host_detail;

void SessionHost::Impl::read_size(const json& j, int* rows, int* cols) {
  const TermSize s = read_term_size(j, kMaxRows, kMaxCols);
  *rows = s.rows;
  *cols = s.cols;
}

void SessionHost::Impl::on_attach(Conn* c, const json& j) {
  read_size(j, &c->rows, &c->cols);
  take_tty(c);
  if (j.value("input", false)) {
    // Tell the client whether it must read its keys itself.
    if (c->tty_open && !c->tty_reading) start_tty_input(c, j);
    respond(c, {{"ok", true}, {"input", c->tty_reading}});
  }
  c->ro.truecolor = j.value("truecolor", true);
  c->ro.colors = j.value("colors", true);
  c->ro.max_rows = c->rows;
  c->ro.max_cols = c->cols;
  attach_stack.erase(std::remove(attach_stack.begin(), attach_stack.end(), c),
                     attach_stack.end());
  attach_stack.push_back(c);
  c->attached = true;
  apply_size();
  c->needs_full = true;
  send_frame(c, true);
  if (finished) send_exited(c, exit_summary());
}

void SessionHost::Impl::on_resize(Conn* c, const json& j) {
  read_size(j, &c->rows, &c->cols);
  c->ro.max_rows = c->rows;
  c->ro.max_cols = c->cols;
  if (!c->attached) return;
  if (c == attach_stack.back()) apply_size();
  c->needs_full = true;
  send_frame(c, false);
}

void SessionHost::Impl::detach(Conn* c) {
  c->attached = false;
  c->behind = false;
  const bool was_top = !attach_stack.empty() && attach_stack.back() == c;
  attach_stack.erase(std::remove(attach_stack.begin(), attach_stack.end(), c),
                     attach_stack.end());
  if (was_top) apply_size();  // back to the previous client's size; none left: stays
}

// Give the PTY and the Screen the newest attached client's size. After the
// child is gone the final screen is kept as it is (clients clip it).
void SessionHost::Impl::apply_size() {
  if (attach_stack.empty() || !child_alive()) return;
  const Conn* top = attach_stack.back();
  if (top->rows == screen->rows() && top->cols == screen->cols()) return;
  screen->resize(top->rows, top->cols);
  pty->resize(top->rows, top->cols);
  rec.rows = top->rows;
  rec.cols = top->cols;
  schedule_frame();  // the others need a full redraw too
}

bool SessionHost::Impl::has_viewers() const {
  if (!attach_stack.empty()) return true;
  for (const auto& c : conns)
    if (c->following && !c->closing) return true;
  return false;
}

// Send a frame now or arm the one-shot frame timer. Output after a quiet
// spell (no frame for frame_delay_ms), or a little of it, gets a frame at
// once, so a typed key echoes without delay; output that keeps coming is throttled:
// frame_delay_ms after the latest output, but no later than
// frame_max_delay_ms after the first output of the burst.
void SessionHost::Impl::schedule_frame() {
  if (closed_all || !has_viewers()) return;
  const uint64_t now = uv_now(loop);
  const bool active = uv_is_active(reinterpret_cast<uv_handle_t*>(&frame_timer));
  // A little output (a key's echo, a prompt) is drawn at once too, at most
  // once a millisecond; a flood of it waits for the throttle below.
  const bool small = bytes_since_frame <= kSmallOutput && now > last_frame_ms;
  if (!active && (small || now - last_frame_ms >= uint64_t(std::max(0, opts.frame_delay_ms)))) {
    on_frame_tick();  // now: no extra loop turn between the echo and its frame
    return;
  }
  if (!active) burst_start = now;
  const uint64_t want = now + uint64_t(std::max(0, opts.frame_delay_ms));
  const uint64_t limit = burst_start + uint64_t(std::max(0, opts.frame_max_delay_ms));
  const uint64_t at = std::min(want, limit);
  uv_timer_start(&frame_timer, [](uv_timer_t* t) { self(t)->on_frame_tick(); },
                 at > now ? at - now : 0, 0);
}

void SessionHost::Impl::on_frame_tick() {
  bytes_since_frame = 0;
  last_frame_ms = uv_now(loop);
  for (Conn* c : std::vector<Conn*>(attach_stack)) send_frame(c, false);
  for (auto& c : conns)
    if (c->following && !c->closing) follow_emit(c.get(), false);
}

// Send an attached client what changed since its last frame (everything
// when needs_full). Skipped while its queue is over the limit, unless force.
void SessionHost::Impl::send_frame(Conn* c, bool force) {
  if (c->closing) return;
  if (c->exited_sent) return;  // direct: the client shows the exit line now
  if (!force && out_queue_size(c) > opts.client_queue_limit) {
    c->behind = true;
    return;
  }
  c->behind = false;
  if (!c->needs_full && c->last_seq == screen->seq()) return;
  std::string out = c->needs_full ? render::redraw_full(*screen, c->ro, &c->meta)
                                  : render::redraw_since(*screen, c->last_seq, c->ro, &c->meta);
  c->needs_full = false;
  c->last_seq = screen->seq();
  if (c->tty_open) {
    write_stream(reinterpret_cast<uv_stream_t*>(&c->tty), std::move(out), c);
    return;
  }
  for (size_t i = 0; i < out.size(); i += kOutputChunk)
    send(c, MsgType::Output, std::string_view(out).substr(i, kOutputChunk));
}

}  // namespace amux::mux
