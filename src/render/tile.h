// tile.h — a window of a Screen's cells, cropped around the cursor, for the
// agent view's mini-panes.
//
// Why: a grid tile shows a session's screen in far fewer cells than the
// session has, and the session's PTY is never resized for it (no reflow in
// libvterm 0.1.4: docs/libvterm.md, "Other traps"). The useful part is
// where the program is working: the cursor, or when the cursor sits at the
// top (or is hidden) the last lines with text.
#pragma once

#include <string>
#include <vector>

#include "render/screen.h"

namespace amux::render {

struct Tile {
  int top = 0, left = 0;                 // screen position of the tile's (0, 0)
  std::vector<std::vector<Cell>> rows;   // min(rows, screen rows) x min(cols, screen cols)
  int cursor_row = -1, cursor_col = -1;  // in the tile; -1 when hidden or outside
};

// The rows x cols window containing the (visible) cursor, as low as the
// screen's text reaches: the last non-blank row is shown when the cursor
// stays in view; with a hidden cursor the text alone decides. Columns start
// at 0 unless the cursor is further right. A wide character cut by the left
// or right edge becomes a blank.
Tile crop_around_cursor(const Screen& s, int rows, int cols);

// The tile as text lines, each ended by '\n', trailing blanks trimmed; with
// sgr, SGR attributes as text_dump writes them (each line ends in SGR 0).
std::string tile_text(const Screen& s, const Tile& t, bool sgr);

}  // namespace amux::render
