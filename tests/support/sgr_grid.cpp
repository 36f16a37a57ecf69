// sgr_grid.cpp — see sgr_grid.h.
#include "support/sgr_grid.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace amux::test {

namespace {

constexpr uint32_t kAnyUnderline =
    kGUnderline | kGDoubleUnderline | kGCurlyUnderline | kGDottedUnderline | kGDashedUnderline;
// What a blank cell shows besides its background.
constexpr uint32_t kVisibleOnBlank = kAnyUnderline | kGReverse | kGStrike | kGOverline;

std::string palette(int n) { return "i" + std::to_string(n); }

std::string rgb(long r, long g, long b) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "#%02lx%02lx%02lx", r & 0xff, g & 0xff, b & 0xff);
  return buf;
}

using Param = std::vector<long>;  // a parameter and its ':' sub-parameters (-1: empty)

std::vector<Param> split_params(const std::string& s) {
  std::vector<Param> out(1);
  std::string num;
  auto flush = [&] {
    out.back().push_back(num.empty() ? -1 : std::stol(num));
    num.clear();
  };
  for (char c : s) {
    if (c == ';') {
      flush();
      out.emplace_back();
    } else if (c == ':') {
      flush();
    } else if (c >= '0' && c <= '9') {
      num.push_back(c);
    }
  }
  flush();
  return out;
}

// A 38/48/58 colour: from the sub-parameters of p (colon form) or from the
// parameters after it (semicolon form, advancing i).
std::string extended_colour(const std::vector<Param>& ps, size_t& i) {
  const Param& p = ps[i];
  auto v = [](long x) { return x < 0 ? 0 : x; };
  if (p.size() > 1) {
    if (p[1] == 5 && p.size() >= 3) return palette(int(v(p[2])));
    if (p[1] == 2) {
      // 38:2:cs:r:g:b (cs may be empty) or 38:2:r:g:b
      if (p.size() >= 6) return rgb(v(p[3]), v(p[4]), v(p[5]));
      if (p.size() == 5) return rgb(v(p[2]), v(p[3]), v(p[4]));
    }
    return "";
  }
  if (i + 1 >= ps.size()) return "";
  long kind = ps[i + 1][0];
  if (kind == 5 && i + 2 < ps.size()) {
    i += 2;
    return palette(int(v(ps[i][0])));
  }
  if (kind == 2 && i + 4 < ps.size()) {
    std::string c = rgb(v(ps[i + 2][0]), v(ps[i + 3][0]), v(ps[i + 4][0]));
    i += 4;
    return c;
  }
  i += 1;
  return "";
}

void apply_sgr(GridPen& pen, const std::string& params) {
  std::vector<Param> ps = split_params(params);
  for (size_t i = 0; i < ps.size(); ++i) {
    const Param& p = ps[i];
    long n = p[0] < 0 ? 0 : p[0];
    switch (n) {
      case 0: pen = GridPen{}; break;
      case 1: pen.attrs |= kGBold; break;
      case 2: pen.attrs |= kGDim; break;
      case 3: pen.attrs |= kGItalic; break;
      case 4: {
        pen.attrs &= ~kAnyUnderline;
        long style = p.size() > 1 ? p[1] : 1;
        static const uint32_t styles[] = {0, kGUnderline, kGDoubleUnderline, kGCurlyUnderline,
                                          kGDottedUnderline, kGDashedUnderline};
        if (style < 0) style = 1;
        if (style <= 5) pen.attrs |= styles[style];
        break;
      }
      case 5:
        // tmux 3.3a's capture writes overline (53) as "5:3".
        if (p.size() > 1 && p[1] == 3) pen.attrs |= kGOverline;
        else pen.attrs |= kGBlink;
        break;
      // tmux has one blink: rapid blink (6) shows as blink (5) there.
      case 6: pen.attrs |= kGBlink; break;
      case 7: pen.attrs |= kGReverse; break;
      case 8: pen.attrs |= kGConceal; break;
      case 9: pen.attrs |= kGStrike; break;
      case 21: pen.attrs = (pen.attrs & ~kAnyUnderline) | kGDoubleUnderline; break;
      case 22: pen.attrs &= ~(kGBold | kGDim); break;
      case 23: pen.attrs &= ~kGItalic; break;
      case 24: pen.attrs &= ~kAnyUnderline; break;
      case 25: pen.attrs &= ~kGBlink; break;
      case 27: pen.attrs &= ~kGReverse; break;
      case 28: pen.attrs &= ~kGConceal; break;
      case 29: pen.attrs &= ~kGStrike; break;
      case 38: pen.fg = extended_colour(ps, i); break;
      case 39: pen.fg.clear(); break;
      case 48: pen.bg = extended_colour(ps, i); break;
      case 49: pen.bg.clear(); break;
      case 53: pen.attrs |= kGOverline; break;
      case 55: pen.attrs &= ~kGOverline; break;
      case 58: pen.ul = extended_colour(ps, i); break;
      case 59: pen.ul.clear(); break;
      default:
        if (n >= 30 && n <= 37) pen.fg = palette(int(n - 30));
        else if (n >= 40 && n <= 47) pen.bg = palette(int(n - 40));
        else if (n >= 90 && n <= 97) pen.fg = palette(int(n - 90 + 8));
        else if (n >= 100 && n <= 107) pen.bg = palette(int(n - 100 + 8));
        break;
    }
  }
}

GridPen blank_pen(GridPen p) {
  p.fg.clear();
  p.attrs &= kVisibleOnBlank;
  if (!(p.attrs & kAnyUnderline)) p.ul.clear();
  return p;
}

bool trailing_blank(const GridCell& c) { return c.text == " " && (c.pen.attrs & kVisibleOnBlank) == 0; }

// Decodes one code point at s[i] (U+FFFD for an ill-formed byte).
int32_t decode(const std::string& s, size_t& i) {
  int32_t cp = 0;
  auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                            utf8proc_ssize_t(s.size() - i), &cp);
  if (n <= 0) {
    i += 1;
    return 0xFFFD;
  }
  i += size_t(n);
  return cp;
}

// The DEC special graphics set for 0x5f..0x7e, as xterm shows it.
const char* const kDecGraphics[] = {
    "\u00a0", "\u25c6", "\u2592", "\u2409", "\u240c", "\u240d", "\u240a", "\u00b0",
    "\u00b1", "\u2424", "\u240b", "\u2518", "\u2510", "\u250c", "\u2514", "\u253c",
    "\u23ba", "\u23bb", "\u2500", "\u23bc", "\u23bd", "\u251c", "\u2524", "\u2534",
    "\u252c", "\u2502", "\u2264", "\u2265", "\u03c0", "\u2260", "\u00a3", "\u00b7"};

}  // namespace

Grid parse_capture(const std::string& capture) {
  Grid grid(1);
  GridPen pen;
  bool graphics = false;  // tmux marks line-drawing cells with SO ... SI
  size_t i = 0;
  while (i < capture.size()) {
    unsigned char c = static_cast<unsigned char>(capture[i]);
    if (c == '\n') {
      grid.emplace_back();
      ++i;
      continue;
    }
    if (c == 0x1b) {
      if (i + 1 < capture.size() && capture[i + 1] == '[') {
        size_t j = i + 2;
        while (j < capture.size() && (capture[j] < 0x40 || capture[j] > 0x7e)) ++j;
        if (j < capture.size() && capture[j] == 'm') apply_sgr(pen, capture.substr(i + 2, j - i - 2));
        i = j + 1;
      } else {
        i += 2;  // another escape: not part of a capture's text
      }
      continue;
    }
    if (c == 0x0e || c == 0x0f) {
      graphics = c == 0x0e;
      ++i;
      continue;
    }
    if (c < 0x20 || c == 0x7f) {
      ++i;
      continue;
    }
    int32_t cp = decode(capture, i);
    std::string text(4, '\0');
    text.resize(size_t(utf8proc_encode_char(cp, reinterpret_cast<utf8proc_uint8_t*>(text.data()))));
    if (graphics && cp >= 0x5f && cp <= 0x7e) text = kDecGraphics[cp - 0x5f];
    GridRow& row = grid.back();
    if (!row.empty() && utf8proc_charwidth(cp) == 0 && cp >= 0x300) {
      row.back().text += text;  // a zero-width character joins the one before it
      continue;
    }
    row.push_back({text, text == " " ? blank_pen(pen) : pen});
  }
  for (GridRow& row : grid)
    while (!row.empty() && trailing_blank(row.back())) row.pop_back();
  while (!grid.empty() && grid.back().empty()) grid.pop_back();
  return grid;
}

std::string describe_pen(const GridPen& p) {
  static const char* names[] = {"bold",  "dim",        "italic",  "ul",      "ul-double",
                                "ul-curly", "ul-dotted", "ul-dashed", "blink", "(unused)",
                                "reverse", "conceal",    "strike",  "overline"};
  std::string out;
  auto add = [&](const std::string& s) { out += (out.empty() ? "" : ",") + s; };
  for (size_t b = 0; b < sizeof names / sizeof names[0]; ++b)
    if (p.attrs & (1u << b)) add(names[b]);
  if (!p.fg.empty()) add("fg=" + p.fg);
  if (!p.bg.empty()) add("bg=" + p.bg);
  if (!p.ul.empty()) add("ulc=" + p.ul);
  return out.empty() ? "plain" : out;
}

std::string show_row(const GridRow& row) {
  std::string out;
  GridPen pen;
  for (const GridCell& c : row) {
    if (!(c.pen == pen)) {
      out += "{" + describe_pen(c.pen) + "}";
      pen = c.pen;
    }
    out += c.text;
  }
  return out;
}

GridDiff diff_grids(const Grid& expected, const Grid& actual, const std::string& expected_name,
                    const std::string& actual_name) {
  GridDiff d;
  std::ostringstream o;
  const size_t n = std::max(expected.size(), actual.size());
  const size_t w = std::max(expected_name.size(), actual_name.size());
  auto pad = [w](std::string s) { return s + std::string(w - s.size(), ' '); };
  for (size_t r = 0; r < n; ++r) {
    static const GridRow empty;
    const GridRow& a = r < expected.size() ? expected[r] : empty;
    const GridRow& b = r < actual.size() ? actual[r] : empty;
    if (a == b) continue;
    ++d.rows;
    size_t col = 0;
    while (col < a.size() && col < b.size() && a[col] == b[col]) ++col;
    o << "row " << r << ", first difference at character " << col << ":\n";
    o << "  " << pad(expected_name) << " |" << show_row(a) << "|\n";
    o << "  " << pad(actual_name) << " |" << show_row(b) << "|\n";
    auto cell = [](const GridRow& x, size_t c) {
      return c < x.size() ? "'" + x[c].text + "' " + describe_pen(x[c].pen) : std::string("(end of row)");
    };
    o << "  " << pad(expected_name) << " [" << col << "] " << cell(a, col) << "\n";
    o << "  " << pad(actual_name) << " [" << col << "] " << cell(b, col) << "\n";
  }
  d.text = o.str();
  return d;
}

}  // namespace amux::test
