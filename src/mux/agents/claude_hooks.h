// claude_hooks.h — the Claude Code settings file that makes claude report
// its own state to amux.
//
// Why: screen patterns guess; Claude Code's hooks know. The claude profile
// (hooks = "claude") starts claude with --settings pointing at a file in the
// job dir whose hooks run `amux notify`: a prompt or a tool call means
// working, a permission question means blocked, the end of a turn means
// idle. A user's own --settings file is merged in (their keys and hooks
// kept, ours appended), so nothing they asked for is lost.
//
// Schema (Claude Code settings.json):
//   {"hooks": {"<Event>": [{"matcher": "...", "hooks": [{"type": "command",
//                                                       "command": "..."}]}]}}
#pragma once

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace amux::mux {

struct ClaudeHooksError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// {"hooks": {...}} calling `<amux_bin> notify ...` (the path is shell-quoted;
// a failing notify never blocks claude):
//   UserPromptSubmit, PreToolUse, PostToolUse → --state working
//   PermissionRequest, Notification(permission_prompt)
//                                → --state blocked --waiting-for permission
//   Notification(elicitation_dialog) → --state blocked --waiting-for input
//   Stop → --state idle;  SessionEnd → --state idle --detail "session ended"
//   StopFailure → --hook claude (blocked for login/quota errors, else idle;
//                 the error as detail: hook_report.h)
nlohmann::json claude_hooks_settings(const std::string& amux_bin);

// `user` (a settings object) with `ours`' hooks appended per event; every
// other key of `user` kept. Throws ClaudeHooksError when `user` or its
// "hooks" has the wrong shape.
nlohmann::json merge_claude_settings(nlohmann::json user, const nlohmann::json& ours);

// What a --settings value names: a JSON file, or inline JSON text (as
// claude accepts). Throws ClaudeHooksError naming the file.
nlohmann::json read_claude_settings(const std::string& file_or_json);

// Write <job_dir>/claude-settings.json (atomically, 0600): our hooks merged
// into `user_settings` ("" for none). Returns its path, to pass as the
// profile's settings option. Throws ClaudeHooksError.
std::string write_claude_settings(const std::string& job_dir, const std::string& amux_bin,
                                  const std::string& user_settings);

}  // namespace amux::mux
