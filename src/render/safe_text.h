// safe_text.h — text from sessions made safe to print, and cut by display
// cells.
//
// Why: session names, details, titles, directories, agent names and the
// errors that quote them come from programs and people amux does not control.
// A name holding ESC ] 52 would write the person's clipboard, a C1 CSI
// (U+009B) or a bidi override would rewrite or reorder their screen. Every
// line amux prints to a terminal from session data — the command line's
// output and the agent view alike — goes through sanitize() here, one
// function for all of them. Widths come from utf8proc (display cells per code
// point, the model terminals and ncurses use) and cuts fall on grapheme
// boundaries, so a column never splits a character or a cluster.
#pragma once

#include <string>
#include <string_view>

namespace amux::render {

// May this code point be drawn? Not a C0/C1 control or DEL, not a bidi
// embedding, override, isolate or mark, not a line/paragraph separator, not a
// surrogate or beyond U+10FFFF.
bool printable(char32_t cp);
// One line of UTF-8: controls and bidi formatting removed (tab, CR and
// newline become a space), invalid UTF-8 becomes U+FFFD.
std::string sanitize(std::string_view s);
// The same for text of several lines: newlines stay, everything else as
// sanitize().
std::string sanitize_lines(std::string_view s);
// JSON text (as an encoder wrote it) made safe to print without changing
// its value: every code point printable() refuses that the encoder left raw
// (DEL, C1, bidi controls, separators; they occur only inside strings) is
// written as a \uXXXX escape instead.
std::string json_safe(std::string_view json_text);
// Display cells of a printable code point as terminals draw it (utf8proc,
// Unicode 15: 0 for combining marks, 2 for wide characters and emoji). The
// one width function of the render layer: the Screen's cells (WidthFilter),
// the tiles cut from them and the view's layout all use it.
int terminal_width(char32_t cp);
// Display cells of one code point (0 for combining marks and controls, 2 for
// wide characters): terminal_width() of what printable() lets through.
int char_width(char32_t cp);
// Display cells of UTF-8 text.
int display_width(std::string_view s);
// Cut to at most `width` cells at a grapheme boundary; when cut and
// `ellipsis`, the last cell becomes "…".
std::string fit(std::string_view s, int width, bool ellipsis = true);
// fit() then pad with spaces to exactly `width` cells.
std::string fit_pad(std::string_view s, int width, bool ellipsis = true);

}  // namespace amux::render
