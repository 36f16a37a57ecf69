// text_util.h — safe, width-aware text for the agent view.
//
// Why: session names, details and titles come from programs the person does
// not control. The view must never pass an escape sequence from them to the
// person's terminal, and must fit text into columns by display width (wide
// CJK characters take two). Everything the view prints from a session goes
// through sanitize() first (render/safe_text.h); widths count display cells.
#pragma once

#include <string>
#include <string_view>

#include "render/safe_text.h"

namespace amux::view {

// Safe text and cell widths are the render layer's (one sanitizer for every
// line amux prints): sanitize(), printable(), char_width(), display_width(),
// fit(), fit_pad().
using render::char_width;
using render::display_width;
using render::fit;
using render::fit_pad;
using render::printable;
using render::sanitize;
// Lower-case ASCII copy (for case-insensitive matching).
std::string lower(std::string_view s);
// "0s", "13s", "4m", "2h", "3d".
std::string short_age(int64_t ms);
// Replace $HOME at the start of a path with "~".
std::string tilde_path(const std::string& path);

}  // namespace amux::view
