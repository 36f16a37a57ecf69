// When the person is told about a session (attention.h): once per change
// to blocked/done/failed, after the hold, never for a session someone is
// attached to or the person is looking at; and the bytes and command that
// carry it (notify_out.h).
#include <gtest/gtest.h>

#include <algorithm>

#include "view/attention.h"
#include "view/notify_out.h"

using amux::view::Attention;
using amux::view::AttentionCall;
using nlohmann::json;

namespace {
json s(const std::string& id, const std::string& state, int attached = 0, const std::string& name = "n") {
  return {{"id", id}, {"state", state}, {"name", name}, {"attached", attached}};
}
auto nobody = [](const std::string&) { return false; };
}  // namespace

TEST(Attention, OncePerChangeAfterTheHold) {
  Attention a(2000);
  a.reset(json::array({s("x", "working")}));
  a.update(s("x", "blocked"), 1000);
  EXPECT_TRUE(a.due(2999, nobody).empty());
  ASSERT_EQ(a.next_due(), 3000);
  auto calls = a.due(3000, nobody);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].id, "x");
  EXPECT_EQ(calls[0].state, "blocked");
  EXPECT_TRUE(a.due(10000, nobody).empty());
  a.update(s("x", "blocked"), 11000);  // the same state written again: no news
  EXPECT_TRUE(a.due(20000, nobody).empty());
  a.update(s("x", "working"), 21000);
  a.update(s("x", "done"), 22000);
  EXPECT_EQ(a.due(24000, nobody).size(), 1u);
}

TEST(Attention, AFlickerIsNotTold) {
  Attention a(2000);
  a.reset(json::array({s("x", "working")}));
  a.update(s("x", "blocked"), 1000);
  a.update(s("x", "working"), 1500);
  EXPECT_FALSE(a.next_due());
  EXPECT_TRUE(a.due(5000, nobody).empty());
}

TEST(Attention, NotWhatThePersonSees) {
  Attention a(0);
  a.reset(json::array({s("x", "working"), s("y", "working")}));
  a.update(s("x", "blocked", 1), 0);  // attached
  a.update(s("y", "blocked"), 0);
  EXPECT_TRUE(a.due(0, [](const std::string& id) { return id == "y"; }).empty());  // y is selected
  // Detaching later does not make that change news.
  a.update(s("x", "blocked", 0), 10);
  EXPECT_TRUE(a.due(100, nobody).empty());
}

TEST(Attention, NewSessionsAndTheFirstListAreNotNews) {
  Attention a(0);
  a.reset(json::array({s("x", "blocked")}));
  a.update(s("z", "blocked"), 0);
  EXPECT_TRUE(a.due(10, nobody).empty());
}

TEST(NotifyOut, TheNameCannotEscapeTheSequence) {
  AttentionCall c{"7c5dcf5d", "evil\033]0;pwned\a\xc2\x9b" "31m;x", "blocked"};
  std::string osc9 = amux::view::notification_bytes("osc9", c);
  ASSERT_EQ(osc9.rfind("\033]9;amux: ", 0), 0u);
  EXPECT_EQ(osc9.back(), '\a');
  // One ESC (the start) and one BEL (the end): nothing from the name.
  EXPECT_EQ(std::count(osc9.begin(), osc9.end(), '\033'), 1);
  EXPECT_EQ(std::count(osc9.begin(), osc9.end(), '\a'), 1);
  EXPECT_EQ(osc9.find("\xc2\x9b"), std::string::npos);
  EXPECT_NE(osc9.find("needs input"), std::string::npos);
  std::string osc777 = amux::view::notification_bytes("osc777", c);
  ASSERT_EQ(osc777.rfind("\033]777;notify;amux;", 0), 0u);
  EXPECT_EQ(std::count(osc777.begin(), osc777.end(), ';'), 3);  // the name's ';' is not a field
  EXPECT_EQ(amux::view::notification_bytes("bell", c), "\a");
  EXPECT_EQ(amux::view::notification_bytes("off", c), "");
}
