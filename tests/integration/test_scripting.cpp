// Integration tests of the scripting commands: `agents --json --follow`
// (the list, then one line per change), `wait` (exit codes, states,
// timeout), `explain` (the deciding source and the transitions) and `diff`
// (a session's worktree changes). Each runs the real binary against a
// private instance (AmuxEnv).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/amux_env.h"
#include "support/bg_process.h"

using namespace amux::test;
using nlohmann::json;

namespace {

// The follow stream's lines as JSON (lines that do not parse fail the test).
std::vector<json> parsed(const BgProcess& p) {
  std::vector<json> v;
  for (auto& l : p.lines()) {
    try {
      v.push_back(json::parse(l));
    } catch (...) {
      ADD_FAILURE() << "not JSON: " << l;
    }
  }
  return v;
}

// The change lines about one session, as "event:value".
std::vector<std::string> changes_of(const std::vector<json>& lines, const std::string& id) {
  std::vector<std::string> v;
  for (auto& j : lines) {
    if (j.value("id", "") != id) continue;
    std::string e = j.value("event", "");
    if (e == "state") e += ":" + j.value("state", "");
    else if (e == "name") e += ":" + j.value("name", "");
    else if (e == "pin") e += std::string(":") + (j.value("pinned", false) ? "on" : "off");
    v.push_back(e);
  }
  return v;
}

bool has_line(const BgProcess& p, const std::string& text) {
  for (auto& l : p.lines())
    if (l.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST(Follow, ListOnceThenOneLinePerChange) {
  AmuxEnv env;
  std::string before = env.bg_exec("sleep 300", "before");
  ASSERT_TRUE(env.wait_state(before, "working"));
  BgProcess follow({amux_bin(), "agents", "--json", "--follow"}, env.env());
  // The list comes first, on one line, with the session already running.
  ASSERT_TRUE(wait_until([&] { return !follow.lines().empty(); }, 15000)) << follow.err();
  json first = json::parse(follow.lines()[0]);
  EXPECT_EQ(first.value("event", ""), "list");
  ASSERT_TRUE(first["sessions"].is_array());
  ASSERT_EQ(first["sessions"].size(), 1u);
  EXPECT_EQ(first["sessions"][0].value("id", ""), before);

  std::string id = env.bg_exec("sleep 1", "short");
  ASSERT_TRUE(wait_until([&] { return has_line(follow, "\"state\":\"done\""); }, 15000)) << follow.out();
  ASSERT_EQ(env.amux({"rename", id, "renamed"}).rc, 0);
  ASSERT_EQ(env.amux({"pin", id}).rc, 0);
  ASSERT_EQ(env.amux({"unpin", id}).rc, 0);
  ASSERT_EQ(env.amux({"rm", id}).rc, 0);
  ASSERT_TRUE(wait_until([&] { return has_line(follow, "\"removed\""); }, 15000)) << follow.out();

  auto lines = parsed(follow);
  // Whether "added" already says working depends on when the host wrote
  // its first record; what follows does not.
  auto seen = changes_of(lines, id);
  std::erase(seen, "state:working");
  EXPECT_EQ(seen,
            (std::vector<std::string>{"added", "state:done", "name:renamed", "pin:on", "pin:off",
                                      "removed"}))
      << follow.out();
  // Every change line but a removal carries the whole session.
  for (auto& j : lines) {
    if (j.value("event", "") == "list" || j.value("event", "") == "removed") continue;
    EXPECT_TRUE(j.contains("session") && j["session"].value("id", "") == j.value("id", "")) << j.dump();
  }
  // Nothing about the session that did not change after the list.
  EXPECT_TRUE(changes_of(lines, before).empty()) << follow.out();
  EXPECT_TRUE(follow.running());
}

TEST(Follow, NeedsJson) {
  AmuxEnv env;
  auto r = env.amux({"agents", "--follow"});
  EXPECT_EQ(r.rc, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--json"), std::string::npos) << r.err;
}
