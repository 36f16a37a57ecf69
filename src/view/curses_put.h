// curses_put.h — the few ncurses drawing steps the agent view is made of:
// text cut to a width, a filled run, a rule, a box, a cleared rectangle.
//
// Why: view_draw.cpp lays the view out; these put things on stdscr in a
// style, and are the only place text becomes wide characters for ncurses.
// Text given here is already sanitized (no controls).
#pragma once

#include <string_view>

#include "view/palette.h"
#include "view/screen_layout.h"

namespace amux::view {

// Text at (y, x), at most maxw columns (cut with … unless !ellipsis);
// returns the columns used.
int put(int y, int x, std::string_view s, int maxw, const Style& st, bool ellipsis = true);
// w blank cells at (y, x) in a style.
void fill(int y, int x, int w, const Style& st);
// A horizontal rule of w cells at (y, x).
void hrule(int y, int x, int w, const Style& st);
// A box drawn on the edge of r.
void draw_box(const Rect& r, const Style& st);
// r blanked in the default style.
void clear_rect(const Rect& r);

}  // namespace amux::view
