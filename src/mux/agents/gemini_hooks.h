// gemini_hooks.h — the Gemini CLI settings that make gemini report its own
// state to amux.
//
// Why: like Claude Code, Gemini CLI (0.61) runs hooks from its settings:
// BeforeAgent (a turn starts), AfterAgent (it ended), Notification
// (ToolPermission: it asks before running a tool) and SessionEnd, each
// given its event as JSON on stdin. It takes no settings file on its
// command line, but reads its system settings (highest precedence) from
// $GEMINI_CLI_SYSTEM_SETTINGS_PATH: amux writes a file there holding the
// machine's own system settings (when there are any) with hooks calling
// `amux notify --hook gemini` appended, so nothing an administrator set is
// lost, and keeps the system defaults file where it was.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace amux::mux {

// No directory above `path` (itself excluded) is writable by group or
// others: gemini's rule for a system settings file it will read. Ones that
// do not exist yet count as private (amux makes them 0700).
bool private_path(const std::string& path);

// {"hooks": {"BeforeAgent"|"AfterAgent"|"Notification"|"SessionEnd":
//   [{"hooks": [{"type": "command", "command": "<amux> notify --hook gemini …"}]}]}}
nlohmann::json gemini_hooks_settings(const std::string& amux_bin);

// Write <job_dir>/gemini-settings.json (0600): the system settings gemini
// would read (system_settings_path, "" for none or unreadable) with our
// hooks merged in. Returns the environment entries ("K=V") that point
// gemini at it; none (and no file) when a directory above job_dir is
// writable by group or others, as gemini would refuse the file (see
// private_path). Throws ClaudeHooksError (claude_hooks.h) on a write error
// or a system settings file of the wrong shape.
std::vector<std::string> write_gemini_settings(const std::string& job_dir, const std::string& amux_bin,
                                               const std::string& system_settings_path,
                                               const std::string& system_defaults_path);

}  // namespace amux::mux
