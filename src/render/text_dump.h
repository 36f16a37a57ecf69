// text_dump.h — a Screen as text: plain, or with SGR attributes.
//
// Why: `amux capture` shows the visible screen now, `amux logs` the history
// (scrollback + screen), and tests compare them with what a real terminal
// shows. Trailing blanks are trimmed per line; wide characters appear once.
#pragma once

#include <cstddef>
#include <string>

#include "render/screen.h"

namespace amux::render {

struct DumpOptions {
  bool sgr = false;          // include SGR attributes (capture -e)
  bool trim_trailing_blank_lines = true;
};

// The visible screen, one '\n'-terminated line per row.
std::string dump_screen(const Screen& s, const DumpOptions& o = {});
// Scrollback then screen; only the last `last_lines` lines when > 0. Soft
// wrapped rows are joined into one line.
std::string dump_history(const Screen& s, size_t last_lines = 0, const DumpOptions& o = {});
// The last non-blank line of the screen, trimmed (state details).
std::string last_meaningful_line(const Screen& s);

}  // namespace amux::render
