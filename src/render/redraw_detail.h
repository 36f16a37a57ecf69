// redraw_detail.h — what the files of the redraw share (not part of the
// render layer's interface).
//
// Why: drawing a Screen for a client has three concerns, one file each:
// painting rows and frames (redraw.cpp), SGR and colour encoding
// (redraw_sgr.cpp), and modes, cursor shape and title (redraw_modes.cpp).
// The helpers one needs from another are declared here; the small ones the
// row painter calls per cell are inline.
#pragma once

#include <string>

#include "render/redraw.h"

namespace amux::render::redraw_detail {

// C0 and C1 controls: never sent to a client inside a cell or a title.
inline bool is_control(char32_t cp) { return cp < 0x20 || (cp >= 0x7f && cp < 0xa0); }

// The colour as the client gets it.
inline Color map_color(Color c, const RedrawOptions& o) {
  if (!o.colors) return Color::def();
  if (c.kind() == Color::Rgb && !o.truecolor) return Color::indexed(rgb_to_xterm256(c.r(), c.g(), c.b()));
  return c;
}

inline Pen map_pen(const Pen& p, const RedrawOptions& o) {
  return Pen{map_color(p.fg, o), map_color(p.bg, o), p.attrs, map_color(p.ul, o)};
}

// SGR between two pens already mapped for the client ("" when equal).
std::string sgr_mapped(const Pen& from, const Pen& to);

// DECSCUSR parameter for a cursor (0: the terminal's default, a blinking block).
int decscusr(const Cursor& c);

// Puts a client whose modes are unknown into exactly `m`.
std::string modes_sync(const Modes& m);

// OSC 2 with the title made safe to send (valid UTF-8, no controls, bounded).
void title_seq(std::string& out, const std::string& title);

}  // namespace amux::render::redraw_detail
