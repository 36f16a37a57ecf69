// tile_feed.h — live screen updates of one session for a tile, the preview
// pane or peek.
//
// Why: the grid shows many sessions at once, so each visible tile asks its
// session host for its screen, cropped around the cursor to the tile's size
// (the session's PTY is never resized), and gets updates at most every
// interval (≤ 10 a second). Closing the feed unsubscribes; tiles off screen
// have no feed. Two ways to get the screen, behind this one class:
//   • "screen_watch" (the host pushes Events when the screen changes);
//   • for hosts without it, "capture" polled at ≤ 4 Hz on the same
//     connection (the view then crops the full screen itself).
// The host's answer picks the way; callers never see the difference.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <uv.h>

#include "view/link.h"
#include "view/tile_image.h"

namespace amux::view {

class TileFeed {
 public:
  // on_update runs when the image changed or the feed failed.
  TileFeed(uv_loop_t* loop, const std::string& socket_path, int rows, int cols, int interval_ms,
           std::function<void()> on_update);
  ~TileFeed();
  TileFeed(const TileFeed&) = delete;
  TileFeed& operator=(const TileFeed&) = delete;

  int rows() const { return rows_; }
  int cols() const { return cols_; }
  const TileImage& image() const { return image_; }
  // "" while fine; why there is no live screen otherwise.
  const std::string& error() const { return error_; }
  bool ended() const { return ended_; }
  bool polling() const { return polling_; }
  uint64_t updates() const { return updates_; }

  // Keep the last image when a new feed replaces this one (e.g. on resize).
  TileImage take_image() { return std::move(image_); }
  void adopt_image(TileImage&& old) { if (image_.empty()) image_ = std::move(old); }

 private:
  void on_frame(mux::Frame& f);
  void apply(const nlohmann::json& j);
  void poll_now();

  uv_loop_t* loop_;
  int rows_, cols_, interval_ms_;
  std::function<void()> on_update_;
  std::unique_ptr<Link> link_;
  uv_timer_t* timer_ = nullptr;   // capture polling (closed and freed by libuv)
  bool polling_ = false;
  bool waiting_ = false;          // a capture request is out
  bool ended_ = false;
  std::string error_;
  TileImage image_;
  uint64_t updates_ = 0;
};

// The last `rows` lines of a full-screen capture that end at its last line
// with text, as a crop for a tile (used for hosts without screen_watch).
std::string crop_capture(const std::string& text, int rows, int* cursor_row);

}  // namespace amux::view
