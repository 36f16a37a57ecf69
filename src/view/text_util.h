// text_util.h — safe, width-aware text for the agent view.
//
// Why: session names, details and titles come from programs the person does
// not control. The view must never pass an escape sequence from them to the
// person's terminal, and must fit text into columns by display width (wide
// CJK characters take two). Everything the view prints from a session goes
// through sanitize() first; width math uses the C library's wcwidth (the same
// tables ncurses uses), so columns line up.
#pragma once

#include <string>
#include <string_view>

namespace amux::view {

// UTF-8 with C0/C1 controls, DEL and bidi overrides removed (tab and newline
// become a space); invalid bytes become U+FFFD.
std::string sanitize(std::string_view s);
// Is this code point safe to draw (not a control, not a bidi override)?
bool printable(char32_t cp);
// Display width of one code point (0 for combining marks, 2 for wide).
int char_width(char32_t cp);
// Display width of UTF-8 text.
int display_width(std::string_view s);
// Cut to at most `width` columns; when cut and `ellipsis`, the last column
// becomes "…".
std::string fit(std::string_view s, int width, bool ellipsis = true);
// fit() then pad with spaces to exactly `width` columns.
std::string fit_pad(std::string_view s, int width, bool ellipsis = true);
// Lower-case ASCII copy (for case-insensitive matching).
std::string lower(std::string_view s);
// "0s", "13s", "4m", "2h", "3d".
std::string short_age(int64_t ms);
// Replace $HOME at the start of a path with "~".
std::string tilde_path(const std::string& path);

}  // namespace amux::view
