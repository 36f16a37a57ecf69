// screen_rows.cpp — the Screen's row store: the ring of rows of each
// buffer (primary and alternate) and the operations on whole rows and
// rectangles of cells that the libvterm callbacks are built from.
//
// Why: a scroll of the whole screen must cost a rotation of the ring, not a
// move of every cell (libvterm's screen layer moves them all, which is what
// makes it too slow), and clearing a row must cost what the row holds; this
// file is where rows are cleared, scrolled (the rows leaving the top of the
// primary screen go to the scrollback), erased and moved.
#include "render/screen_impl.h"

#include <algorithm>
#include <cstring>

namespace amux::render {

using namespace screen_detail;

// Erases a whole row of `b` (logical r): blanks in the pen's background.
void Screen::Impl::clear_row(Buffer& b, int r) {
  Row& row = b.row(r);
  uint16_t& ext = b.ext_of(r);
  if (pen_default) {
    std::fill_n(row.cells.begin(), ext, blank);
    ext = 0;
  } else {
    std::fill(row.cells.begin(), row.cells.end(), blank);
    ext = uint16_t(b.cols);
  }
  row.wrapped = false;
}

void Screen::Impl::push_scrollback(Buffer& b, int r) {
  const Row& row = b.row(r);
  sb.push(row.cells.data(), b.ext_of(r), row.wrapped);
}

void Screen::Impl::swap_rows(Buffer& b, int i, int j) {
  int si = b.slot(i), sj = b.slot(j);
  std::swap(b.slots[size_t(si)], b.slots[size_t(sj)]);
  std::swap(b.ext[size_t(si)], b.ext[size_t(sj)]);
}

// Scrolls full-width rows [sr, er) of the current buffer by d (> 0: up,
// content moves towards row 0). Rows leaving the top of the primary
// screen go to the scrollback.
void Screen::Impl::scroll_rows(int sr, int er, int d, uint64_t v) {
  Buffer& b = *cur;
  pg_row = -1;
  int h = er - sr;
  bool to_sb = d > 0 && sr == 0 && !alt_active;
  int ad = d < 0 ? -d : d;
  if (ad >= h) {
    for (int r = sr; r < er; ++r) {
      if (to_sb) push_scrollback(b, r);
      clear_row(b, r);
    }
  } else if (d > 0) {
    if (to_sb)
      for (int r = 0; r < d; ++r) push_scrollback(b, r);
    if (sr == 0 && er == b.rows) {
      b.head = (b.head + d) % b.rows;  // the rotation: no cell moves
    } else {
      for (int i = sr; i < er - d; ++i) swap_rows(b, i, i + d);
    }
    for (int r = er - d; r < er; ++r) clear_row(b, r);
  } else {
    if (sr == 0 && er == b.rows) {
      b.head = (b.head - ad + b.rows) % b.rows;
    } else {
      for (int i = er - 1; i >= sr + ad; --i) swap_rows(b, i, i - ad);
    }
    for (int r = sr; r < sr + ad; ++r) clear_row(b, r);
  }
  if (sr == 0 && er == b.rows) {
    for (Row& row : b.slots) row.version = v;  // every row, in any order
  } else {
    for (int r = sr; r < er; ++r) b.row(r).version = v;
  }
}

// Erases cells [sc, ec) of rows [sr, er): blanks in the pen's background.
void Screen::Impl::erase_rect(int sr, int er, int sc, int ec, bool selective, uint64_t v) {
  Buffer& b = *cur;
  sr = std::max(sr, 0);
  er = std::min(er, b.rows);
  sc = std::max(sc, 0);
  ec = std::min(ec, b.cols);
  if (sc >= ec) return;
  for (int r = sr; r < er; ++r) {
    Row& row = b.row(r);
    uint16_t& ext = b.ext_of(r);
    Cell* c = row.cells.data();
    if (selective) {
      for (int col = sc; col < ec; ++col)
        if (!(c[col].flags & kProtected)) c[col] = blank;
      if (!pen_default) ext = std::max<uint16_t>(ext, uint16_t(ec));
    } else if (pen_default) {
      if (ec >= ext) {
        if (sc < ext) std::fill(c + sc, c + ext, blank);
        ext = std::min<uint16_t>(ext, uint16_t(sc));
      } else {
        std::fill(c + sc, c + ec, blank);
      }
    } else {
      std::fill(c + sc, c + ec, blank);
      ext = std::max<uint16_t>(ext, uint16_t(ec));
    }
    fix_wide(c, b.cols, sc);
    fix_wide(c, b.cols, ec);
    if (sc == 0 && ec == b.cols) row.wrapped = false;
    row.version = v;
  }
}

// Copies the cells of rectangle `src` to `dest` (same size), like
// screen.c's moverect_internal, in an order safe for overlaps.
void Screen::Impl::move_cells(VTermRect dest, VTermRect src, uint64_t v) {
  Buffer& b = *cur;
  int n = dest.end_col - dest.start_col;
  int downward = src.start_row - dest.start_row;
  int init, test, inc;
  if (downward < 0) {
    init = dest.end_row - 1;
    test = dest.start_row - 1;
    inc = -1;
  } else {
    init = dest.start_row;
    test = dest.end_row;
    inc = 1;
  }
  for (int r = init; r != test; r += inc) {
    Row& to = b.row(r);
    const Row& from = b.row(r + downward);
    std::memmove(static_cast<void*>(to.cells.data() + dest.start_col),
                 from.cells.data() + src.start_col, size_t(n) * sizeof(Cell));
    uint16_t& ext = b.ext_of(r);
    ext = std::max<uint16_t>(ext, uint16_t(dest.end_col));
    to.version = v;
  }
}

void Screen::Impl::switch_buffer(bool to_alt) {
  if (to_alt == alt_active) return;
  if (to_alt && !alt) alt = std::make_unique<Buffer>(rows, cols, Cell{});
  alt_active = to_alt;
  cur = to_alt ? alt.get() : &primary;
  pg_row = -1;
  wrap_pending = false;
  layout_seq = bump();
  for (int r = 0; r < cur->rows; ++r) cur->row(r).version = layout_seq;
}

bool Screen::Impl::row_is_blank(const Buffer& b, int r) const {
  const Row& row = b.row(r);
  uint16_t ext = b.ext[size_t(b.slot(r))];
  for (int c = 0; c < ext; ++c)
    if (row.cells[size_t(c)].ch != kBlank) return false;
  return true;
}

}  // namespace amux::render
