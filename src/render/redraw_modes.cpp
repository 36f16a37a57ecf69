// redraw_modes.cpp — the terminal modes, cursor shape and title a client
// must mirror, as escape sequences.
//
// Why: keys and mouse reports a client sends mean what the program expects
// only when the client's terminal is in the program's modes (application
// cursor keys, bracketed paste, mouse, ...); the attach client sets them on
// attach and resets them on detach, and frames carry the changes. Each
// DECSET/DECRST goes in its own CSI, since libvterm 0.1.4 applies only the
// first parameter of one.
#include "render/redraw.h"

#include <string>
#include <string_view>
#include <vector>

#include "render/redraw_detail.h"
#include "render/utf8.h"

namespace amux::render {

namespace redraw_detail {

namespace {

constexpr size_t kMaxTitle = 1024;

// Private modes of `m` that differ from the defaults.
std::vector<int> modes_on(const Modes& m) {
  std::vector<int> v;
  if (m.app_cursor) v.push_back(1);
  if (m.reverse_video) v.push_back(5);
  if (m.mouse) v.push_back(m.mouse);
  if (m.mouse_encoding) v.push_back(m.mouse_encoding);
  if (m.focus_events) v.push_back(1004);
  if (m.bracketed_paste) v.push_back(2004);
  return v;
}

// One CSI per mode: libvterm 0.1.4 applies only the first parameter of a
// DECSET/DECRST, so "CSI ? 1 ; 2004 h" would leave 2004 unset there.
void private_modes(std::string& out, const std::vector<int>& modes, char final) {
  for (int m : modes) {
    out += "\x1b[?";
    out += std::to_string(m);
    out += final;
  }
}

// The title as it may be sent: valid UTF-8, no controls, bounded.
std::string clean_title(std::string_view t) {
  std::string out;
  for (size_t i = 0; i < t.size();) {
    char32_t cp = utf8::decode(t, i);
    if (is_control(cp)) continue;
    size_t before = out.size();
    utf8::append(out, cp);
    if (out.size() > kMaxTitle) {
      out.resize(before);
      break;
    }
  }
  return out;
}

}  // namespace

// DECSCUSR parameter for a cursor (0: the terminal's default, a blinking block).
int decscusr(const Cursor& c) {
  int base = c.shape == 2 ? 3 : c.shape == 3 ? 5 : 1;
  if (base == 1 && c.blink) return 0;
  return c.blink ? base : base + 1;
}

// Puts a client whose modes are unknown into exactly `m`. A mouse mode or
// encoding that is on is only set (setting one replaces the others in
// xterm and libvterm), so an active mode is never switched off and on.
std::string modes_sync(const Modes& m) {
  std::vector<int> off;
  if (!m.app_cursor) off.push_back(1);
  if (!m.reverse_video) off.push_back(5);
  if (!m.mouse) off.insert(off.end(), {1000, 1002, 1003});
  if (!m.mouse_encoding) off.insert(off.end(), {1005, 1006, 1015});
  if (!m.focus_events) off.push_back(1004);
  if (!m.bracketed_paste) off.push_back(2004);
  std::string out;
  private_modes(out, off, 'l');
  private_modes(out, modes_on(m), 'h');
  out += m.app_keypad ? "\x1b=" : "\x1b>";
  return out;
}

void title_seq(std::string& out, const std::string& title) {
  out += "\x1b]2;";
  out += clean_title(title);
  out += '\a';
}

}  // namespace redraw_detail

using namespace redraw_detail;

std::string modes_enter(const Modes& m) {
  std::string out;
  private_modes(out, modes_on(m), 'h');
  if (m.app_keypad) out += "\x1b=";
  return out;
}

std::string modes_leave(const Modes& m) {
  std::string out;
  private_modes(out, modes_on(m), 'l');
  if (m.app_keypad) out += "\x1b>";
  out += "\x1b[?25h\x1b[0m";
  return out;
}

std::string modes_transition(const Modes& from, const Modes& to) {
  std::vector<int> off, on;
  auto flag = [&](bool a, bool b, int mode) {
    if (a != b) (b ? on : off).push_back(mode);
  };
  flag(from.app_cursor, to.app_cursor, 1);
  flag(from.reverse_video, to.reverse_video, 5);
  if (from.mouse != to.mouse) {
    if (to.mouse) on.push_back(to.mouse);
    else off.push_back(from.mouse);
  }
  if (from.mouse_encoding != to.mouse_encoding) {
    if (to.mouse_encoding) on.push_back(to.mouse_encoding);
    else off.push_back(from.mouse_encoding);
  }
  flag(from.focus_events, to.focus_events, 1004);
  flag(from.bracketed_paste, to.bracketed_paste, 2004);
  std::string out;
  private_modes(out, off, 'l');
  private_modes(out, on, 'h');
  if (from.app_keypad != to.app_keypad) out += to.app_keypad ? "\x1b=" : "\x1b>";
  return out;
}

}  // namespace amux::render
