// screen_fast_text.cpp — the fast path for plain text
// (Screen::Options::fast_text): runs of printable ASCII written straight
// into the rows instead of through libvterm's per-character callback.
//
// Why: most program output is runs of printable ASCII, and libvterm spends
// most of its time, and ours, on one putglyph callback per character. Each
// run's first character (the probe) and last go through libvterm, so every
// state it keeps (pending wrap, double-width lines, DECSCA, the previous
// glyph) is seen rather than guessed; the middle is copied into the probe's
// row and libvterm's cursor moved past it with a CUF; what follows in that
// row, while it is glyphs (ASCII or UTF-8) and SGR markers, is written the
// same way (chain_markers), so coloured words and UTF-8 among the text cost
// libvterm nothing. VtShadow says where a
// run is plain. The full argument, with the probe-less start after SGR, CR
// and LF: docs/libvterm.md, "The fast path for plain text". A differential
// test (test_render_fastpath) compares the result with the path off.
// Every write to libvterm goes through input() or write_plain() here, so
// the shadow sees every byte libvterm does.
#include "render/screen_impl.h"

#include <algorithm>
#include <cstring>

#include "render/sgr.h"
#include "render/utf8.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace amux::render {

using namespace screen_detail;

namespace {

// Runs shorter than kMinRun bytes, or with room for fewer than kMinFast
// characters between the probe and the last one, go through libvterm (a cut
// costs two writes and a CUF).
constexpr size_t kMinRun = 6;
constexpr size_t kMinFast = 3;

// The end of the run of printable ASCII in p[i..n) (8 bytes at a time).
size_t run_end(const char* p, size_t i, size_t n) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  while (i + 8 <= n) {
    uint64_t x;
    std::memcpy(&x, p + i, 8);
    // A byte < 0x20, or >= 0x7f, sets its high bit here (perhaps also a
    // byte after it: then the bytes are checked one by one below).
    uint64_t low = (x - 0x20 * kOnes) & ~x;
    uint64_t high = (x + kOnes) | x;
    if ((low | high) & kHigh) break;
    i += 8;
  }
  while (i < n && VtShadow::printable(static_cast<unsigned char>(p[i]))) ++i;
  return i;
}

}  // namespace

// Gives libvterm bytes as they are (guards' own sequences; all input
// when the fast path is off, which then needs no shadow).
void Screen::Impl::write_plain(const char* p, size_t n) {
  vterm_input_write(vt.get(), p, n);
  if (!fast_text) return;
  shadow.advance(p, n);
  shadow.end_write();
}

// Gives libvterm one piece of input, writing the middle of each plain
// ASCII run into the rows directly (docs/libvterm.md, "The fast path
// for plain text").
void Screen::Impl::input(const char* p, size_t n) {
  if (!fast_text) return write_plain(p, n);
  size_t seg = 0;  // p[seg..i) is still to be written to libvterm
  size_t i = 0;
  while ((i = shadow.scan(p, i, n)) < n) {
    size_t b = run_end(p, i + 1, n);
    bool quiet = shadow.quiet();
    if (b - i < kMinRun || !shadow.plain_here()) {
      if (quiet && mark.valid && shadow.plain_here() && chain_after_mark(p, seg, i, b, n)) {
        i = after_fast(p, i, b);
        continue;
      }
      shadow.ascii(b - i);
      i = b;
      continue;
    }
    if (quiet && mark.valid) {
      // Since the last character of the last fast run, libvterm got only
      // SGR, CR and LF: no probe needed (docs/libvterm.md).
      if (seg < i) vterm_input_write(vt.get(), p + seg, i - seg);
      shadow.end_write();
      seg = i;
      size_t k = fast_after_mark(p + i, b - i - 1);
      if (k > 0) {
        i = seg = i + k;
        chain_markers(p, i, b, n, -1);
        seg = i;
        i = after_fast(p, i, b);
        continue;
      }
    }
    mark.valid = false;
    size_t pre = 0;
    if (seg == i) {
      // libvterm's cursor is where the run starts. Near the right edge,
      // let libvterm fill the row (and wrap) so the probe lands where
      // there is room. (Otherwise the bytes before the run go in the same
      // write as the probe and the cursor is not known yet; if the probe
      // lands too near the edge, the rest of the run comes back here.)
      VTermPos at;
      vterm_state_get_cursorpos(state, &at);
      if (at.col < 0 || at.col >= cols) pre = b - i;  // (not expected) no fast path
      else if (size_t(cols - at.col) < kMinFast + 2) pre = size_t(cols - at.col);
    }
    size_t q = i + pre;  // the probe
    if (q + kMinFast + 2 > b) {
      shadow.ascii(b - i);
      i = b;
      continue;
    }
    uint64_t before = pg_count;
    vterm_input_write(vt.get(), p + seg, q + 1 - seg);
    shadow.ascii(q + 1 - i);
    shadow.end_write();
    i = seg = q + 1;
    size_t k = fast_after_probe(p + i, b - i - 1, static_cast<unsigned char>(p[q]), before);
    i = seg = i + k;
    if (k > 0) {
      chain_markers(p, i, b, n, -1);
      seg = i;
      i = after_fast(p, i, b);
    }
    // Otherwise the rest of the run, p[i..b), starts a new text call; the
    // loop sees it again (it may be long enough for another probe after
    // a wrap).
  }
  if (seg < n) vterm_input_write(vt.get(), p + seg, n - seg);
  shadow.end_write();
}

// After fast cells up to p[i], the rest of the run p[i..b) is left to
// libvterm. When that is just the last character, it is taken into the
// shadow here and marked: if only SGR, CR and LF follow it, the next run
// needs no probe. Returns where the loop goes on.
size_t Screen::Impl::after_fast(const char* p, size_t i, size_t b) {
  if (b - i != 1) return i;
  shadow.ascii(1);
  shadow.mark_quiet();
  mark.valid = true;
  mark.count = pg_count;
  mark.ch = static_cast<unsigned char>(p[i]);
  mark.pos = last_fast_end;
  return b;
}

// After the probe `probe` went through libvterm, copies up to `avail`
// bytes of src (printable ASCII) into the probe's row and moves
// libvterm's cursor past them. Returns how many (0: none, see input()).
size_t Screen::Impl::fast_after_probe(const char* src, size_t avail, unsigned char probe, uint64_t before) {
  if (pg_count == before || pg_last_ch != probe || !pg_last_plain) return 0;
  VTermPos now;
  vterm_state_get_cursorpos(state, &now);
  int c0 = pg_last.col + 1;
  if (now.row != pg_last.row || now.col != c0) return 0;  // e.g. insert mode
  // The probe cell holds what putglyph stored for it: pen, DECSCA bit.
  Cell t = cur->row(pg_last.row).cells[size_t(pg_last.col)];
  return write_fast(src, avail, now, t);
}

// The probe-less start: the last character of the previous fast run went
// through libvterm (mark) and since then only SGR, CR and LF (the
// shadow's "quiet"). That glyph was not in the last column, so libvterm
// had no pending wrap after it, and none of those sequences sets one,
// changes DECSCA, or (without DECDWL/DECDHL) makes a line double-width.
// So libvterm's cursor (read back) is where the next glyph goes, in the
// pen our mirror follows, with the DECSCA bit of that last glyph.
size_t Screen::Impl::fast_after_mark(const char* src, size_t avail) {
  mark.valid = false;
  if (pg_count != mark.count + 1 || pg_last.row != mark.pos.row || pg_last.col != mark.pos.col ||
      pg_last_ch != mark.ch || !pg_last_plain || pg_last.col + 1 >= cols)
    return 0;
  VTermPos now;
  vterm_state_get_cursorpos(state, &now);
  if (unsigned(now.row) >= unsigned(rows) || unsigned(now.col) >= unsigned(cols)) return 0;
  Cell t{0, pen.fg, pen.bg, pen.attrs, 1, cell_flags(pg_last_prot)};
  return write_fast(src, avail, now, t);
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

// Writes up to `avail` bytes of src as cells like `t` (its ch ignored)
// from libvterm's cursor `at` on, stopping one column before the right
// edge, as putglyph would for each; then moves libvterm's cursor past
// them with a CUF. Returns how many (0 if fewer than kMinFast fit).
size_t Screen::Impl::write_fast(const char* src, size_t avail, VTermPos at, Cell t) {
  int c0 = at.col;
  if (c0 + int(kMinFast) > cols - 1) return 0;
  size_t k = std::min(avail, size_t(cols - 1 - c0));
  if (k < kMinFast) return 0;
  put_cells(src, k, at, t);
  move_vterm_right(k);
  return k;
}

// Writes the k bytes of src (printable ASCII) as cells like `t` from `at`
// on, as putglyph would (at.col + k < cols: never into the last column);
// libvterm's cursor is not moved.
void Screen::Impl::put_cells(const char* src, size_t k, VTermPos at, Cell t) {
  int c0 = at.col;
  Buffer& b = *cur;
  int si = b.slot(at.row);
  Row& row = b.slots[size_t(si)];
  Cell* c = row.cells.data();
  // putglyph's bookkeeping for the first cell (after it, each cell's left
  // neighbour is the narrow cell just written): half of a wide character
  // overwritten, and a pending soft wrap.
  if (c0 > 0 && c[c0].ch == kWideTail && c[c0 - 1].width == 2) {
    c[c0 - 1].ch = kBlank;
    c[c0 - 1].width = 1;
  }
  if (wrap_pending) {
    if (c0 == 0 && at.row == wrap_row + 1) cur->row(wrap_row).wrapped = true;
    wrap_pending = false;
  }
  Cell* out = c + c0;
#if defined(__SSE2__)
  t.ch = 0;
  __m128i tmpl;
  std::memcpy(&tmpl, &t, sizeof t);
  size_t j = 0;
  const __m128i zero = _mm_setzero_si128(), lane0 = _mm_cvtsi32_si128(-1);
  for (; j + 4 <= k; j += 4) {  // four bytes -> four cells
    int32_t four;
    std::memcpy(&four, src + j, 4);
    __m128i d = _mm_unpacklo_epi16(_mm_unpacklo_epi8(_mm_cvtsi32_si128(four), zero), zero);
    auto* o = reinterpret_cast<__m128i*>(out + j);
    _mm_storeu_si128(o, _mm_or_si128(tmpl, _mm_and_si128(d, lane0)));
    _mm_storeu_si128(o + 1, _mm_or_si128(tmpl, _mm_and_si128(_mm_srli_si128(d, 4), lane0)));
    _mm_storeu_si128(o + 2, _mm_or_si128(tmpl, _mm_and_si128(_mm_srli_si128(d, 8), lane0)));
    _mm_storeu_si128(o + 3, _mm_or_si128(tmpl, _mm_srli_si128(d, 12)));
  }
  for (; j < k; ++j) {
    __m128i cell = _mm_or_si128(tmpl, _mm_cvtsi32_si128(static_cast<unsigned char>(src[j])));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + j), cell);
  }
#else
  for (size_t j = 0; j < k; ++j) {
    t.ch = static_cast<unsigned char>(src[j]);
    out[j] = t;
  }
#endif
  int end = c0 + int(k);
  if (end < cols && c[end].ch == kWideTail) c[end].ch = kBlank;
  uint16_t& ext = b.ext[size_t(si)];
  if (end > ext) ext = uint16_t(end);
  seq += k;  // one bump per glyph, as putglyph
  row.version = seq;
  last_fast_end = VTermPos{at.row, end};
}

// Moves libvterm's cursor k columns right (CUF; it stays off the last
// column, so no pending wrap is involved).
void Screen::Impl::move_vterm_right(size_t k) {
  char cuf[16] = {'\x1b', '['};
  size_t m = 2;
  char digits[8];
  size_t nd = 0;
  for (size_t v = k; v > 0; v /= 10) digits[nd++] = char('0' + v % 10);  // k < 2000
  while (nd > 0) cuf[m++] = digits[--nd];
  cuf[m++] = 'C';
  vterm_input_write(vt.get(), cuf, m);  // neutral for the shadow
}

// The end of the pen marker (`CSI id p`, PenFilter) at p[i..n), or 0 if
// there is none there, whole.
static size_t marker_end(const char* p, size_t i, size_t n) {
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
static bool chain_glyph(const char* p, size_t j, size_t n, ChainGlyph& g) {
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
      if (pens.take(id, marker_params)) {
        apply_sgr(marker_params, pen);
        set_pen_cell();
      }
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

}  // namespace amux::render
