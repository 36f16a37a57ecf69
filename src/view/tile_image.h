// tile_image.h — a session's screen as the view received it, in cells.
//
// Why: tiles, the preview pane and peek get a session's screen as text with
// SGR colours. Feeding that text into a small render::Screen (libvterm)
// turns it into cells, so the drawing layer places every character at an
// explicit column (wide characters and combining marks included) and no
// byte from a session can ever reach the person's terminal as a sequence:
// only cell contents are drawn.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "render/screen.h"

namespace amux::view {

// What a host's screen_watch Event or capture Response says of its screen:
// {"text": "...", "cursor": [row, col], "title": "..."}. Never throws: a
// field of the wrong type is as absent (a host of another version, or
// anything listening on its socket, must not bring the view down).
struct TileEvent {
  std::string text;
  int cursor_row = -1, cursor_col = -1;  // -1: unknown
  std::string title;
};
TileEvent read_tile_event(const nlohmann::json& j);

class TileImage {
 public:
  // `text`: lines separated by '\n', SGR-coloured. cursor_row/col in those
  // lines (-1 when unknown). Returns false when nothing changed.
  bool set(const std::string& text, int cursor_row, int cursor_col, const std::string& title);
  bool empty() const { return !screen_; }
  const render::Screen* screen() const { return screen_.get(); }
  int lines() const { return lines_; }       // lines of text received
  int cursor_row() const { return cursor_row_; }
  int cursor_col() const { return cursor_col_; }
  const std::string& title() const { return title_; }  // sanitized
  uint64_t version() const { return version_; }

  // The window of the image to show in h×w cells: rows [top, top+h) and
  // columns [left, left+w), keeping the cursor (or, without one, the last
  // line with text) in view.
  void window(int h, int w, int* top, int* left) const;

 private:
  std::unique_ptr<render::Screen> screen_;
  std::string text_;
  int lines_ = 0;
  int last_text_row_ = -1;
  int cursor_row_ = -1, cursor_col_ = -1;
  std::string title_;
  uint64_t version_ = 0;
};

}  // namespace amux::view
