// screen_text.h — small helpers the render unit tests share: Screen options
// and a row of the Screen as text.
//
// Header-only: the render unit tests link only their own layer.
#pragma once

#include <cstddef>
#include <string>

#include "render/screen.h"

namespace amux::test {

inline render::Screen::Options screen_opts(int rows, int cols, size_t scrollback = 10000) {
  render::Screen::Options o;
  o.rows = rows;
  o.cols = cols;
  o.scrollback_lines = scrollback;
  return o;
}

// Row r as text, blanks as spaces, trailing blanks trimmed.
inline std::string row_text(const render::Screen& s, int r) {
  std::string out;
  for (int c = 0; c < s.cols(); ++c) {
    const render::Cell& cell = s.cell(r, c);
    if (cell.ch == render::kWideTail) continue;
    out += cell.ch == render::kBlank ? std::string(" ") : s.cell_text(cell);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace amux::test
