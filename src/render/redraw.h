// redraw.h — turn a Screen into escape sequences for a client's terminal.
//
// Why: an attached client never gets the program's raw bytes (its terminal
// would answer queries twice and its modes would drift); it gets the host's
// Screen, drawn: a full redraw on attach or after a skipped frame, then
// frames of just the rows that changed. Positions are explicit for every run
// so a client whose wcwidth tables differ from libvterm's cannot drift.
#pragma once

#include <cstdint>
#include <string>

#include "render/screen.h"

namespace amux::render {

struct RedrawOptions {
  bool truecolor = true;   // else RGB is approximated by the 256-colour cube
  bool colors = true;      // false: no colours at all (NO_COLOR), attributes kept
  bool title = true;       // emit OSC 2 title
  bool modes = true;       // emit DECCKM, keypad, bracketed paste, mouse modes
  int max_rows = -1;       // clip to the client's size (-1: screen size)
  int max_cols = -1;
};

// Everything: reset SGR, clear, every row, cursor position/visibility/shape,
// modes and title. Feeding it into an empty terminal of the same size gives
// the same cells.
std::string redraw_full(const Screen& s, const RedrawOptions& o = {});

// The rows changed since `since` (Screen::seq() at the previous frame), plus
// cursor and modes. Falls back to a full redraw when layout_seq() > since.
std::string redraw_since(const Screen& s, uint64_t since, const RedrawOptions& o = {});

// One row's cells from column 0 as SGR + text, positioned at (row+1, 1), the
// rest of the line erased with the row's last background.
std::string redraw_row(const Screen& s, int row, const RedrawOptions& o = {});

// SGR sequence that changes the pen from `from` to `to` ("" when equal).
std::string sgr_transition(const Pen& from, const Pen& to, const RedrawOptions& o = {});

// Mode sequences that put a fresh terminal into `m` (and, for leave, back to
// defaults: what the attach client writes when it detaches).
std::string modes_enter(const Modes& m);
std::string modes_leave(const Modes& m);

}  // namespace amux::render
