// attach_client.h — put a session on this terminal until the user detaches.
//
// Why: the interactive half of amux. The client switches the terminal to raw
// mode and the alternate screen, sends keys to the host and draws what the
// host renders; it restores the terminal on every way out (detach, session
// exit, lost host, signals).
#pragma once

#include <string>

#include "keymap/keymap_table.h"
#include "mux/store/paths.h"
#include "mux/store/session_record.h"

namespace amux::view {

enum class AttachEnd { Detached, Exited, Lost, Next, Previous, Back };

struct AttachResult {
  AttachEnd end = AttachEnd::Detached;
  std::string error;  // when the attach could not start or the host was lost
};

// Attach to the session with the [attach] bindings of `keys`; `announce`
// prints "[detached …]" after leaving (not when the agent view attaches).
// escape_time_ms: how long the start of a bound key's escape sequence (a
// lone ESC) waits for the rest before it goes to the program as it is, when
// this client reads the keys (config.toml escape_time_ms).
AttachResult run_attach(const mux::Paths& paths, const keymap::KeymapTable& keys,
                        const mux::SessionRecord& rec, bool announce = true,
                        int escape_time_ms = 20);

}  // namespace amux::view
