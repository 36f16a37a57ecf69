// tile.cpp — crop a Screen around its cursor for a mini-pane (see tile.h).
#include "render/tile.h"

#include <algorithm>

#include "render/redraw.h"
#include "render/utf8.h"

namespace amux::render {

namespace {

bool row_blank(const Row& row) {
  for (const Cell& c : row.cells)
    if (!(c.ch == kBlank || c.ch == U' ') || c.bg != Color::def() || (c.attrs & kReverse)) return false;
  return true;
}

}  // namespace

Tile crop_around_cursor(const Screen& s, int rows, int cols) {
  Tile t;
  const int h = std::clamp(rows, 0, s.rows()), w = std::clamp(cols, 0, s.cols());
  if (h == 0 || w == 0) return t;
  const Cursor cur = s.cursor();

  int last_text = -1;
  for (int r = s.rows() - 1; r >= 0; --r)
    if (!row_blank(s.row(r))) {
      last_text = r;
      break;
    }
  // Bottom row: the text's last line, moved so the visible cursor stays in.
  int bottom = std::max(last_text, h - 1);
  if (cur.visible) {
    if (cur.row > bottom) bottom = cur.row;
    if (cur.row < bottom - h + 1) bottom = cur.row + h - 1;
  }
  t.top = std::clamp(bottom - h + 1, 0, s.rows() - h);
  t.left = cur.visible && cur.col >= w ? std::min(cur.col - w + 1, s.cols() - w) : 0;

  t.rows.resize(size_t(h));
  for (int r = 0; r < h; ++r) {
    const Cell* src = s.row(t.top + r).cells.data() + t.left;
    std::vector<Cell>& out = t.rows[size_t(r)];
    out.assign(src, src + w);
    auto blank = [](Cell& c) {
      c.ch = kBlank;
      c.width = 1;
    };
    if (out.front().ch == kWideTail) blank(out.front());
    if (out.back().width == 2) blank(out.back());
  }
  if (cur.visible && cur.row >= t.top && cur.row < t.top + h && cur.col >= t.left &&
      cur.col < t.left + w) {
    t.cursor_row = cur.row - t.top;
    t.cursor_col = cur.col - t.left;
  }
  return t;
}

std::string tile_text(const Screen& s, const Tile& t, bool sgr) {
  std::string out;
  for (const std::vector<Cell>& row : t.rows) {
    size_t n = row.size();
    auto trailing = [&](const Cell& c) {
      return (c.ch == kBlank || c.ch == U' ') && (!sgr || (c.bg == Color::def() && !(c.attrs & kReverse)));
    };
    while (n > 0 && trailing(row[n - 1])) --n;
    Pen pen{};
    for (size_t i = 0; i < n; ++i) {
      const Cell& c = row[i];
      if (c.ch == kWideTail) continue;
      if (sgr && !(s.pen_of(c) == pen)) {
        out += sgr_transition(pen, s.pen_of(c));
        pen = s.pen_of(c);
      }
      if (c.ch == kBlank) out += ' ';
      for (char32_t cp : s.cell_chars(c))  // no control may pass
        utf8::append(out, cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ? utf8::kReplacement : cp);
    }
    if (sgr && !(pen == Pen{})) out += "\x1b[0m";
    out += '\n';
  }
  return out;
}

}  // namespace amux::render
