// screen_resize.cpp — resizing the Screen: libvterm's state resize, our
// rows following it (truncated or extended, no reflow in libvterm 0.1.4),
// and the guards a resize needs.
//
// Why: a resize touches every layer of the Screen at once, and two of
// libvterm 0.1.4's crashes (guards 1 and 8, docs/libvterm.md) come from it:
// it can leave the cursor row negative and the scroll region inverted.
#include "render/screen_impl.h"

#include <algorithm>
#include <string>

namespace amux::render {

using namespace screen_detail;

// Truncates or extends a buffer to new_rows x new_cols (no reflow); new
// cells get the current pen, as screen.c's realloc_buffer does.
void Screen::Impl::realloc_buffer(Buffer& b, int new_rows, int new_cols) {
  Buffer nb(new_rows, new_cols, blank);
  for (int r = 0; r < std::min(b.rows, new_rows); ++r) {
    Row& row = b.row(r);
    uint16_t ext = b.ext_of(r);
    row.cells.resize(size_t(new_cols), blank);
    if (new_cols < b.cols) {
      fix_wide(row.cells.data(), new_cols, new_cols);
      ext = std::min<uint16_t>(ext, uint16_t(new_cols));
    } else if (new_cols > b.cols && !pen_default) {
      ext = uint16_t(new_cols);
    }
    nb.slots[size_t(r)] = std::move(row);
    nb.ext[size_t(r)] = ext;
  }
  b = std::move(nb);
}

// State resize callback: mirrors screen.c's resize() in 0.1.4.
int Screen::Impl::on_resize(int new_rows, int new_cols, VTermPos* delta) {
  int old_rows = rows;
  wrap_pending = false;
  pg_row = -1;
  if (!alt_active && new_rows < old_rows) {
    // Keep the cursor and the text above it: scroll up (into the
    // scrollback) as many lines as are non-blank below the new bottom.
    int r = old_rows - 1;
    for (; r >= new_rows; --r)
      if (!row_is_blank(primary, r) || cursor.row == r) break;
    int first_blank = r + 1;
    if (first_blank > new_rows) {
      int d = first_blank - new_rows;
      scroll_rows(0, old_rows, d, bump());
      delta->row -= d;
    }
  }
  realloc_buffer(primary, new_rows, new_cols);
  if (alt) realloc_buffer(*alt, new_rows, new_cols);
  rows = new_rows;
  cols = new_cols;
  if (!alt_active && new_rows > old_rows) {
    // Pull lines back from the scrollback, as screen.c does with
    // sb_popline, so growing again shows what shrinking pushed out.
    ScrollbackLine line;
    for (int k = new_rows - old_rows; k > 0 && sb.pop_newest(line); --k) {
      scroll_rows(0, rows, -1, seq);
      // Like screen.c, every cell of the top row comes from the line; the
      // cells trimmed when it was stored were default blanks.
      Row& top = primary.row(0);
      size_t n = std::min(line.cells.size(), size_t(cols));
      std::copy_n(line.cells.begin(), n, top.cells.begin());
      std::fill(top.cells.begin() + long(n), top.cells.end(), Cell{});
      fix_wide(top.cells.data(), cols, int(n));
      top.wrapped = line.wrapped;
      primary.ext_of(0) = uint16_t(n);
      delta->row += 1;
    }
  }
  layout_seq = bump();
  for (Buffer* b : {&primary, alt.get()})
    if (b)
      for (Row& row : b->slots) row.version = layout_seq;
  return 1;
}

void Screen::resize(int rows, int cols) {
  Impl& s = *impl_;
  rows = clamp_dim(rows);
  cols = clamp_dim(cols);
  if (rows == s.rows && cols == s.cols) return;
  // What the lane held back goes to the filters first: they would have it
  // (and libvterm the part they give out) before the resize's own write.
  if (!s.lane_carry.empty()) {
    std::string held;
    held.swap(s.lane_carry);
    s.feed_filtered(held);
  }
  s.mark.valid = false;  // (the fix below would end "quiet" anyway)
  vterm_set_size(s.vt.get(), rows, cols);
  // Guard 1: libvterm 0.1.4 leaves the cursor row negative when rows shrink
  // with text below the cursor; the next erase would dereference NULL. A
  // negative row becomes CSI 1;<col+1>H.
  s.clamp_cursor();
  // Guard 8: libvterm only clamps the bottom/right margin to the new size,
  // so a scroll region below the new bottom ends up with top > bottom and
  // the next scroll memmoves a negative length (ASan: negative-size-param).
  // Reset both margins, as xterm and tmux do on resize, and put the cursor
  // back where it was (DECSTBM and DECSLRM home it). In libvterm 0.1.4
  // "CSI s" is always DECSLRM, never a cursor save.
  VTermPos pos;
  vterm_state_get_cursorpos(s.state, &pos);
  std::string fix = "\x1b[r\x1b[s\x1b[" + std::to_string(pos.row + 1) + ";" + std::to_string(pos.col + 1) + "H";
  s.write_plain(fix.data(), fix.size());
  s.sync_cursor();
  s.flush_events();
}

}  // namespace amux::render
