// sgr.cpp — see sgr.h. Follows tmux 3.3a's input_csi_dispatch_sgr and its
// helpers (input.c) case by case.
#include "render/sgr.h"

#include <climits>
#include <cstdint>
#include <string>

namespace amux::render {

namespace {

// Plain data: Params holds 257 of them on the stack, and filling that array
// with defaults on every SGR cost more than applying it.
struct Param {
  enum Kind : uint8_t { Missing, Number, Colon } kind;
  int num;
  const char* text;  // Colon: the whole parameter (text_len bytes)
  size_t text_len;
};

// Digits to a number; false past INT_MAX (tmux then drops the sequence).
bool to_int(std::string_view s, int& out) {
  long long v = 0;
  for (char c : s) {
    v = v * 10 + (c - '0');
    if (v > INT_MAX) return false;
  }
  out = int(v);
  return true;
}

// The parameters of one SGR (on the stack: this runs for every SGR).
struct Params {
  static constexpr size_t kMax = 257;  // PenFilter holds at most 256 bytes: 257 empty fields
  Param v[kMax];  // (only v[0, n) is ever written or read)
  size_t n = 0;
  Params() {}  // leaves v uninitialised
  size_t size() const { return n; }
  const Param& operator[](size_t i) const { return v[i]; }
};

// tmux's input_get(i, 0, def): the number, `def` when absent or empty,
// -1 for a parameter with colons.
int get(const Params& p, size_t i, int def) {
  if (i >= p.size() || p[i].kind == Param::Missing) return def;
  if (p[i].kind == Param::Colon) return -1;
  return p[i].num;
}

void clear_underline(Pen& pen) { pen.attrs = uint16_t(pen.attrs & ~kAnyUnderline); }

void set_underline(Pen& pen, uint16_t style) {
  clear_underline(pen);
  pen.attrs = uint16_t(pen.attrs | style);
}

// 38/48/58 with an index (input_csi_dispatch_sgr_256_do).
void set_indexed(Pen& pen, int which, int c) {
  if (c == -1 || c > 255) {
    if (which == 38) pen.fg = Color::def();
    else if (which == 48) pen.bg = Color::def();
  } else {
    Color col = Color::indexed(uint8_t(c));
    if (which == 38) pen.fg = col;
    else if (which == 48) pen.bg = col;
    else pen.ul = col;
  }
}

// 38/48/58 with RGB (input_csi_dispatch_sgr_rgb_do); false if invalid.
bool set_rgb(Pen& pen, int which, int r, int g, int b) {
  if (r < 0 || r > 255 || g < 0 || g > 255 || b < 0 || b > 255) return false;
  Color col = Color::rgb(uint8_t(r), uint8_t(g), uint8_t(b));
  if (which == 38) pen.fg = col;
  else if (which == 48) pen.bg = col;
  else pen.ul = col;
  return true;
}

// A parameter with colons (input_csi_dispatch_sgr_colon).
void apply_colon(std::string_view s, Pen& pen) {
  int p[8];
  for (int& v : p) v = -1;
  size_t n = 0;
  size_t start = 0;
  while (true) {
    size_t end = s.find(':', start);
    std::string_view part = s.substr(start, end == std::string_view::npos ? end : end - start);
    if (!part.empty() && !to_int(part, p[n])) return;
    if (++n == 8) return;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  if (p[0] == 4) {
    if (n != 2) return;
    static constexpr uint16_t kStyles[] = {0, kUnderline, kDoubleUnderline, kCurlyUnderline,
                                           kDottedUnderline, kDashedUnderline};
    if (p[1] >= 0 && p[1] <= 5) set_underline(pen, kStyles[p[1]]);
    return;
  }
  if (n < 2 || (p[0] != 38 && p[0] != 48 && p[0] != 58)) return;
  if (p[1] == 2) {
    if (n < 3) return;
    size_t i = n == 5 ? 2 : 3;  // without or with the colour-space field
    if (n < i + 3) return;
    set_rgb(pen, p[0], p[i], p[i + 1], p[i + 2]);
  } else if (p[1] == 5) {
    if (n < 3) return;
    set_indexed(pen, p[0], p[2]);
  }
}

}  // namespace

void apply_sgr(std::string_view params, Pen& pen) {
  if (params.empty()) {
    pen = Pen{};
    return;
  }
  // One pass over the bytes (a find() per field costs a call each).
  Params list;
  const char* p = params.data();
  const char* const e = p + params.size();
  while (true) {
    const char* f = p;
    long long v = 0;
    bool colon = false, too_big = false;
    for (; p < e && *p != ';'; ++p) {
      if (*p == ':') colon = true;
      else if (!too_big && (v = v * 10 + (*p - '0')) > INT_MAX) too_big = true;
    }
    Param prm{Param::Missing, 0, nullptr, 0};
    if (colon) {
      prm.kind = Param::Colon;
      prm.text = f;
      prm.text_len = size_t(p - f);
    } else if (p > f) {
      if (too_big) return;  // (tmux drops the sequence)
      prm.kind = Param::Number;
      prm.num = int(v);
    }
    if (list.n < Params::kMax) list.v[list.n++] = prm;
    if (p == e) break;
    ++p;  // the ';'
  }

  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i].kind == Param::Colon) {
      apply_colon(std::string_view(list[i].text, list[i].text_len), pen);
      continue;
    }
    int n = get(list, i, 0);
    if (n == 38 || n == 48 || n == 58) {
      ++i;
      switch (get(list, i, -1)) {
        case 2:
          if (set_rgb(pen, n, get(list, i + 1, -1), get(list, i + 2, -1), get(list, i + 3, -1))) i += 3;
          break;
        case 5:
          set_indexed(pen, n, get(list, i + 1, -1));
          ++i;
          break;
        default:
          break;
      }
      continue;
    }
    auto on = [&](uint16_t a) { pen.attrs = uint16_t(pen.attrs | a); };
    auto off = [&](uint16_t a) { pen.attrs = uint16_t(pen.attrs & ~a); };
    switch (n) {
      case 0: pen = Pen{}; break;
      case 1: on(kBold); break;
      case 2: on(kDim); break;
      case 3: on(kItalic); break;
      case 4: set_underline(pen, kUnderline); break;
      case 5:
      case 6: on(kBlink); break;
      case 7: on(kReverse); break;
      case 8: on(kConceal); break;
      case 9: on(kStrike); break;
      case 21: set_underline(pen, kDoubleUnderline); break;
      case 22: off(kBold | kDim); break;
      case 23: off(kItalic); break;
      case 24: clear_underline(pen); break;
      case 25: off(kBlink); break;
      case 27: off(kReverse); break;
      case 28: off(kConceal); break;
      case 29: off(kStrike); break;
      case 39: pen.fg = Color::def(); break;
      case 49: pen.bg = Color::def(); break;
      case 53: on(kOverline); break;
      case 55: off(kOverline); break;
      case 59: pen.ul = Color::def(); break;
      default:
        if (n >= 30 && n <= 37) pen.fg = Color::indexed(uint8_t(n - 30));
        else if (n >= 40 && n <= 47) pen.bg = Color::indexed(uint8_t(n - 40));
        else if (n >= 90 && n <= 97) pen.fg = Color::indexed(uint8_t(n - 90 + 8));
        else if (n >= 100 && n <= 107) pen.bg = Color::indexed(uint8_t(n - 100 + 8));
        break;
    }
  }
}

namespace {

// The parts of append_sgr_params: a colour (nothing for the default).
void append_color(std::string& out, Color c, bool fg) {
  switch (c.kind()) {
    case Color::Default:
      return;
    case Color::Indexed: {
      int i = c.index();
      if (i < 8) out += ";" + std::to_string((fg ? 30 : 40) + i);
      else if (i < 16) out += ";" + std::to_string((fg ? 90 : 100) + i - 8);
      else out += std::string(fg ? ";38;5;" : ";48;5;") + std::to_string(i);
      return;
    }
    case Color::Rgb:
      out += std::string(fg ? ";38;2;" : ";48;2;") + std::to_string(c.r()) + ";" +
             std::to_string(c.g()) + ";" + std::to_string(c.b());
      return;
  }
}

// The underline colour, in the colon form (a terminal that does not know
// SGR 58 skips the whole parameter; the semicolon form would be misread).
void append_ul_color(std::string& out, Color c) {
  switch (c.kind()) {
    case Color::Default:
      return;
    case Color::Indexed:
      out += ";58:5:" + std::to_string(c.index());
      return;
    case Color::Rgb:
      out += ";58:2::" + std::to_string(c.r()) + ":" + std::to_string(c.g()) + ":" +
             std::to_string(c.b());
      return;
  }
}

}  // namespace

void append_sgr_params(std::string& out, const Pen& p) {
  out += "0";
  if (p.attrs & kBold) out += ";1";
  if (p.attrs & kDim) out += ";2";
  if (p.attrs & kItalic) out += ";3";
  if (p.attrs & kUnderline) out += ";4";
  if (p.attrs & kDoubleUnderline) out += ";21";
  if (p.attrs & kCurlyUnderline) out += ";4:3";
  if (p.attrs & kDottedUnderline) out += ";4:4";
  if (p.attrs & kDashedUnderline) out += ";4:5";
  if (p.attrs & kBlink) out += ";5";
  if (p.attrs & kReverse) out += ";7";
  if (p.attrs & kConceal) out += ";8";
  if (p.attrs & kStrike) out += ";9";
  if (p.attrs & kOverline) out += ";53";
  append_color(out, p.fg, true);
  append_color(out, p.bg, false);
  append_ul_color(out, p.ul);
}

}  // namespace amux::render
