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
#include <vector>

#include "render/screen.h"

namespace amux::render {

struct RedrawOptions {
  bool truecolor = true;   // else RGB is approximated by the 256-colour palette
  bool colors = true;      // false: no colours at all (NO_COLOR), attributes kept
  bool title = true;       // emit OSC 2 title
  bool modes = true;       // emit DECCKM, keypad, bracketed paste, mouse modes
  // While the program has not asked for the mouse, the client's terminal
  // reports button presses anyway (mode 1000, SGR form), so its owner sees
  // the wheel (copy mode). The program's own mouse modes win when it has some.
  bool wheel = false;
  int max_rows = -1;       // clip to the client's size (-1: screen size)
  int max_cols = -1;
};

// What one client was last sent beyond the cells. Optional: pass the same
// object to every redraw_full/redraw_since for one client and the cursor
// shape, modes and title go out only when they differ from it; without one,
// they are sent with every frame in which the Screen's meta_seq() moved.
struct ClientMeta {
  bool known = false;    // false: nothing sent yet, send everything
  int cursor_shape = 0;  // DECSCUSR parameter last sent
  Modes modes;
  std::string title;
  // The cells the client was sent (its area, row-major), so a changed row
  // goes out as just the columns that differ: a typed key costs a few bytes
  // on the wire and in the client's terminal, as with tmux.
  std::vector<Cell> cells;
  int rows = 0, cols = 0;
};

// Everything: reset SGR, clear, every row, cursor position/visibility/shape,
// modes and title. Feeding it into an empty terminal of the same size gives
// the same cells. Modes are set exactly (those off are reset too) and the
// cursor shape is always sent, so it also repairs a client that missed
// frames; an empty title is not sent (the client keeps its own).
std::string redraw_full(const Screen& s, const RedrawOptions& o = {});
std::string redraw_full(const Screen& s, const RedrawOptions& o, ClientMeta* sent);

// The rows changed since `since` (Screen::seq() at the previous frame), plus
// cursor and modes. Falls back to a full redraw when layout_seq() > since.
// Returns "" when nothing changed. Every frame ends with SGR 0, autowrap on
// and the cursor at the program's cursor.
std::string redraw_since(const Screen& s, uint64_t since, const RedrawOptions& o = {});
std::string redraw_since(const Screen& s, uint64_t since, const RedrawOptions& o, ClientMeta* sent);

// A picture of rows that are not the Screen's own (copy mode: history and
// screen, with a selection and an indicator), in full: `lines` from the top,
// each at least `cols` cells (their cluster cells are `s`'s), then the
// cursor at `cur` (shown when visible). Drawn like a full redraw, with the
// same care for untrusted text; modes and title are left as they are.
std::string redraw_lines(const Screen& s, const std::vector<std::vector<Cell>>& lines, int cols,
                         const Cursor& cur, const RedrawOptions& o = {});

// One row's cells from column 0 as SGR + text, positioned at (row+1, 1), the
// rest of the line erased with the row's last background.
std::string redraw_row(const Screen& s, int row, const RedrawOptions& o = {});

// SGR sequence that changes the pen from `from` to `to` ("" when equal).
std::string sgr_transition(const Pen& from, const Pen& to, const RedrawOptions& o = {});

// The modes a client's terminal is put into for a Screen in modes `m`.
Modes client_modes(const Modes& m, const RedrawOptions& o);

// Mode sequences that put a fresh terminal into `m` (and, for leave, back to
// defaults: what the attach client writes when it detaches).
std::string modes_enter(const Modes& m);
std::string modes_leave(const Modes& m);
// Only the changes from `from` to `to`.
std::string modes_transition(const Modes& from, const Modes& to);

// The xterm-256 palette index (16..255: cube or grey ramp, never the
// user-configurable first 16) nearest to an RGB colour.
uint8_t rgb_to_xterm256(uint8_t r, uint8_t g, uint8_t b);

}  // namespace amux::render
