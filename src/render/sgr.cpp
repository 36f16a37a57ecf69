// sgr.cpp — see sgr.h. Follows tmux 3.3a's input_csi_dispatch_sgr and its
// helpers (input.c) case by case.
#include "render/sgr.h"

#include <climits>
#include <cstdint>
#include <vector>

namespace amux::render {

namespace {

struct Param {
  enum Kind : uint8_t { Missing, Number, Colon } kind = Missing;
  int num = 0;
  std::string_view text;  // Colon: the whole parameter
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

// tmux's input_get(i, 0, def): the number, `def` when absent or empty,
// -1 for a parameter with colons.
int get(const std::vector<Param>& p, size_t i, int def) {
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
  // Reused between calls: an SGR costs no allocation.
  thread_local std::vector<Param> list;
  list.clear();
  size_t start = 0;
  while (true) {
    size_t end = params.find(';', start);
    std::string_view f = params.substr(start, end == std::string_view::npos ? end : end - start);
    Param p;
    if (f.find(':') != std::string_view::npos) {
      p.kind = Param::Colon;
      p.text = f;
    } else if (!f.empty()) {
      p.kind = Param::Number;
      if (!to_int(f, p.num)) return;
    }
    list.push_back(p);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }

  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i].kind == Param::Colon) {
      apply_colon(list[i].text, pen);
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

}  // namespace amux::render
