// hook_report.h — what an agent's own hook event says about its session's
// state.
//
// Why: `amux notify --hook <agent>` is what the generated hooks call with
// the agent's event payload (Claude Code and Gemini CLI give it as JSON on
// stdin, Codex's `notify` program as its last argument). Some events carry
// the state in their content, not in their name: Claude Code's StopFailure
// ends a turn that failed, and whether the person must act (log in, fix a
// key, wait for quota) or may simply send again depends on its `error`.
// The mapping is plain logic here so every case is unit-tested.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "mux/store/session_record.h"

namespace amux::mux {

struct HookReport {
  SessionState state = SessionState::Working;
  std::string detail;       // one line for the session's row
  std::string waiting_for;  // when blocked: "login", "quota", "permission", "input"
};

// nullopt: the event says nothing about the state (or the payload is not
// one this knows). agent: "claude", "codex" or "gemini"; anything else
// yields nullopt.
//   claude  Stop → idle; StopFailure → blocked (authentication_failed,
//           oauth_org_not_allowed, account_on_hold, verification_required,
//           cloud_credential_error: "login"; billing_error, rate_limit:
//           "quota") or idle (any other error), the error as detail;
//           UserPromptSubmit → working; SessionEnd → idle "session ended"
//   codex   {"type": "agent-turn-complete", ...} → idle, the last message
//   gemini  BeforeAgent → working; AfterAgent → idle; Notification
//           (ToolPermission) → blocked permission; SessionEnd → idle
std::optional<HookReport> hook_report(const std::string& agent, const nlohmann::json& payload);

}  // namespace amux::mux
