// palette.h — colours and attributes for the agent view under ncurses.
//
// Why: the view's colours follow the terminal: palette indices (never fixed
// RGB of our own), the terminal's default foreground and background, fewer
// colours on 8/16-colour terminals, and none at all under NO_COLOR (then
// attributes like bold and reverse carry the meaning). Session cells (tiles,
// preview, peek) get colour pairs allocated on demand.
#pragma once

#include <cstdint>
#include <unordered_map>

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <ncursesw/curses.h>

#include "render/cell.h"

namespace amux::view {

enum class Role {
  Normal, Dim, Bold, Selected, Working, Blocked, Idle, Done, Failed, Stopped,
  Rule, Error, Accent, TitleBar, TitleBarSelected, Placeholder, Caret,
};

struct Style {
  attr_t attr = A_NORMAL;
  int pair = 0;
};

class Palette {
 public:
  // After initscr(). `no_color`: NO_COLOR is set (or colours are unwanted).
  void init(bool no_color);
  Style role(Role r) const;
  // Style of a session's cell (its pen), mapped to this terminal.
  Style cell(const render::Cell& c);
  bool colors() const { return colors_; }

 private:
  int color_index(render::Color c) const;  // -1 for default
  int pair_for(int fg, int bg);

  bool colors_ = false;
  int ncolors_ = 0;
  int max_pairs_ = 0;
  int next_pair_ = 1;
  std::unordered_map<uint32_t, int> pairs_;
  Style roles_[int(Role::Caret) + 1];
};

// Apply a style to a window (handles pairs beyond 32767).
void set_style(WINDOW* w, const Style& s);

}  // namespace amux::view
