// screen_lane.cpp — the lane past the input filters: the part of a feed
// that is only text, SGR, CR and LF, checked and rewritten in one pass.
//
// Why: feed() hands program output to four filters in turn (WidthFilter,
// PenFilter, CsiGuard, ModeScanner), each a pass over every byte with its
// own copy of libvterm's parser states. What agent TUIs print is nearly all
// printable ASCII, well-formed UTF-8 of width 1 or 2 (box drawing, bullets,
// CJK), SGR and CR LF: of that, WidthFilter passes all as it is, PenFilter
// only turns each SGR into its marker, and CsiGuard and ModeScanner change
// nothing (a marker has one parameter and is no mode). So while all four
// are at rest (outside any sequence, nothing held back), the lane takes the
// longest start of the input made only of such pieces, whole, makes the
// same output the filters would (each SGR its marker, from PenFilter
// itself), and leaves the filters in the state they would be in after it
// (only WidthFilter's "was the last thing a glyph" changes); the rest of
// the input goes through the filters as a feed of its own would. The lane
// ends where libvterm's text call would end anyway (after an SGR, CR or LF)
// or at the end of the input, so the extra write boundary changes nothing
// libvterm does. It runs
// only with the fast path on, so test_render_fastpath and fuzz_screen,
// which compare the Screen with the fast path on and off, check it.
#include "render/screen_impl.h"
#include "render/sgr.h"

namespace amux::render {

using namespace screen_detail;

namespace {

bool is_sgr_param(unsigned char c) { return (c >= '0' && c <= '9') || c == ';' || c == ':'; }

// The code point of the well-formed UTF-8 sequence at p[i..n) (Unicode's
// table, as WidthFilter decodes it) and its length; 0 when it is
// ill-formed or cut short.
size_t utf8_at(const unsigned char* p, size_t i, size_t n, char32_t& cp) {
  unsigned char c = p[i];
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0F;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > n) return 0;
  for (size_t k = 1; k < len; ++k) {
    unsigned char b = p[i + k];
    if (b < lo || b > hi) return 0;
    lo = 0x80;
    hi = 0xBF;
    cp = (cp << 6) | (b & 0x3F);
  }
  return len;
}

// Whether p[i..n) is the start of a well-formed UTF-8 sequence cut short
// by the end of the input.
bool utf8_cut_short(const unsigned char* p, size_t i, size_t n) {
  unsigned char c = p[i];
  size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
  if (len == 0 || i + len <= n) return false;
  unsigned char lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
  unsigned char hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
  for (size_t k = i + 1; k < n; ++k, lo = 0x80, hi = 0xBF)
    if (p[k] < lo || p[k] > hi) return false;
  return true;
}

}  // namespace

bool Screen::Impl::lane_ready() const {
  return widths.at_rest() && pens.at_rest() && csi_guard.at_rest() && scanner.at_rest() &&
         str_carry.empty() && carry_len == 0;
}

// Takes the longest start of `in` made of printable ASCII, UTF-8 glyphs
// WidthFilter passes as they are, SGR (ESC [ params m, params no longer
// than PenFilter holds) and CR and LF; `out` gets what the filters would
// make of it. An SGR or UTF-8 sequence cut by the end of `in` is held
// back in lane_carry (feed() puts it before the next input). Returns how
// many bytes of `in` it took (held back included).
size_t Screen::Impl::lane(std::string_view in, std::string& out) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const size_t n = in.size();
  size_t i = 0, copied = 0;
  bool glyph = false;  // the last piece taken was a glyph
  size_t safe = 0;     // the end of the last piece that was not
  bool held = false;
  Pen run = pen;  // the pen after each SGR taken (every byte before `in` is through)
  out.clear();
  while (i < n) {
    const unsigned char c = p[i];
    if (VtShadow::printable(c)) {
      i = run_end(in.data(), i + 1, n);
      glyph = true;
    } else if (c == '\r' || c == '\n') {
      safe = ++i;
      glyph = false;
    } else if (c >= 0x80) {
      char32_t cp;
      size_t len = utf8_at(p, i, n, cp);
      if (len == 0) {
        held = utf8_cut_short(p, i, n);
        break;
      }
      if (WidthFilter::plain_glyph_width(cp) == 0) break;
      i += len;
      glyph = true;
    } else if (c == 0x1b) {
      // (A lone ESC at the end is not held: PenFilter gives it out, and
      // libvterm, in its escape state, then sees a resize's own sequence.)
      if (i + 1 == n || p[i + 1] != '[') break;
      size_t j = i + 2;
      const size_t limit = std::min(n, j + PenFilter::kMaxParams);
      while (j < limit && is_sgr_param(p[j])) ++j;
      if (j == n) {  // ESC [ and parameters cut off (PenFilter holds them too)
        held = true;
        break;
      }
      if (p[j] != 'm') break;
      out.append(in.data() + copied, i - copied);
      apply_sgr(in.substr(i + 2, j - i - 2), run);
      pens.append_pen_marker(run, out);
      i = copied = safe = j + 1;
      glyph = false;
    } else {
      break;
    }
  }
  // Cut only where libvterm's text call ends anyway: a glyph cut from
  // what follows it (a combining mark, say) is not always treated the same
  // as in one write (at the right margin it is not joined).
  // (Where the input ends, the slow path's write ends too.)
  if (held) {
    lane_carry.assign(in.substr(i));
  } else if (i < n && glyph) {
    i = safe;
    glyph = false;
  }
  if (i > 0) {
    out.append(in.data() + copied, i - copied);
    widths.passed_plain(glyph);
  }
  return held ? n : i;
}

}  // namespace amux::render
