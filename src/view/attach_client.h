// attach_client.h — put a session on this terminal until the user detaches.
//
// Why: the interactive half of amux. The client switches the terminal to raw
// mode and the alternate screen, sends keys to the host and draws what the
// host renders; it restores the terminal on every way out (detach, session
// exit, lost host, signals).
#pragma once

#include <string>

#include "keymap/keymap_table.h"
#include "mux/store/config.h"
#include "mux/store/paths.h"
#include "mux/store/session_record.h"

namespace amux::view {

enum class AttachEnd { Detached, Exited, Lost, Next, Previous, Back };

struct AttachResult {
  AttachEnd end = AttachEnd::Detached;
  std::string error;  // when the attach could not start or the host was lost
};

// The config.toml settings an attach uses.
struct AttachOptions {
  // How long the start of a bound key's escape sequence (a lone ESC) waits
  // for the rest before it goes to the program as it is (escape_time_ms).
  int escape_time_ms = 20;
  // Frames wrapped in synchronized output (mode 2026): "auto" (terminfo's
  // Sync), "on", "off" (sync_output).
  std::string sync_output = "auto";
  // Copy mode also sets the terminal's clipboard: "osc52" or "off".
  std::string clipboard = "off";
  // The wheel enters copy mode while the program has not asked for the
  // mouse (the terminal then reports the mouse to amux): config mouse.
  bool wheel = true;
};

// Attach to the session with the [attach] bindings of `keys`; `announce`
// prints "[detached …]" after leaving (not when the agent view attaches).
AttachResult run_attach(const mux::Paths& paths, const keymap::KeymapTable& keys,
                        const mux::SessionRecord& rec, bool announce = true,
                        const AttachOptions& opts = {});
// The attach options of a config.
AttachOptions attach_options(const mux::Config& config);

}  // namespace amux::view
