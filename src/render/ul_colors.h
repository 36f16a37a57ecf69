// ul_colors.h — the underline colours (SGR 58) of one Screen's cells.
//
// Why: a Cell is 16 bytes (a row is a flat vector and the scrollback
// encoder reads cells four at a time), with no room for a fourth colour.
// Programs use a handful of underline colours (an editor's diagnostics:
// red, yellow, blue curls), so a cell keeps a 7-bit index into this table
// instead. Entries are never removed, so an index in a cell or in a
// scrollback line stays valid for the Screen's life; once the table is full
// a new colour is kept as the default one (the underline itself stays).
#pragma once

#include <cstdint>
#include <vector>

#include "render/cell.h"

namespace amux::render {

class UlColors {
 public:
  static constexpr size_t kMax = 127;  // indexes 1..127; 0 is the default colour

  // The index for `c`: 0 for the default colour or when the table is full.
  uint8_t intern(Color c) {
    if (c == Color::def()) return 0;
    if (last_ && colors_[last_ - 1] == c) return last_;
    for (size_t i = 0; i < colors_.size(); ++i)
      if (colors_[i] == c) return last_ = uint8_t(i + 1);
    if (colors_.size() >= kMax) return 0;
    colors_.push_back(c);
    return last_ = uint8_t(colors_.size());
  }
  Color get(uint8_t index) const {
    return index > 0 && index <= colors_.size() ? colors_[index - 1] : Color::def();
  }
  size_t size() const { return colors_.size(); }

 private:
  std::vector<Color> colors_;
  uint8_t last_ = 0;
};

}  // namespace amux::render
