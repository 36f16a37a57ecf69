// hook_report.cpp — map an agent hook's payload to a state (see
// hook_report.h).
#include "mux/agents/hook_report.h"

#include <set>

#include "render/utf8.h"

namespace amux::mux {
namespace {

using nlohmann::json;

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The first non-blank line, at most 200 bytes (cut at a character start).
std::string one_line(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  std::string l = s.substr(b, s.find_first_of("\r\n", b) - b);
  while (!l.empty() && (l.back() == ' ' || l.back() == '\t')) l.pop_back();
  if (l.size() > 200) {
    l.resize(200);
    while (!l.empty() && render::utf8::is_continuation(static_cast<unsigned char>(l.back()))) l.pop_back();
    if (!l.empty()) l.pop_back();
    l += "…";
  }
  return l;
}

// Events that map to a state (and maybe a fixed detail) and nothing else.
struct PlainEvent {
  const char* event;
  SessionState state;
  const char* detail;
};

std::optional<HookReport> plain(const std::string& event, std::initializer_list<PlainEvent> table) {
  for (const PlainEvent& e : table) {
    if (event != e.event) continue;
    HookReport r;
    r.state = e.state;
    r.detail = e.detail;
    return r;
  }
  return std::nullopt;
}

std::optional<HookReport> claude(const json& p) {
  const std::string event = str(p, "hook_event_name");
  if (auto r = plain(event, {{"UserPromptSubmit", SessionState::Working, ""},
                             {"Stop", SessionState::Idle, ""},
                             {"SessionEnd", SessionState::Idle, "session ended"}}))
    return r;
  HookReport r;
  if (event != "StopFailure") return std::nullopt;
  static const std::set<std::string> login = {"authentication_failed", "oauth_org_not_allowed",
                                              "account_on_hold", "verification_required",
                                              "cloud_credential_error"};
  static const std::set<std::string> quota = {"billing_error", "rate_limit"};
  const std::string error = str(p, "error");
  std::string text = one_line(str(p, "error_details"));
  if (text.empty()) text = one_line(str(p, "last_assistant_message"));
  if (text.empty()) text = error.empty() ? "the turn failed" : error;
  r.detail = text;
  if (login.count(error)) {
    r.state = SessionState::Blocked;
    r.waiting_for = "login";
  } else if (quota.count(error)) {
    r.state = SessionState::Blocked;
    r.waiting_for = "quota";
  } else {
    r.state = SessionState::Idle;
  }
  return r;
}

std::optional<HookReport> codex(const json& p) {
  if (str(p, "type") != "agent-turn-complete") return std::nullopt;
  HookReport r;
  r.state = SessionState::Idle;
  r.detail = one_line(str(p, "last-assistant-message"));
  return r;
}

std::optional<HookReport> gemini(const json& p) {
  const std::string event = str(p, "hook_event_name");
  if (auto r = plain(event, {{"BeforeAgent", SessionState::Working, ""},
                             {"AfterAgent", SessionState::Idle, ""},
                             {"SessionEnd", SessionState::Idle, "session ended"}}))
    return r;
  HookReport r;
  if (event == "Notification" && str(p, "notification_type") == "ToolPermission") {
    r.state = SessionState::Blocked;
    r.waiting_for = "permission";
    r.detail = one_line(str(p, "message"));
    return r;
  }
  return std::nullopt;
}

}  // namespace

std::optional<HookReport> hook_report(const std::string& agent, const json& payload) {
  if (!payload.is_object()) return std::nullopt;
  if (agent == "claude") return claude(payload);
  if (agent == "codex") return codex(payload);
  if (agent == "gemini") return gemini(payload);
  return std::nullopt;
}

}  // namespace amux::mux
