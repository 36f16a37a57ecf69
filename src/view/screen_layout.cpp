// screen_layout.cpp — see screen_layout.h.
#include "view/screen_layout.h"

#include <algorithm>

namespace amux::view {

Areas compute_areas(int rows, int cols, int prompt_lines, bool grid) {
  Areas a;
  if (rows < kMinRows || cols < kMinCols) {
    a.too_small = true;
    return a;
  }
  int header = rows >= 18 ? 3 : 1;
  int gap = rows >= 18 ? 1 : 0;
  int plines = std::clamp(prompt_lines, 1, std::max(1, std::min(6, rows / 4)));
  int prompt_h = plines + 2;
  a.header = {0, 0, header, cols};
  a.hints = {rows - 1, 0, 1, cols};
  a.prompt = {rows - 1 - prompt_h, 0, prompt_h, cols};
  int body_top = header + gap;
  a.body = {body_top, 0, a.prompt.y - body_top, cols};
  if (a.body.h < 1) {
    a.too_small = true;
    return a;
  }
  if (!grid) {
    if (cols >= 120 && a.body.h >= 8) {
      int pw = std::max(40, cols * 45 / 100);
      a.preview = {a.body.y, cols - pw, a.body.h, pw};
      a.body.w = cols - pw - 1;  // one column for the divider
    } else if (a.body.h >= 26) {
      int ph = a.body.h * 45 / 100;
      a.preview = {a.body.y + a.body.h - ph, 0, ph, cols};
      a.body.h -= ph;
    }
  }
  return a;
}

GridGeom grid_geometry(const Rect& body, int count) {
  GridGeom g;
  if (body.empty()) return g;
  const int max_cols = std::max(1, (body.w + 1) / (kMinTileW + 1));
  const int max_rows = std::max(1, body.h / kMinTileH);
  int cols = 1, rows = 1;
  if (count == 2) {
    // Halves: side by side when each half is at least as wide (in cells, a
    // cell being about twice as tall as wide) as it is tall.
    bool side = body.w / 2 >= body.h * 2 || max_rows < 2;
    (side ? cols : rows) = 2;
  } else if (count >= 3) {
    cols = rows = 2;
    while (cols * rows < count && (cols < max_cols || rows < max_rows)) {
      // Grow the dimension whose tiles are the larger (in cells, w ~ 2h)
      // while the tiles stay at least the minimum size.
      bool wider = body.w / (cols + 1) >= 2 * (body.h / (rows + 1));
      if ((wider && cols < max_cols) || rows >= max_rows) cols++;
      else rows++;
    }
  }
  g.columns = std::clamp(cols, 1, max_cols);
  g.visible_rows = std::clamp(rows, 1, max_rows);
  g.tile_w = body.w / g.columns;
  g.tile_h = body.h / g.visible_rows;
  return g;
}

int grid_scroll(int top, int selected, int count, const GridGeom& g) {
  if (count <= 0 || g.visible_rows <= 0) return 0;
  int sel_row = std::clamp(selected, 0, count - 1) / g.columns;
  if (sel_row >= top && sel_row < top + g.visible_rows && top % g.visible_rows == 0) return top;
  return sel_row / g.visible_rows * g.visible_rows;
}

Rect tile_rect(const Rect& body, const GridGeom& g, int index, int top) {
  if (g.visible_rows <= 0 || g.columns <= 0) return {};
  int row = index / g.columns - top;
  int col = index % g.columns;
  if (row < 0 || row >= g.visible_rows) return {};
  Rect r{body.y + row * g.tile_h, body.x + col * g.tile_w, g.tile_h, g.tile_w - 1};
  if (g.columns == 1) r.w = body.w;
  if (col == g.columns - 1) r.w = body.w - col * g.tile_w;       // last column takes the rest
  if (row == g.visible_rows - 1) r.h = body.y + body.h - r.y;  // so does the last row
  return r;
}

int grid_pages(int count, const GridGeom& g) {
  if (count <= 0 || g.per_page() <= 0) return 1;
  return (count + g.per_page() - 1) / g.per_page();
}

int grid_page_of(int top, const GridGeom& g) { return g.visible_rows > 0 ? top / g.visible_rows : 0; }

Rect peek_rect(int rows, int cols) {
  int w = std::min(cols - 4, 140);
  int h = std::min(rows - 4, 36);
  if (w < 20 || h < 6) return {0, 0, rows, cols};
  return {(rows - h) / 2, (cols - w) / 2, h, w};
}

}  // namespace amux::view
