// attach_terminal.h — what the attach client asks of the person's terminal
// and writes to it around a session: its size, the bytes that enter and
// leave the session's screen, the "session exited" line, and the Attach
// request that tells the host what this terminal is.
//
// Why: attach_client.cpp is the event loop between the terminal and the
// host; the terminal's own facts and sequences are a concern of their own,
// read from the environment (TERM, COLORTERM, NO_COLOR, TMUX) and terminfo
// (term_caps.h).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "keymap/keymap_table.h"

namespace amux::view {

struct AttachOptions;

// Writes all of `s` to `fd` (waits while it is full; gives up if it is gone).
void write_all_fd(int fd, std::string_view s);
// The terminal's size (stdout's, else stdin's, else 24x80).
void terminal_size(int* rows, int* cols);
// What the client writes when it comes: the title saved, the alternate screen, clear.
std::string enter_sequence();
// What it writes when it leaves: every mode a session may have set back to
// its default, then the normal screen and the saved title.
std::string leave_sequence();
// The last row's notice when the session ended (`detail`: its state and why;
// controls are replaced by spaces).
std::string exited_notice(int rows, std::string detail, bool sync);
// The Attach request: size, TERM, colours, synchronized output, clipboard,
// wheel; with `input`, the [attach] bindings the host matches on the keys
// it reads itself. Sets *sync to whether frames are wrapped in mode 2026.
nlohmann::json attach_request(int rows, int cols, const AttachOptions& opts,
                              const keymap::KeymapTable& keys, bool input, bool* sync);

}  // namespace amux::view
