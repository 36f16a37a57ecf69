// copy_mode.h — scrollback (copy) mode over a session's history, for one
// attached client, as tmux's copy mode works.
//
// Why: a person attached to a session reads what scrolled away, searches it
// and copies from it without leaving. The host owns the history (the
// Screen's scrollback ring and rows), so copy mode runs here, per client:
// the keys the client types move a cursor over the lines, and the client is
// drawn this picture instead of the live screen until it leaves. Lines are
// numbered absolutely (lines ever scrolled off + row), so output that
// arrives meanwhile does not move the picture: it is kept, and leaving
// shows the live screen.
//
// Keys (vi-like, as tmux's copy-mode-vi): arrows/hjkl move, PgUp/PgDn and
// C-u/C-d scroll a page / half a page, g/G the top of the history / the
// bottom, 0/$ the line's start/end, / and ? search down/up with n/N, v
// starts (or drops) a selection, y or Enter copy it and leave, q or Escape
// leave; the mouse wheel scrolls. The last search's matches stay marked
// (the one at the cursor apart) until copy mode is left.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "render/cell.h"
#include "render/screen.h"

namespace amux::mux {

// Takes the SGR mouse reports (CSI < b ; x ; y M or m) out of `bytes` and
// returns the rest; *wheel_up counts the wheel-up presses among them. For a
// client whose terminal reports the mouse for amux alone (the program did
// not ask for it): no report may reach the program then.
std::string take_mouse_reports(std::string_view bytes, int* wheel_up);

class CopyMode {
 public:
  enum class Result { Nothing, Redraw, Leave, CopyAndLeave };

  // Starts over the screen as it is, cursor where the program's is.
  CopyMode(const render::Screen& s, int rows, int cols);

  void resize(int rows, int cols);
  // Scroll the view `n` lines up (negative: down), as the wheel does.
  void scroll(int n);
  // The bytes a client typed (any number of keys).
  Result input(std::string_view bytes);
  // One named key (keymap::key_name form: "Up", "PageUp", "q", "C-u", ...).
  Result key(const std::string& name);

  // The picture: rows x cols cells and the cursor in it.
  std::vector<std::vector<render::Cell>> lines(render::Cursor* cur) const;
  // The text a CopyAndLeave copied (lines joined by '\n', soft wraps joined).
  const std::string& copied() const { return copied_; }
  // "[N/M]": lines above the live screen / lines of history.
  std::string indicator() const;

  // Absolute line numbers: the oldest kept, the live screen's top, the end.
  uint64_t first_line() const;
  uint64_t live_top() const;
  uint64_t end_line() const;
  uint64_t top() const { return top_; }
  uint64_t cursor_line() const { return cy_; }
  int cursor_col() const { return cx_; }
  // The text of an absolute line, and its cells.
  std::vector<render::Cell> line_cells(uint64_t abs) const;
  std::string line_text(uint64_t abs, std::vector<int>* col_of_byte = nullptr) const;

 private:
  void clamp();
  void move_cursor(int64_t lines);
  void show_cursor();  // scroll so the cursor is inside the view
  bool search(bool down, bool skip_current);
  std::string selection_text() const;
  void mark_matches(uint64_t abs, std::vector<render::Cell>& row) const;
  Result prompt_key(const std::string& name, std::string_view bytes);

  const render::Screen& s_;
  int rows_, cols_;
  uint64_t top_ = 0, cy_ = 0;
  int cx_ = 0;
  bool selecting_ = false;
  uint64_t sel_line_ = 0;
  int sel_col_ = 0;
  int prompt_ = 0;  // 0 none, 1 search down (/), -1 search up (?)
  std::string prompt_text_;
  std::string query_;
  bool query_down_ = true;
  std::string message_;  // shown on the last row until the next key
  std::string copied_;
  std::string pending_;  // an incomplete key sequence from the last input
};

}  // namespace amux::mux
