// term_caps.cpp — terminfo lookups for the client's own control sequences
// (see term_caps.h).
#include "view/term_caps.h"

#include <unistd.h>


// term.h (the tinfo half of ncurses, without curses.h and its macros) defines
// a macro for every capability name (clear_screen, lines, …); it comes last
// and those names are never used below, only tigetstr's strings.
#include <ncursesw/term.h>

namespace amux::view {
namespace {

// A string capability, or "" when the entry lacks it. Padding ($<5>) is
// dropped: nothing here is sent to a terminal that needs it.
std::string cap(const char* name) {
  const char* s = tigetstr(name);
  if (s == nullptr || s == reinterpret_cast<const char*>(-1)) return "";
  std::string out;
  for (size_t i = 0; s[i] != '\0'; ++i) {
    if (s[i] == '$' && s[i + 1] == '<') {
      size_t j = i + 2;
      while (s[j] != '\0' && s[j] != '>') ++j;
      if (s[j] == '>') { i = j; continue; }
    }
    out += s[i];
  }
  return out;
}

// `param` with its parameters applied, or "" when tiparm cannot.
std::string apply(const std::string& param, int a, int b = 0) {
  if (param.empty()) return "";
  const char* s = tiparm(param.c_str(), a, b);
  return s ? std::string(s) : std::string();
}

void take(std::string& field, const char* name) {
  std::string v = cap(name);
  if (!v.empty()) field = std::move(v);
}

// Fills `c` (which holds the xterm fallbacks) from ncurses' current terminal.
void from_current(TermCaps& c) {
  take(c.alt_enter, "smcup");
  take(c.alt_leave, "rmcup");
  take(c.home_clear, "clear");
  take(c.hide_cursor, "civis");
  take(c.reverse, "rev");
  take(c.plain, "sgr0");
  take(c.erase_eol, "el");
  take(c.cup, "cup");
  // Synchronized output (mode 2026); tmux's and xterm's entries lack it.
  c.sync = !cap("Sync").empty();
  // Shape 0 is the terminal's own default; Se is a fixed shape (a steady
  // block in xterm's entry), so it is taken only when Ss is missing.
  std::string shape = apply(cap("Ss"), 0);
  if (shape.empty()) shape = cap("Se");
  if (!shape.empty()) c.cursor_shape_reset = std::move(shape);
  // xterm's smcup/rmcup push and pop the title themselves.
  if (c.alt_enter.find("\x1b[22;") != std::string::npos) c.title_save.clear();
  if (c.alt_leave.find("\x1b[23;") != std::string::npos) c.title_restore.clear();
}

}  // namespace

std::string TermCaps::cursor_to(int row, int col) const {
  std::string s = apply(cup, row, col);
  if (!s.empty()) return s;
  return "\x1b[" + std::to_string(row + 1) + ";" + std::to_string(col + 1) + "H";
}

TermCaps xterm_caps() {
  TermCaps c;
  c.alt_enter = "\x1b[?1049h";
  c.alt_leave = "\x1b[?1049l";
  c.home_clear = "\x1b[H\x1b[2J";
  c.hide_cursor = "\x1b[?25l";
  c.reverse = "\x1b[7m";
  c.plain = "\x1b[0m";
  c.erase_eol = "\x1b[K";
  c.cursor_shape_reset = "\x1b[0 q";
  c.title_save = "\x1b[22;0t";
  c.title_restore = "\x1b[23;0t";
  c.cup.clear();  // cursor_to() writes CUP itself
  return c;
}

TermCaps load_term_caps(const char* term, int fd) {
  TermCaps c = xterm_caps();
  TERMINAL* prev = cur_term;
  int err = 0;
  if (setupterm(term, fd, &err) == 0) {  // OK (curses.h is not included)
    from_current(c);
    del_curterm(cur_term);
  }
  set_curterm(prev);
  return c;
}

const TermCaps& term_caps() {
  static const TermCaps caps = [] {
    if (cur_term == nullptr) return load_term_caps(nullptr, STDOUT_FILENO);
    TermCaps c = xterm_caps();
    from_current(c);
    return c;
  }();
  return caps;
}

}  // namespace amux::view
