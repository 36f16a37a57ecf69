// screen.h — the terminal screen of one session: libvterm's parser and
// state machine over amux's own row store, plus a scrollback ring.
//
// Why: a session host must keep an exact picture of its program's screen so
// any client can attach and see it at once, and must parse output faster
// than tmux does. libvterm 0.1.4's screen layer is too slow for that (it
// moves the whole buffer per scrolled line), so the Screen uses only
// vterm_obtain_state() and VTermStateCallbacks and stores rows itself: a
// scroll of the whole screen is a rotation of rows, and the row that leaves
// the top is compacted into the scrollback ring.
//
// libvterm 0.1.4 crashes, hangs or loses text on some inputs any program
// can print; the Screen guards against each (numbered 1-11 in code and
// tests, each with a unit test): docs/libvterm.md describes them. In short:
// the cursor is moved back inside after a resize or a restore (1, 7), resize
// resets the scroll margins (8), input reaches libvterm in bounded chunks
// with no UTF-8 sequence or OSC/DCS string cut (3, 11), CSI parameters past
// the 16th are dropped (9), a REP that would loop forever is dropped (10),
// the title is copied at once (6), and every DECSET/DECRST parameter is
// applied, not only the first. (Guard 2, in sb_popline, cannot occur: the
// screen layer is not used.)
//
// Change tracking: every change bumps seq(); each row remembers the seq of its
// last change, so any number of clients can each ask "what changed since the
// seq I last sent" (rows_changed_since) without per-client state here.
// layout_seq() changes when a full redraw is needed (resize, alt screen).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "render/cell.h"

namespace amux::render {

inline constexpr size_t kMaxFeedChunk = 64 * 1024;
// Longest OSC/DCS string held back whole across feeds (guard 11).
inline constexpr size_t kMaxHeldString = 16 * 1024;

struct Cursor {
  int row = 0, col = 0;
  bool visible = true;
  bool blink = true;
  int shape = 1;  // 1 block, 2 underline, 3 bar (VTERM_PROP_CURSORSHAPE_*)
};

// Terminal modes a client terminal must mirror so the keys it sends mean what
// the program expects. Tracked by scanning the output for DECSET/DECRST and
// DECKPAM/DECKPNM, because libvterm 0.1.4 keeps them private.
struct Modes {
  bool app_cursor = false;       // DECCKM  ?1
  bool app_keypad = false;       // DECKPAM ESC =
  bool bracketed_paste = false;  // ?2004
  bool focus_events = false;     // ?1004
  int mouse = 0;                 // 0 off, 1000, 1002 or 1003
  int mouse_encoding = 0;        // 0 default, 1005, 1006 or 1015
  bool reverse_video = false;    // ?5
  bool operator==(const Modes&) const = default;
};

// A desktop notification the program asked for (OSC 9, OSC 99, OSC 777).
struct Notification {
  int osc = 0;          // 9, 99 or 777
  std::string title;    // may be empty
  std::string body;
};

// One scrollback line, decoded.
struct ScrollbackLine {
  std::vector<Cell> cells;  // trailing blanks trimmed
  bool wrapped = false;
};

class Screen {
 public:
  struct Options {
    int rows = 50;
    int cols = 200;
    size_t scrollback_lines = 10000;
    // Write runs of plain printable ASCII straight into the rows instead of
    // through libvterm's per-character callback (screen_fast_text.cpp).
    // Same result either way; tests and benchmarks turn it off to compare.
    bool fast_text = true;
  };

  explicit Screen(Options opts);
  Screen(const Screen&) = delete;
  Screen& operator=(const Screen&) = delete;
  ~Screen();

  // Parse program output. Any size; fed to libvterm in ≤ kMaxFeedChunk pieces.
  void feed(std::string_view bytes);
  // Resize (truncates; libvterm 0.1.4 has no reflow). Applies guard 1.
  void resize(int rows, int cols);

  int rows() const;
  int cols() const;
  // The rows of the buffer on display (alternate screen when active).
  const Row& row(int r) const;
  const Cell& cell(int r, int c) const { return row(r).cells[size_t(c)]; }
  // Text of a cell as UTF-8 ("" for blank or wide tail; base + combining marks).
  std::string cell_text(const Cell& c) const;
  // The code points of a cell (base + combining marks), empty for blank/tail.
  std::u32string cell_chars(const Cell& c) const;
  // A cell's pen, with its underline colour (a cell holds an index).
  Pen pen_of(const Cell& c) const;

  Cursor cursor() const;
  const std::string& title() const;
  const std::string& icon_name() const;
  bool alt_screen() const;
  const Modes& modes() const;

  // Change tracking (see file comment).
  uint64_t seq() const;
  uint64_t layout_seq() const;  // seq of the last change that needs a full redraw
  // Rows whose version > since, in order.
  std::vector<int> rows_changed_since(uint64_t since) const;
  // seq of the last change to cursor/title/modes.
  uint64_t meta_seq() const;

  // Scrollback, oldest first. Lines leave the top of the primary screen.
  size_t scrollback_size() const;
  ScrollbackLine scrollback_line(size_t i) const;
  size_t scrollback_capacity() const;
  size_t total_lines_scrolled() const;  // ever pushed (for "lines lost" math)
  // Approximate heap bytes held by the scrollback (for benchmarks/tests).
  size_t scrollback_bytes() const;

  // Input encoding through libvterm so it matches the program's modes.
  // The bytes come out through on_output.
  void send_text(std::string_view utf8);  // bracketed when paste mode is on and paste=true
  void send_paste(std::string_view utf8);

  // Callbacks (set before feeding).
  // Bytes libvterm sends back to the program (DA/DSR/CPR replies, keys).
  std::function<void(std::string_view)> on_output;
  std::function<void()> on_bell;
  std::function<void(const std::string&)> on_title;
  std::function<void(const Notification&)> on_notification;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace amux::render
