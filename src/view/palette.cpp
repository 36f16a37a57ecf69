// palette.cpp — see palette.h.
#include "view/palette.h"

#include <algorithm>
#include <cstdlib>

namespace amux::view {
namespace {

// xterm's 256-colour cube levels.
constexpr int kLevels[6] = {0, 95, 135, 175, 215, 255};

int nearest_level(int v) {
  int best = 0;
  for (int i = 1; i < 6; i++)
    if (std::abs(kLevels[i] - v) < std::abs(kLevels[best] - v)) best = i;
  return best;
}

int rgb_to_256(int r, int g, int b) {
  int cube = 16 + 36 * nearest_level(r) + 6 * nearest_level(g) + nearest_level(b);
  int grey = (r + g + b) / 3;
  int gi = std::clamp((grey - 8) / 10, 0, 23);
  int gv = 8 + gi * 10;
  auto dist = [&](int cr, int cg, int cb) { return (cr - r) * (cr - r) + (cg - g) * (cg - g) + (cb - b) * (cb - b); };
  int ci = cube - 16;
  int d_cube = dist(kLevels[ci / 36], kLevels[(ci / 6) % 6], kLevels[ci % 6]);
  return dist(gv, gv, gv) < d_cube ? 232 + gi : cube;
}

void rgb_of_256(int i, int* r, int* g, int* b) {
  static const int base[16][3] = {{0, 0, 0},       {205, 0, 0},   {0, 205, 0},   {205, 205, 0},
                                  {0, 0, 238},     {205, 0, 205}, {0, 205, 205}, {229, 229, 229},
                                  {127, 127, 127}, {255, 0, 0},   {0, 255, 0},   {255, 255, 0},
                                  {92, 92, 255},   {255, 0, 255}, {0, 255, 255}, {255, 255, 255}};
  if (i < 16) { *r = base[i][0]; *g = base[i][1]; *b = base[i][2]; return; }
  if (i < 232) { i -= 16; *r = kLevels[i / 36]; *g = kLevels[(i / 6) % 6]; *b = kLevels[i % 6]; return; }
  *r = *g = *b = 8 + (i - 232) * 10;
}

// Nearest of the 16 basic colours.
int to_16(int r, int g, int b) {
  int best = 0, bd = 1 << 30;
  for (int i = 0; i < 16; i++) {
    int cr, cg, cb;
    rgb_of_256(i, &cr, &cg, &cb);
    int d = (cr - r) * (cr - r) + (cg - g) * (cg - g) + (cb - b) * (cb - b);
    if (d < bd) { bd = d; best = i; }
  }
  return best;
}

}  // namespace

void set_style(WINDOW* w, const Style& s) {
  int pair = s.pair;
  wattr_set(w, s.attr, short(pair > 32767 ? 0 : pair), pair > 32767 ? &pair : nullptr);
}

int Palette::color_index(render::Color c) const {
  switch (c.kind()) {
    case render::Color::Default:
      return -1;
    case render::Color::Indexed: {
      int i = c.index();
      if (i < ncolors_) return i;
      int r, g, b;
      rgb_of_256(i, &r, &g, &b);
      int j = to_16(r, g, b);
      return ncolors_ >= 16 ? j : j % 8;
    }
    case render::Color::Rgb: {
      if (ncolors_ >= 256) return rgb_to_256(c.r(), c.g(), c.b());
      int j = to_16(c.r(), c.g(), c.b());
      return ncolors_ >= 16 ? j : j % 8;
    }
  }
  return -1;
}

int Palette::pair_for(int fg, int bg) {
  if (!colors_ || (fg < 0 && bg < 0)) return 0;
  uint32_t key = (uint32_t(fg + 1) << 16) | uint32_t(bg + 1);
  auto it = pairs_.find(key);
  if (it != pairs_.end()) return it->second;
  if (next_pair_ >= max_pairs_) return 0;  // out of pairs: default colours
  int p = next_pair_++;
  init_extended_pair(p, fg, bg);
  pairs_[key] = p;
  return p;
}

void Palette::init(bool no_color) {
  colors_ = !no_color && has_colors();
  if (colors_) {
    start_color();
    use_default_colors();
    ncolors_ = COLORS;
    max_pairs_ = COLOR_PAIRS;
  }
  bool c256 = ncolors_ >= 256;
  auto fg = [&](int c256i, int c8) { return Style{A_NORMAL, pair_for(c256 ? c256i : c8, -1)}; };
  auto& R = roles_;
  R[int(Role::Normal)] = {};
  R[int(Role::Bold)] = {A_BOLD, 0};
  R[int(Role::Caret)] = {A_REVERSE, 0};
  if (!colors_) {
    R[int(Role::Dim)] = {A_DIM, 0};
    R[int(Role::Selected)] = {A_BOLD, 0};
    R[int(Role::Working)] = {A_NORMAL, 0};
    R[int(Role::Blocked)] = {A_BOLD, 0};
    R[int(Role::Idle)] = {A_DIM, 0};
    R[int(Role::Done)] = {A_NORMAL, 0};
    R[int(Role::Failed)] = {A_BOLD, 0};
    R[int(Role::Stopped)] = {A_DIM, 0};
    R[int(Role::Rule)] = {A_DIM, 0};
    R[int(Role::Error)] = {A_BOLD, 0};
    R[int(Role::Accent)] = {A_BOLD, 0};
    R[int(Role::TitleBar)] = {A_REVERSE, 0};
    R[int(Role::TitleBarSelected)] = {A_REVERSE | A_BOLD, 0};
    R[int(Role::Placeholder)] = {A_DIM, 0};
    return;
  }
  R[int(Role::Dim)] = c256 ? fg(246, -1) : Style{A_DIM, 0};
  R[int(Role::Selected)] = fg(153, COLOR_CYAN);
  R[int(Role::Working)] = c256 ? fg(246, -1) : Style{A_DIM, 0};
  R[int(Role::Blocked)] = fg(220, COLOR_YELLOW);
  R[int(Role::Idle)] = c256 ? fg(246, -1) : Style{A_DIM, 0};
  R[int(Role::Done)] = fg(114, COLOR_GREEN);
  R[int(Role::Failed)] = fg(211, COLOR_RED);
  R[int(Role::Stopped)] = c256 ? fg(245, -1) : Style{A_DIM, 0};
  R[int(Role::Rule)] = c256 ? fg(240, -1) : Style{A_DIM, 0};
  R[int(Role::Error)] = fg(203, COLOR_RED);
  R[int(Role::Accent)] = fg(117, COLOR_CYAN);
  R[int(Role::Placeholder)] = c256 ? fg(242, -1) : Style{A_DIM, 0};
  R[int(Role::TitleBar)] = c256 ? Style{A_NORMAL, pair_for(252, 236)} : Style{A_REVERSE, 0};
  R[int(Role::TitleBarSelected)] =
      c256 ? Style{A_BOLD, pair_for(231, 25)} : Style{A_BOLD, pair_for(COLOR_WHITE, COLOR_BLUE)};
}

Style Palette::role(Role r) const { return roles_[int(r)]; }

Style Palette::cell(const render::Cell& c) {
  Style s;
  if (c.attrs & render::kBold) s.attr |= A_BOLD;
  if (c.attrs & render::kDim) s.attr |= A_DIM;
  if (c.attrs & render::kAnyUnderline) s.attr |= A_UNDERLINE;
  if (c.attrs & render::kItalic) s.attr |= A_ITALIC;
  if (c.attrs & render::kReverse) s.attr |= A_REVERSE;
  if (c.attrs & render::kBlink) s.attr |= A_BLINK;
  if (colors_) s.pair = pair_for(color_index(c.fg), color_index(c.bg));
  return s;
}

}  // namespace amux::view
