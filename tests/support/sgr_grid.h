// sgr_grid.h — a screen capture with SGR escapes (`amux capture -e`,
// `tmux capture-pane -p -e`) read back into rows of cells, each with its text
// and a canonical pen, so two captures that draw the same screen compare
// equal whatever SGR spelling each one chose.
//
// Why a parser of its own (not render::Screen): the render oracle tests
// compare amux against tmux, so the reading of the captures must not share
// code with what is being tested.
//
// Normalised away (each one a way the two captures may differ in spelling
// only, never in what a person sees):
//  - SGR spelling: `;` or `:` parameters, one sequence or several, a reset
//    per line (amux) or attributes carried over from the line before (tmux);
//  - palette colours 0-15 written as 38;5;N or as 30-37/90-97;
//  - rapid blink (SGR 6) is read as blink: tmux has one blink attribute;
//  - tmux 3.3a writes overline (53) as `5:3` in its captures, and a
//    line-drawing character (DEC special graphics) as SO, its ASCII letter,
//    SI: read as the character it draws;
//  - a blank cell keeps only what shows on a blank (background, reverse,
//    underline and its colour, strike, overline);
//  - trailing blank cells of a row whatever their background (tmux's
//    capture leaves out cells erased with a background colour), and
//    trailing empty rows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace amux::test {

enum GridAttr : uint32_t {
  kGBold = 1u << 0,
  kGDim = 1u << 1,
  kGItalic = 1u << 2,
  kGUnderline = 1u << 3,
  kGDoubleUnderline = 1u << 4,
  kGCurlyUnderline = 1u << 5,
  kGDottedUnderline = 1u << 6,
  kGDashedUnderline = 1u << 7,
  kGBlink = 1u << 8,
  kGUnused9 = 1u << 9,  // (rapid blink is read as blink)
  kGReverse = 1u << 10,
  kGConceal = 1u << 11,
  kGStrike = 1u << 12,
  kGOverline = 1u << 13,
};

struct GridPen {
  std::string fg, bg, ul;  // "" default, "iN" palette, "#rrggbb"
  uint32_t attrs = 0;
  bool operator==(const GridPen&) const = default;
};

struct GridCell {
  std::string text;  // one character and the zero-width ones after it
  GridPen pen;
  bool operator==(const GridCell&) const = default;
};

using GridRow = std::vector<GridCell>;
using Grid = std::vector<GridRow>;

// Reads a capture (rows separated by '\n'), normalised as above.
Grid parse_capture(const std::string& capture);

// "bold,fg=i1,bg=#010203" ("plain" for the default pen).
std::string describe_pen(const GridPen& p);

// A row as text with the pen shown wherever it changes: "ab{bold}cd{plain}".
std::string show_row(const GridRow& row);

struct GridDiff {
  int rows = 0;      // rows that differ
  std::string text;  // readable, both sides of each differing row
};
GridDiff diff_grids(const Grid& expected, const Grid& actual, const std::string& expected_name,
                    const std::string& actual_name);

}  // namespace amux::test
