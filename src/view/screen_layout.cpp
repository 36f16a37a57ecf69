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

GridGeom grid_geometry(const Rect& body) {
  GridGeom g;
  g.columns = std::max(1, body.w / 40);
  g.tile_w = body.w / g.columns;
  g.tile_h = std::clamp(body.h / 3, 6, 14);
  if (g.tile_h > body.h) g.tile_h = body.h;
  g.visible_rows = g.tile_h > 0 ? std::max(1, body.h / g.tile_h) : 0;
  return g;
}

int grid_scroll(int top, int selected, int count, const GridGeom& g) {
  if (count <= 0 || g.visible_rows <= 0) return 0;
  int rows_total = (count + g.columns - 1) / g.columns;
  int sel_row = std::max(0, selected) / g.columns;
  if (sel_row < top) top = sel_row;
  if (sel_row >= top + g.visible_rows) top = sel_row - g.visible_rows + 1;
  top = std::clamp(top, 0, std::max(0, rows_total - g.visible_rows));
  return top;
}

Rect tile_rect(const Rect& body, const GridGeom& g, int index, int top) {
  int row = index / g.columns - top;
  int col = index % g.columns;
  if (row < 0 || row >= g.visible_rows) return {};
  Rect r{body.y + row * g.tile_h, body.x + col * g.tile_w, g.tile_h, g.tile_w - 1};
  if (col == g.columns - 1) r.w = body.w - col * g.tile_w;  // last column takes the rest
  if (r.y + r.h > body.y + body.h) r.h = body.y + body.h - r.y;
  return r;
}

Rect peek_rect(int rows, int cols) {
  int w = std::min(cols - 4, 140);
  int h = std::min(rows - 4, 36);
  if (w < 20 || h < 6) return {0, 0, rows, cols};
  return {(rows - h) / 2, (cols - w) / 2, h, w};
}

}  // namespace amux::view
