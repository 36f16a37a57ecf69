// host_attach.cpp — attached clients: sizes and throttled frames.
//
// Why: an attached client gets a full redraw, then frames rendered from the
// Screen (never raw PTY bytes) on a one-shot timer that runs only while
// output flows: a little output or output after a quiet spell is drawn at
// once, a flood at most frame_delay_ms after the latest output and
// frame_max_delay_ms after the first of a burst. A client whose queue is
// over client_queue_limit is skipped and later gets everything since its
// last frame. While the program has a synchronized update (mode 2026)
// open, no client gets a frame until it closes (or a second passed); a
// client whose terminal understands the mode gets every frame wrapped in it,
// so the person never sees half a frame. Size policy: the PTY follows the newest attached client; when
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
  c->sync = j.value("sync", false);
  c->clipboard = j.value("clipboard", std::string("off"));
  c->ro.truecolor = j.value("truecolor", true);
  c->ro.colors = j.value("colors", true);
  c->ro.wheel = j.value("wheel", false);
  c->ro.max_rows = c->rows;
  c->ro.max_cols = c->cols;
  attach_stack.erase(std::remove(attach_stack.begin(), attach_stack.end(), c),
                     attach_stack.end());
  attach_stack.push_back(c);
  c->attached = true;
  apply_size();
  note_attached();
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
  c->copy.reset();
  const bool was_top = !attach_stack.empty() && attach_stack.back() == c;
  attach_stack.erase(std::remove(attach_stack.begin(), attach_stack.end(), c),
                     attach_stack.end());
  if (was_top) apply_size();  // back to the previous client's size; none left: stays
  note_attached();
}

// How many clients are attached is part of the record: a session someone
// is attached to is in front of a person (no notification for it).
void SessionHost::Impl::note_attached() {
  if (rec.attached == int(attach_stack.size()) || finished) return;
  rec.attached = int(attach_stack.size());
  save();
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

// Synchronized output (mode 2026), after each feed: an update the
// program opened holds every client's frames until it closes, as terminals
// that implement the mode do, or until opts.sync_hold_ms passed (then frames flow
// again until it closes); a closed update is drawn by the schedule_frame
// that follows the feed.
void SessionHost::Impl::note_sync_update() {
  auto* t = reinterpret_cast<uv_handle_t*>(&sync_timer);
  if (!screen->modes().sync_update) {
    sync_expired = false;
    if (uv_is_active(t)) uv_timer_stop(&sync_timer);
    return;
  }
  if (sync_expired || uv_is_active(t) || closed_all) return;
  uv_timer_start(&sync_timer, [](uv_timer_t* h) {
    Impl* me = self(h);
    me->sync_expired = true;
    me->schedule_frame();
  }, uint64_t(std::max(0, opts.sync_hold_ms)), 0);
}

bool SessionHost::Impl::sync_held() const {
  return screen->modes().sync_update && !sync_expired && !output_done;
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
  if (c->copy) {  // copy mode: its own picture, whatever the program does
    c->behind = false;
    draw_copy(c);
    return;
  }
  if (sync_held()) return;  // sent whole once the program's update closes
  c->behind = false;
  if (!c->needs_full && c->last_seq == screen->seq()) return;
  std::string out = c->needs_full ? render::redraw_full(*screen, c->ro, &c->meta)
                                  : render::redraw_since(*screen, c->last_seq, c->ro, &c->meta);
  c->needs_full = false;
  c->last_seq = screen->seq();
  if (out.empty()) return;
  if (c->sync) out = std::string(kSyncBegin).append(out).append(kSyncEnd);
  write_client(c, std::move(out));
}

}  // namespace amux::mux
