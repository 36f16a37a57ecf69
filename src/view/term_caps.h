// term_caps.h — the control sequences the client side writes to the person's
// terminal, taken from terminfo.
//
// Why: the attach client and the agent view write a few sequences of their
// own around what ncurses or the session draws (alternate screen in and out,
// clear, cursor hidden, the "session ended" line, the cursor shape back to
// the terminal's default). They come from the terminal's terminfo entry, so a
// terminal that is not an xterm gets its own strings; a capability the entry
// lacks, or a TERM terminfo does not know, falls back to the xterm string
// used before. The title stack (XTWINOPS 22/23) has no terminfo capability:
// it is written as xterm's sequence, and left out when the entry's smcup and
// rmcup already save and restore the title (xterm's own entries do).
//
// Not here: the session host's frames. The host writes what its screen model
// holds (render::redraw) in the xterm dialect every terminal amux supports
// speaks, and the host binary links no curses at all.
#pragma once

#include <string>

namespace amux::view {

struct TermCaps {
  std::string alt_enter;        // smcup: the alternate screen
  std::string alt_leave;        // rmcup: the normal screen back
  std::string home_clear;       // clear: cursor home, screen blank
  std::string hide_cursor;      // civis
  std::string reverse;          // rev
  std::string plain;            // sgr0: every attribute off
  std::string erase_eol;        // el: erase to the end of the line
  std::string cursor_shape_reset;  // DECSCUSR 0 through Ss (else Se)
  std::string title_save;       // push the window title (or "" if smcup does)
  std::string title_restore;    // pop it (or "" if rmcup does)
  std::string cup;              // cup, a parameterised string; see cursor_to()
  bool sync = false;            // Sync (extended): the terminal understands mode 2026

  // The cursor to (row, col), both from 0.
  std::string cursor_to(int row, int col) const;
};

// The xterm strings written before terminfo was asked: every fallback.
TermCaps xterm_caps();

// The capabilities of terminal `term` (nullptr: $TERM), asked with
// setupterm on `fd`; ncurses' current terminal, if any, is left as it was.
// A TERM terminfo does not know gives xterm_caps().
TermCaps load_term_caps(const char* term, int fd);

// This process's capabilities, looked up once: from ncurses' current
// terminal when it has one, else with setupterm on standard output.
const TermCaps& term_caps();

}  // namespace amux::view
