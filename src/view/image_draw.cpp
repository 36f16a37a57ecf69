// image_draw.cpp — see image_draw.h.
#include "view/image_draw.h"

#include "view/text_util.h"

namespace amux::view {

void draw_image(const TileImage& img, const Rect& r, Palette& pal) {
  const render::Screen* s = img.screen();
  if (!s || r.empty()) return;
  int top, left;
  img.window(r.h, r.w, &top, &left);
  // ncurses merges the window's current colour into cells without one.
  set_style(stdscr, Style{});
  cchar_t cc;
  wchar_t wc[CCHARW_MAX + 1];
  for (int y = 0; y < r.h; y++) {
    int row = top + y;
    if (row >= s->rows()) break;
    const render::Row& rr = s->row(row);
    int x = 0;
    int c = left;
    while (x < r.w && c < s->cols()) {
      const render::Cell& cell = rr.cells[size_t(c)];
      int width = cell.width == 2 ? 2 : 1;
      if (cell.ch == render::kWideTail) { x++; c++; continue; }
      bool blank = cell.ch == render::kBlank || cell.ch == U' ';
      if (blank && cell.bg == render::Color::def() && !(cell.attrs & (render::kReverse | render::kUnderline))) {
        x += 1;
        c += 1;
        continue;  // the frame was erased: nothing to draw
      }
      if (x + width > r.w) break;
      int n = 0;
      if (cell.ch >= render::kClusterBase) {
        for (char32_t cp : s->cell_chars(cell)) {
          if (n >= CCHARW_MAX) break;
          if (n == 0 && !printable(cp)) cp = U' ';
          else if (n > 0 && !printable(cp)) continue;
          wc[n++] = wchar_t(cp);
        }
      } else {
        char32_t cp = blank ? U' ' : cell.ch;
        wc[n++] = wchar_t(printable(cp) ? cp : U' ');
      }
      if (n == 0) wc[n++] = L' ';
      wc[n] = 0;
      Style st = pal.cell(cell);
      int pair = st.pair;
      setcchar(&cc, wc, st.attr, short(pair > 32767 ? 0 : pair), pair > 32767 ? &pair : nullptr);
      mvadd_wch(r.y + y, r.x + x, &cc);
      x += width;
      c += width;
    }
  }
}

}  // namespace amux::view
