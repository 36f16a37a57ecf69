// view_frame.cpp — drawing the agent view: when a frame is due, which live
// tiles stream, and the frame itself.
//
// Why: frames are batched (keys within kMinFrameUs, live screens within
// kTileFrameUs) and drawn only after something changed; the tile feeds follow
// what the frame shows, so a tile that leaves the screen stops streaming.
#include <ncurses.h>
#include <unistd.h>

#include <algorithm>

#include "mux/store/session_id.h"
#include "mux/store/session_record.h"
#include "view/screen_layout.h"
#include "view/view_app.h"

namespace amux::view {

// Schedule a frame. Keys, resizes and supervisor events draw within
// kMinFrameUs; live screens (tiles, preview, peek), which change up to ten
// times a second each, are batched into frames kTileFrameUs apart.
void App::request_frame(bool live_screen) {
  if (quitting) return;
  int64_t now = mono_us();
  int64_t at = last_frame_at + (live_screen ? kTileFrameUs : kMinFrameUs);
  if (at < now) at = now;
  if (frame_pending && frame_due <= at) return;
  frame_pending = true;
  frame_due = at;
  uv_timer_start(&frame_timer, [](uv_timer_t* t) { of(t)->frame(); }, uint64_t((at - now) / 1000), 0);
}

void App::reconcile_feeds(const std::vector<FeedWant>& wants) {
  std::set<std::string> keep;
  for (const auto& w : wants) {
    // A remote session's screen is on another machine: no live tile (its
    // row, peek by attach).
    if (!mux::is_session_id(w.id)) continue;
    keep.insert(w.id);
    const SessionInfo* s = model.find(w.id);
    int64_t ver = s ? s->updated_at : 0;
    auto it = feeds.find(w.id);
    TileImage old;
    if (it != feeds.end()) {
      TileFeed& f = *it->second;
      bool same = f.rows() == w.rows && f.cols() == w.cols;
      bool retry = f.ended() && feed_version[w.id] != ver && s && state_live(s->state);
      if (same && !retry) continue;
      old = f.take_image();
    }
    auto f = std::make_unique<TileFeed>(&loop, paths.host_socket(w.id), w.rows, w.cols, kTileIntervalMs,
                                        [this] { request_frame(true); });
    f->adopt_image(std::move(old));
    feeds[w.id] = std::move(f);
    feed_version[w.id] = ver;
  }
  for (auto it = feeds.begin(); it != feeds.end();) {
    if (keep.count(it->first)) { ++it; continue; }
    feed_version.erase(it->first);
    it = feeds.erase(it);
  }
}

void App::frame() {
  frame_pending = false;
  if (quitting) return;
  int64_t t0 = mono_us();
  int64_t now = mux::now_ms();
  ctl->tick(now);
  bool grid = ctl->layout() == Layout::Grid;
  int plines = 1;
  if (ctl->mode() != Mode::Find) {
    std::string t = ctl->prompt().text();
    plines = 1 + int(std::count(t.begin(), t.end(), '\n'));
  }
  Areas a = compute_areas(LINES, COLS, plines, grid);
  if (grid && !a.too_small) {
    GridGeom g = grid_geometry(a.body, int(model.order().size()));
    grid_top = grid_scroll(grid_top, model.selected_index(), int(model.order().size()), g);
    ctl->set_grid_columns(g.columns);
  }
  reconcile_feeds(wanted_feeds(model, *ctl, a, grid_top, LINES, COLS));
  if (full_repaint) {
    clearok(curscr, TRUE);
    full_repaint = false;
  }
  erase();
  DrawContext dc{model, *ctl, pal, [this](const std::string& id) -> const TileFeed* {
                   auto it = feeds.find(id);
                   return it == feeds.end() ? nullptr : it->second.get();
                 }};
  dc.now = now;
  dc.spin = spin;
  dc.defaults_line = defaults_text;
  dc.link_note = link_note;
  dc.grid_top = grid_top;
  DrawResult res = draw_view(dc, a);
  hits = std::move(res.hits);
  if (res.cursor) {
    curs_set(1);
    move(res.cursor_y, res.cursor_x);
  } else {
    curs_set(0);
  }
  wnoutrefresh(stdscr);
  doupdate();
  update_title();
  int64_t t1 = mono_us();
  stats.record(t1 - t0);
  last_frame_at = t0;
  // Timers: animation while something works on screen, ages while something lives.
  uint64_t every = res.animating ? 100 : res.live_ages ? 1000 : 0;
  if (every != anim_every) {
    anim_every = every;
    uv_timer_stop(&anim_timer);
    if (every)
      uv_timer_start(&anim_timer, [](uv_timer_t* t) {
        App* a = of(t);
        a->spin++;
        a->request_frame(true);
      }, every, every);
  }
  int64_t d = ctl->next_deadline();
  uv_timer_stop(&deadline_timer);
  if (d)
    uv_timer_start(&deadline_timer, [](uv_timer_t* t) { of(t)->request_frame(); },
                   uint64_t(std::max<int64_t>(0, d - now)) + 1, 0);
}

void App::update_title() {
  int n = model.counts().blocked;
  std::string t = n > 0 ? std::to_string(n) + " awaiting input · amux" : "amux";
  if (t == title) return;
  title = t;
  write_out("\x1b]2;" + t + "\x07");
}

}  // namespace amux::view
