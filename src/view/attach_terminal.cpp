// attach_terminal.cpp — see attach_terminal.h.
#include "view/attach_terminal.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "render/redraw.h"
#include "view/attach_client.h"
#include "view/term_caps.h"

namespace amux::view {

void write_all_fd(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n > 0) { s.remove_prefix(size_t(n)); continue; }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      struct pollfd p = {fd, POLLOUT, 0};
      poll(&p, 1, 1000);
      continue;
    }
    return;  // terminal gone
  }
}

void terminal_size(int* rows, int* cols) {
  struct winsize ws {};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
    *rows = ws.ws_row;
    *cols = ws.ws_col;
  } else if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
    *rows = ws.ws_row;
    *cols = ws.ws_col;
  } else {
    *rows = 24;
    *cols = 80;
  }
}

std::string enter_sequence() {
  const TermCaps& tc = term_caps();
  return tc.title_save + tc.alt_enter + tc.home_clear;
}

std::string leave_sequence() {
  render::Modes all;
  all.app_cursor = all.app_keypad = all.bracketed_paste = all.focus_events = true;
  all.mouse = 1003;
  all.mouse_encoding = 1006;
  all.reverse_video = true;
  const TermCaps& tc = term_caps();
  return render::modes_leave(all) + tc.cursor_shape_reset + tc.alt_leave + tc.title_restore;
}

std::string exited_notice(int rows, std::string detail, bool sync) {
  for (auto& c : detail)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  const TermCaps& tc = term_caps();
  std::string msg = tc.hide_cursor + tc.cursor_to(rows - 1, 0) + tc.plain + tc.reverse + " — session " +
                    detail + " · press any key to return — " + tc.plain + tc.erase_eol;
  if (sync) msg = "\x1b[?2026h" + msg + "\x1b[?2026l";
  return msg;
}

nlohmann::json attach_request(int rows, int cols, const AttachOptions& opts,
                              const keymap::KeymapTable& keys, bool input, bool* sync) {
  const char* term = getenv("TERM");
  const char* colorterm = getenv("COLORTERM");
  bool truecolor = colorterm && (strstr(colorterm, "truecolor") || strstr(colorterm, "24bit"));
  nlohmann::json att = {{"rows", rows},
                        {"cols", cols},
                        {"term", term ? term : "xterm-256color"},
                        {"truecolor", truecolor || (term && strstr(term, "direct"))},
                        {"colors", getenv("NO_COLOR") == nullptr}};
  // tmux-like terminals pass truecolor through; assume it when the client runs inside tmux.
  if (getenv("TMUX")) att["truecolor"] = true;
  // Synchronized output: the host wraps every frame in mode 2026 when this
  // terminal understands it, and so does the client with what it draws.
  *sync = opts.sync_output == "on" || (opts.sync_output == "auto" && term_caps().sync);
  att["sync"] = *sync;
  att["clipboard"] = opts.clipboard;
  att["wheel"] = opts.wheel;
  if (input) {
    // Direct input: the host matches these bindings on the keys it reads.
    nlohmann::json b = nlohmann::json::array();
    for (const auto& k : keys.bindings("attach")) b.push_back({{"keys", k.keys}, {"action", k.action}});
    att["input"] = true;
    att["bindings"] = std::move(b);
  }
  return att;
}

}  // namespace amux::view
