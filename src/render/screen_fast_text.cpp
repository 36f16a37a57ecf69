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

}  // namespace amux::render
