// tile_feed.cpp — see tile_feed.h.
#include "view/tile_feed.h"

#include <algorithm>
#include <vector>

#include "mux/wire/ops.h"

namespace amux::view {

std::string crop_capture(const std::string& text, int rows, int* cursor_row) {
  std::vector<std::string> lines;
  size_t p = 0;
  while (p < text.size()) {
    size_t nl = text.find('\n', p);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(text.substr(p, nl - p));
    p = nl + 1;
  }
  while (!lines.empty() && lines.back().find_first_not_of(' ') == std::string::npos) lines.pop_back();
  size_t from = lines.size() > size_t(rows) ? lines.size() - size_t(rows) : 0;
  std::string out;
  for (size_t i = from; i < lines.size(); i++) out += lines[i] + "\n";
  if (cursor_row) *cursor_row = -1;
  return out;
}

TileFeed::TileFeed(uv_loop_t* loop, const std::string& socket_path, int rows, int cols, int interval_ms,
                   std::function<void()> on_update)
    : loop_(loop), rows_(rows), cols_(cols), interval_ms_(interval_ms), on_update_(std::move(on_update)) {
  link_ = std::make_unique<Link>(
      loop, socket_path, [this](mux::Frame& f) { on_frame(f); },
      [this](const std::string& reason) {
        ended_ = true;
        if (image_.empty()) error_ = reason.empty() || reason == "closed by peer" ? "session ended" : reason;
        if (timer_) uv_timer_stop(timer_);
        if (on_update_) on_update_();
      });
  link_->send_json(mux::MsgType::Request, {{"op", mux::op_name(mux::Op::ScreenWatch)},
                                           {"rows", rows},
                                           {"cols", cols},
                                           {"interval_ms", interval_ms},
                                           {"sgr", true}});
}

TileFeed::~TileFeed() {
  on_update_ = nullptr;
  link_.reset();  // closing the connection unsubscribes
  if (timer_) {
    uv_timer_stop(timer_);
    uv_close(reinterpret_cast<uv_handle_t*>(timer_), [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
  }
}

void TileFeed::apply(const nlohmann::json& j) {
  TileEvent ev = read_tile_event(j);
  std::string text = std::move(ev.text), title = std::move(ev.title);
  int cr = ev.cursor_row, cc = ev.cursor_col;
  if (polling_) text = crop_capture(text, std::max(rows_, 1), &cr);
  if (image_.set(text, cr, cc, title)) {
    updates_++;
    error_.clear();
    if (on_update_) on_update_();
  }
}

void TileFeed::poll_now() {
  if (ended_ || !link_ || waiting_) return;
  waiting_ = true;
  link_->send_json(mux::MsgType::Request, {{"op", mux::op_name(mux::Op::Capture)}, {"sgr", true}});
}

void TileFeed::on_frame(mux::Frame& f) {
  nlohmann::json j;
  try {
    j = f.json();
  } catch (...) {
    return;
  }
  if (f.type == mux::MsgType::Event) {
    apply(j);
    return;
  }
  if (f.type == mux::MsgType::Error) {
    error_ = j.value("error", std::string("host error"));
    if (on_update_) on_update_();
    return;
  }
  if (f.type != mux::MsgType::Response) return;
  if (!j.value("ok", false)) {
    std::string err = j.value("error", std::string());
    if (!polling_ && !waiting_) {
      // A host without screen_watch ("unknown op"): poll its screen
      // instead, at most 4 times a second.
      polling_ = true;
      timer_ = new uv_timer_t;  // freed in uv_close's callback
      uv_timer_init(loop_, timer_);
      timer_->data = this;
      uint64_t every = uint64_t(std::max(interval_ms_, 250));
      uv_timer_start(timer_, [](uv_timer_t* t) { static_cast<TileFeed*>(t->data)->poll_now(); }, 0, every);
      return;
    }
    waiting_ = false;
    error_ = err.empty() ? "no screen" : err;
    if (on_update_) on_update_();
    return;
  }
  waiting_ = false;
  apply(j);
}

}  // namespace amux::view
