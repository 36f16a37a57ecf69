// attach_client.h — put a session on this terminal until the user detaches.
//
// Why: the interactive half of amux. The client switches the terminal to raw
// mode and the alternate screen, sends keys to the host and draws what the
// host renders; it restores the terminal on every way out (detach, session
// exit, lost host, signals).
#pragma once

#include <string>

#include "cli/context.h"

namespace amux::cli {

enum class AttachEnd { Detached, Exited, Lost, Next, Previous, Back };

struct AttachResult {
  AttachEnd end = AttachEnd::Detached;
  std::string error;  // when the attach could not start or the host was lost
};

// Attach to the session; `announce` prints "[detached …]" after leaving.
AttachResult run_attach(Context& ctx, const mux::SessionRecord& rec, bool announce = true);

// attach for CLI commands: runs run_attach and maps the end to an exit code.
int attach_session(Context& ctx, const mux::SessionRecord& rec);

}  // namespace amux::cli
