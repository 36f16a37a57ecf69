// Tests for hook_report (src/mux/agents/hook_report.cpp): what each agent hook
// event says about the session's state, with payloads shaped as Claude Code
// 2.1.328, Codex 0.171.0 and Gemini CLI 0.61.0 send them.
#include <gtest/gtest.h>

#include "mux/agents/hook_report.h"

using namespace amux::mux;
using nlohmann::json;

TEST(HookReport, ClaudeStopFailureBlocksWhenThePersonMustAct) {
  auto r = hook_report("claude", {{"hook_event_name", "StopFailure"},
                                  {"error", "authentication_failed"},
                                  {"last_assistant_message", "Not logged in · Please run /login"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->state, SessionState::Blocked);
  EXPECT_EQ(r->waiting_for, "login");
  EXPECT_EQ(r->detail, "Not logged in · Please run /login");
  for (const char* e : {"oauth_org_not_allowed", "account_on_hold", "verification_required", "cloud_credential_error"}) {
    r = hook_report("claude", {{"hook_event_name", "StopFailure"}, {"error", e}});
    ASSERT_TRUE(r) << e;
    EXPECT_EQ(r->state, SessionState::Blocked) << e;
    EXPECT_EQ(r->waiting_for, "login") << e;
    EXPECT_EQ(r->detail, e);
  }
  for (const char* e : {"billing_error", "rate_limit"}) {
    r = hook_report("claude", {{"hook_event_name", "StopFailure"}, {"error", e}, {"error_details", "Usage limit\nreached"}});
    ASSERT_TRUE(r) << e;
    EXPECT_EQ(r->state, SessionState::Blocked) << e;
    EXPECT_EQ(r->waiting_for, "quota") << e;
    EXPECT_EQ(r->detail, "Usage limit");
  }
}

TEST(HookReport, ClaudeStopFailureOtherwiseIdle) {
  for (const char* e : {"overloaded", "server_error", "invalid_request", "model_not_found", "unknown", "max_output_tokens"}) {
    auto r = hook_report("claude", {{"hook_event_name", "StopFailure"}, {"error", e}});
    ASSERT_TRUE(r) << e;
    EXPECT_EQ(r->state, SessionState::Idle) << e;
    EXPECT_EQ(r->detail, e);
  }
  auto r = hook_report("claude", {{"hook_event_name", "StopFailure"}, {"error", "server_error"},
                                  {"error_details", std::string(300, 'x')}});
  ASSERT_TRUE(r);
  EXPECT_LE(r->detail.size(), 204u);
}

TEST(HookReport, ClaudeTurnEvents) {
  EXPECT_EQ(hook_report("claude", {{"hook_event_name", "Stop"}})->state, SessionState::Idle);
  EXPECT_EQ(hook_report("claude", {{"hook_event_name", "UserPromptSubmit"}})->state, SessionState::Working);
  EXPECT_EQ(hook_report("claude", {{"hook_event_name", "SessionEnd"}})->detail, "session ended");
  EXPECT_FALSE(hook_report("claude", {{"hook_event_name", "CwdChanged"}}));
  EXPECT_FALSE(hook_report("claude", json::array()));
  EXPECT_FALSE(hook_report("nosuch", {{"hook_event_name", "Stop"}}));
}

TEST(HookReport, CodexNotify) {
  auto r = hook_report("codex", {{"type", "agent-turn-complete"}, {"turn-id", "1"},
                                 {"last-assistant-message", "Done.\nMore"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->state, SessionState::Idle);
  EXPECT_EQ(r->detail, "Done.");
  EXPECT_FALSE(hook_report("codex", {{"type", "something-else"}}));
}

TEST(HookReport, GeminiHooks) {
  EXPECT_EQ(hook_report("gemini", {{"hook_event_name", "BeforeAgent"}})->state, SessionState::Working);
  EXPECT_EQ(hook_report("gemini", {{"hook_event_name", "AfterAgent"}})->state, SessionState::Idle);
  auto r = hook_report("gemini", {{"hook_event_name", "Notification"}, {"notification_type", "ToolPermission"},
                                  {"message", "Allow shell command?"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->state, SessionState::Blocked);
  EXPECT_EQ(r->waiting_for, "permission");
  EXPECT_EQ(r->detail, "Allow shell command?");
}
