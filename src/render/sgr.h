// sgr.h — SGR parameters (the part of `CSI ... m` between the CSI and the
// 'm') applied to a pen, the way tmux 3.3a reads them.
//
// Why: libvterm 0.1.4's SGR misreads what programs print today: it has no
// dim, conceal, overline, dotted or dashed underline and no underline
// colour; SGR 58 in the semicolon form takes its colour's numbers for
// attributes (`58;2;0;255;0` resets the pen, `58;5;196` turns on blink);
// and `38:2::1:2:3` (an empty colour-space field) reads as #ff0102. The
// Screen gives libvterm no SGR at all (PenFilter, pen_filter.h) and applies
// each one here, with tmux's rules, so a pane in amux shows what the same
// program shows in tmux:
//  - `;` separates parameters; a parameter holding `:` is read on its own
//    (4:0..4:5 underline styles; 38/48/58 with :2 RGB, with or without
//    the colour-space field, or :5 indexed), anything else with `:` is
//    ignored;
//  - 38/48/58 followed by ;2;r;g;b or ;5;n (semicolon form) take those
//    parameters; an invalid RGB leaves them to be read as SGRs, an invalid
//    index sets the default colour (fg/bg) or nothing (58);
//  - an empty parameter is 0 (reset); an empty list is a reset;
//  - 6 (rapid blink) is blink; 22 ends bold and dim; 24 ends any underline;
//    59 is the default underline colour; codes tmux ignores are ignored.
// One difference, deliberate: tmux drops a whole SGR whose parameters are
// longer than its 63-byte buffer or number 24 or more; amux applies it.
#pragma once

#include <string_view>

#include "render/cell.h"

namespace amux::render {

// Applies `params` (bytes '0'-'9', ';', ':') to `pen`.
void apply_sgr(std::string_view params, Pen& pen);

}  // namespace amux::render
