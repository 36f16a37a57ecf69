// host_watch.cpp — screen_watch: the cropped screens the agent view shows as tiles.
//
// Why: the agent view shows a small tile of each session around its cursor.
// A watcher gets the crop when the screen changed, at most once per its
// interval, and only when it differs from the last one sent; one timer
// serves every watcher, and a slow watcher is tried again later.
#include <algorithm>

#include "mux/host/host_impl.h"
#include "render/tile.h"

namespace amux::mux {

using namespace host_detail;

json SessionHost::Impl::watch_json(Conn* c) {
  render::Tile t = render::crop_around_cursor(*screen, c->watch_rows, c->watch_cols);
  std::string text = render::tile_text(*screen, t, c->watch_sgr);
  return {{"text", text},
          {"cursor", json::array({t.cursor_row, t.cursor_col})},
          {"title", clean_line(screen->title())}};
}

// Send each watcher the changed screen once its interval has passed; arm
// one timer for the earliest watcher still waiting.
void SessionHost::Impl::schedule_watch() {
  if (closed_all) return;
  const uint64_t now = uv_now(loop);
  uint64_t next = ~uint64_t(0);
  for (auto& c : conns) {
    if (!c->watching || c->closing || c->watch_seq == screen->seq()) continue;
    uint64_t due = c->watch_last_ms + c->watch_interval;
    next = std::min(next, due > now ? due - now : 0);
  }
  if (next == ~uint64_t(0)) return;
  if (uv_is_active(reinterpret_cast<uv_handle_t*>(&watch_timer)) &&
      uv_timer_get_due_in(&watch_timer) <= next)
    return;
  uv_timer_start(&watch_timer, [](uv_timer_t* t) { self(t)->on_watch_tick(); }, next, 0);
}

void SessionHost::Impl::on_watch_tick() {
  const uint64_t now = uv_now(loop);
  for (auto& c : conns) {
    if (!c->watching || c->closing || c->watch_seq == screen->seq()) continue;
    if (now < c->watch_last_ms + c->watch_interval) continue;
    if (queue_size(c.get()) > opts.client_queue_limit) continue;  // slow: try later
    c->watch_seq = screen->seq();
    c->watch_last_ms = now;
    json ev = watch_json(c.get());
    std::string key = ev["text"].get<std::string>() + ev["cursor"].dump() + ev["title"].get<std::string>();
    if (key == c->watch_last) continue;
    c->watch_last = std::move(key);
    send_json(c.get(), MsgType::Event, ev);
  }
  schedule_watch();
}

}  // namespace amux::mux
