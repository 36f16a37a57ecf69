// screen_chain.cpp — the fast path's chain: after a fast run, the glyphs
// (printable ASCII, UTF-8 of width 1 or 2) and SGR markers that follow in
// the same row are written into the rows without libvterm.
//
// Why: agent output is short coloured words and UTF-8 (bullets, box
// drawing, CJK) among ASCII; each SGR or non-ASCII character used to end a
// fast run and send the next characters through libvterm's putglyph one by
// one. The chain applies each marker to the pen itself (as on_marker) and
// writes the cells as putglyph would; libvterm sees none of those bytes, so
// its state stays what the fast run's start was checked against, and one
// CUF moves its cursor past them. The argument: docs/libvterm.md, "The fast
// path for plain text". FastPath.SgrBetweenRunsWrittenDirectly compares
// it with the path off.
#include <algorithm>

#include "render/screen_impl.h"
#include "render/utf8.h"

namespace amux::render {

using namespace screen_detail;

namespace {

// The end of the pen marker (`CSI id p`, PenFilter) at p[i..n), or 0 if
// there is none there, whole.
size_t marker_end(const char* p, size_t i, size_t n) {
  if (i + 3 >= n || p[i] != '\x1b' || p[i + 1] != '[') return 0;
  size_t j = i + 2;
  while (j < n && j < i + 14 && p[j] >= '0' && p[j] <= '9') ++j;
  if (j == i + 2 || j >= n || p[j] != PenFilter::kMarkerFinal) return 0;
  return j + 1;
}

// A glyph the chain may write itself: printable ASCII, or a whole UTF-8
// sequence of a code point libvterm gives width 1 or 2 (never one it would
// combine with the glyph before).
struct ChainGlyph {
  char32_t cp = 0;
  size_t len = 0;
  int width = 0;
};
bool chain_glyph(const char* p, size_t j, size_t n, ChainGlyph& g) {
  if (j >= n) return false;
  auto c = static_cast<unsigned char>(p[j]);
  if (c < 0x80) {
    if (!VtShadow::printable(c)) return false;
    g = ChainGlyph{c, 1, 1};
    return true;
  }
  size_t len = utf8::sequence_length(c);
  if (len < 2 || j + len > n) return false;
  size_t pos = 0;
  char32_t cp = utf8::decode(std::string_view(p + j, len), pos);
  if (pos != len || cp == utf8::kReplacement) return false;
  int w = WidthFilter::passed_width(cp);
  if (w < 1) return false;
  g = ChainGlyph{cp, len, w};
  return true;
}

}  // namespace

// Writes one glyph as putglyph would (at.col + width < cols).
void Screen::Impl::put_glyph(char32_t ch, int w, VTermPos at, uint8_t flags) {
  Buffer& b = *cur;
  int si = b.slot(at.row);
  Row& row = b.slots[size_t(si)];
  Cell* c = row.cells.data();
  int col = at.col;
  if (wrap_pending) {  // (as in put_cells)
    if (col == 0 && at.row == wrap_row + 1) cur->row(wrap_row).wrapped = true;
    wrap_pending = false;
  }
  if (c[col].ch == kWideTail && col > 0 && c[col - 1].width == 2) {
    c[col - 1].ch = kBlank;
    c[col - 1].width = 1;
  }
  int end = col + w;
  if (end < cols && c[end].ch == kWideTail) c[end].ch = kBlank;
  c[col] = Cell{ch, pen.fg, pen.bg, pen.attrs, uint8_t(w), flags};
  if (w == 2) c[col + 1] = Cell{kWideTail, pen.fg, pen.bg, pen.attrs, 1, flags};
  uint16_t& ext = b.ext[size_t(si)];
  if (end > ext) ext = uint16_t(end);
  row.version = bump();
}

// Fast cells were written up to p[i], libvterm's cursor moved past them
// (to last_fast_end), and p[i..b) is the rest of the run. What follows in
// this row is written here too, without libvterm, for as long as it is
// glyphs (printable ASCII, and UTF-8 of width 1 or 2) and pen markers
// (applied to the pen here, as on_marker would): libvterm's cursor is then
// moved past all of it with one CUF. libvterm sees none of it, so its state
// stays what the run's start was checked against (the shadow's "plain
// here"). A glyph is written here only when another glyph follows it
// (markers between): the glyph before anything else goes to libvterm, so
// the glyph a combining mark would join is one libvterm knows. Stops before
// the last column. On return p[i..) is left to libvterm (the caller), and
// p[i..b) is the printable ASCII there (b == i for anything else).
void Screen::Impl::chain_markers(const char* p, size_t& i, size_t& b, size_t n, int prot_in) {
  VTermPos at = last_fast_end;
  if (at.row < 0 || at.col < 0 || at.col >= cols || (prot_in < 0 && at.col == 0)) return;
  // The DECSCA bit: the cell before's (fast cells), or the one given.
  const bool prot = prot_in >= 0 ? prot_in != 0 : cur->row(at.row).cells[size_t(at.col - 1)].flags & kProtected;
  size_t moved = 0;
  size_t j = i;
  ChainGlyph g, h;
  while (chain_glyph(p, j, n, g) && at.col + g.width <= cols - 1) {
    if (g.cp < 0x80) {
      // A run of ASCII: all of it but its last byte at once.
      size_t r = run_end(p, j + 1, n);
      size_t k = std::min(r - j - 1, size_t(cols - 1 - at.col));
      if (k > 0) {
        put_cells(p + j, k, at, Cell{0, pen.fg, pen.bg, pen.attrs, 1, cell_flags(prot)});
        at.col += int(k);
        moved += k;
        j += k;
        continue;  // (j is at the run's last byte, or where the row ends)
      }
    }
    size_t next = j + g.len, m;
    while ((m = marker_end(p, next, n))) next = m;
    if (!chain_glyph(p, next, n, h)) break;
    put_glyph(g.cp < 0x80 ? g.cp : widths.real(g.cp), g.width, at, cell_flags(prot));
    at.col += g.width;
    moved += size_t(g.width);
    for (size_t k = j + g.len; k < next;) {
      size_t e = marker_end(p, k, n);
      uint32_t id = 0;
      for (size_t d = k + 2; d + 1 < e; ++d) id = id * 10 + uint32_t(p[d] - '0');
      apply_marker(id);
      k = e;
    }
    j = next;
  }
  i = j;
  b = j < n && VtShadow::printable(static_cast<unsigned char>(p[j])) ? run_end(p, j + 1, n) : j;
  if (moved > 0) {
    last_fast_end = at;
    move_vterm_right(moved);
  }
}

// A run too short for fast_after_mark in the same state (quiet since the
// mark): libvterm's cursor is read back and the chain starts there, so a
// short coloured word or UTF-8 after CR LF costs libvterm nothing either.
// False (nothing written) when the mark does not hold or the chain wrote
// nothing; the bytes before the run have been given to libvterm (seg = i).
bool Screen::Impl::chain_after_mark(const char* p, size_t& seg, size_t& i, size_t& b, size_t n) {
  if (seg < i) vterm_input_write(vt.get(), p + seg, i - seg);
  shadow.end_write();
  seg = i;
  mark.valid = false;
  if (pg_count != mark.count + 1 || pg_last.row != mark.pos.row || pg_last.col != mark.pos.col ||
      pg_last_ch != mark.ch || !pg_last_plain || pg_last.col + 1 >= cols)
    return false;
  VTermPos now;
  vterm_state_get_cursorpos(state, &now);
  if (unsigned(now.row) >= unsigned(rows) || unsigned(now.col) >= unsigned(cols)) return false;
  last_fast_end = now;
  size_t start = i;
  chain_markers(p, i, b, n, pg_last_prot ? 1 : 0);
  if (i == start) return false;
  seg = i;
  return true;
}

}  // namespace amux::render
