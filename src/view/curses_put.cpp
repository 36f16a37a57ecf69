// curses_put.cpp — see curses_put.h.
#include "view/curses_put.h"

#include "render/utf8.h"
#include "view/text_util.h"

namespace amux::view {

namespace {

std::wstring wide(std::string_view s) {
  std::wstring w;
  size_t i = 0;
  while (i < s.size()) w.push_back(wchar_t(render::utf8::decode(s, i)));
  return w;
}

}  // namespace

int put(int y, int x, std::string_view s, int maxw, const Style& st, bool ellipsis) {
  if (maxw <= 0) return 0;
  std::string f = fit(s, maxw, ellipsis);
  set_style(stdscr, st);
  std::wstring w = wide(f);
  mvaddnwstr(y, x, w.c_str(), int(w.size()));
  return display_width(f);
}

void fill(int y, int x, int w, const Style& st) {
  if (w <= 0) return;
  set_style(stdscr, st);
  mvhline(y, x, ' ', w);
}

void hrule(int y, int x, int w, const Style& st) {
  if (w <= 0) return;
  set_style(stdscr, st);
  mvhline_set(y, x, WACS_HLINE, w);
}

void draw_box(const Rect& r, const Style& st) {
  set_style(stdscr, st);
  mvhline_set(r.y, r.x + 1, WACS_HLINE, r.w - 2);
  mvhline_set(r.y + r.h - 1, r.x + 1, WACS_HLINE, r.w - 2);
  mvvline_set(r.y + 1, r.x, WACS_VLINE, r.h - 2);
  mvvline_set(r.y + 1, r.x + r.w - 1, WACS_VLINE, r.h - 2);
  mvadd_wch(r.y, r.x, WACS_ULCORNER);
  mvadd_wch(r.y, r.x + r.w - 1, WACS_URCORNER);
  mvadd_wch(r.y + r.h - 1, r.x, WACS_LLCORNER);
  mvadd_wch(r.y + r.h - 1, r.x + r.w - 1, WACS_LRCORNER);
}

void clear_rect(const Rect& r) {
  set_style(stdscr, Style{});
  for (int y = 0; y < r.h; y++) mvhline(r.y + y, r.x, ' ', r.w);
}

}  // namespace amux::view
