// screen_layout.h — where each part of the agent view goes for a terminal
// size: header, list or grid, preview pane, prompt box, hint line, and the
// tiles of the grid.
//
// Why: resizing must work at any moment and at any size, so geometry is a
// pure function of the size (unit-tested), computed afresh every frame.
#pragma once

namespace amux::view {

struct Rect {
  int y = 0, x = 0, h = 0, w = 0;
  bool empty() const { return h <= 0 || w <= 0; }
  bool contains(int yy, int xx) const { return yy >= y && yy < y + h && xx >= x && xx < x + w; }
};

struct Areas {
  bool too_small = false;
  Rect header;    // 1 or 3 lines (+ a blank line below, not included)
  Rect body;      // the list (rows layout) or the tiles (grid layout)
  Rect preview;   // rows layout: the selected session's screen; empty when there is no room
  Rect prompt;    // rule, prompt lines, rule
  Rect hints;     // one line
};

inline constexpr int kMinRows = 8, kMinCols = 30;

// prompt_lines: lines of text in the prompt box (1 and up; capped here).
Areas compute_areas(int rows, int cols, int prompt_lines, bool grid);

// The grid fills the body: 1 session takes it all, 2 split it in halves
// (side by side when wide, stacked otherwise), 3-4 make 2x2, more make the
// squarest grid whose tiles stay at least kMinTileW x kMinTileH; sessions
// beyond one screenful go on further pages.
inline constexpr int kMinTileW = 32, kMinTileH = 6;

struct GridGeom {
  int columns = 1;       // tiles across
  int tile_w = 0;        // columns per tile, including a 1-column gap (the last column takes the rest)
  int tile_h = 0;        // lines per tile: a title bar and the mini-pane (the last row takes the rest)
  int visible_rows = 0;  // rows of tiles on a page
  int per_page() const { return columns * visible_rows; }
};

// count: the number of sessions shown.
GridGeom grid_geometry(const Rect& body, int count);
// First row of tiles of the page that holds tile `selected` (pages of
// visible_rows rows; `top` is kept when it already shows the selection).
int grid_scroll(int top, int selected, int count, const GridGeom& g);
// Where tile `index` goes when row `top` is the first shown (h == 0: off screen).
Rect tile_rect(const Rect& body, const GridGeom& g, int index, int top);
// Pages: how many, and which one a first row is on (0-based).
int grid_pages(int count, const GridGeom& g);
int grid_page_of(int top, const GridGeom& g);

// The peek overlay's box.
Rect peek_rect(int rows, int cols);

}  // namespace amux::view
