// The changes `agents --json --follow` prints, worked out from the
// supervisor's watch events (session_changes.h).
#include <gtest/gtest.h>

#include "mux/wire/session_changes.h"

using amux::mux::SessionChanges;
using nlohmann::json;

namespace {
json session(const std::string& id, const std::string& state, const std::string& name = "n", bool pinned = false,
             int64_t updated = 1) {
  return {{"id", id}, {"state", state}, {"name", name}, {"pinned", pinned}, {"cwd", "/w"}, {"updatedAt", updated}};
}
std::vector<std::string> kinds(const std::vector<json>& v) {
  std::vector<std::string> k;
  for (auto& j : v) k.push_back(j.value("event", "") + ":" + j.value("id", ""));
  return k;
}
}  // namespace

TEST(SessionChanges, OneChangePerKind) {
  SessionChanges c(false, "");
  c.reset(json::array({session("a", "working")}));
  EXPECT_TRUE(c.apply({{"session", session("a", "working", "n", false, 2)}}).empty());  // detail only
  auto v = c.apply({{"session", session("a", "blocked", "m", true, 3)}});
  ASSERT_EQ(kinds(v), (std::vector<std::string>{"state:a", "name:a", "pin:a"}));
  EXPECT_EQ(v[0]["from"], "working");
  EXPECT_EQ(v[0]["state"], "blocked");
  EXPECT_EQ(v[1]["name"], "m");
  EXPECT_EQ(v[2]["pinned"], true);
  EXPECT_EQ(v[0]["session"]["id"], "a");
  EXPECT_EQ(kinds(c.apply({{"session", session("b", "starting")}})), (std::vector<std::string>{"added:b"}));
  EXPECT_EQ(kinds(c.apply({{"removed", "a"}})), (std::vector<std::string>{"removed:a"}));
  EXPECT_TRUE(c.apply({{"removed", "a"}}).empty());
}

TEST(SessionChanges, StaleEventAfterTheListIsIgnored) {
  SessionChanges c(true, "");
  c.reset(json::array({session("a", "idle", "n", false, 10)}));
  EXPECT_TRUE(c.apply({{"session", session("a", "working", "n", false, 5)}}).empty());
  EXPECT_EQ(c.known().at("a")["state"], "idle");
}

TEST(SessionChanges, FinishedSessionsOnlyWithAllOrWhenKnown) {
  SessionChanges c(false, "");
  c.reset(json::array({session("a", "working")}));
  EXPECT_TRUE(c.apply({{"session", session("old", "done")}}).empty());
  EXPECT_EQ(kinds(c.apply({{"session", session("a", "done", "n", false, 2)}})), (std::vector<std::string>{"state:a"}));
  SessionChanges all(true, "");
  EXPECT_EQ(kinds(all.apply({{"session", session("old", "done")}})), (std::vector<std::string>{"added:old"}));
}

TEST(SessionChanges, CwdFilter) {
  SessionChanges c(true, "/w");
  EXPECT_EQ(c.apply({{"session", session("a", "working")}}).size(), 1u);
  json other = session("b", "working");
  other["cwd"] = "/wx";
  EXPECT_TRUE(c.apply({{"session", other}}).empty());
}

TEST(SessionChanges, ResyncReportsWhatChangedMeanwhile) {
  SessionChanges c(true, "");
  c.reset(json::array({session("a", "working"), session("b", "working")}));
  auto v = c.apply({{"sessions", json::array({session("a", "idle", "n", false, 2), session("c", "working")})}});
  EXPECT_EQ(kinds(v), (std::vector<std::string>{"state:a", "added:c", "removed:b"}));
}
