// image_draw.h — a session's screen (a TileImage) drawn cell by cell into a
// rectangle of the agent view, for tiles, the preview and peek.
//
// Why: the view shows live screens without ever writing a session's bytes
// to the terminal: each cell becomes an ncurses character in the palette's
// style, a character that is not printable becomes a blank, and the image
// is cropped to the rectangle (TileImage::window picks the part shown).
#pragma once

#include "view/palette.h"
#include "view/screen_layout.h"
#include "view/tile_image.h"

namespace amux::view {

void draw_image(const TileImage& img, const Rect& r, Palette& pal);

}  // namespace amux::view
