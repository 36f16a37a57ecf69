// Session states from every source the host has (DESIGN.md §4), each shown
// with a real program in a real PTY and read back the way a script would:
// `amux agents --json`, through the supervisor.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "support/amux_env.h"

using namespace amux::test;
using nlohmann::json;

namespace {

std::string field(const json& s, const char* key) {
  if (!s.is_object() || !s.contains(key)) return "";
  return s[key].is_string() ? s[key].get<std::string>() : s[key].dump();
}

struct Case {
  const char* name;
  const char* cmd;
};

}  // namespace

class BlockedOnTheTerminal : public ::testing::TestWithParam<Case> {};

TEST_P(BlockedOnTheTerminal, IsBlockedWaitingForInput) {
  AmuxEnv env;
  std::string id = env.bg_exec(GetParam().cmd, GetParam().name);
  json s;
  ASSERT_TRUE(env.wait_state(id, "blocked", 10000, &s)) << s.dump(2) << "\n" << env.capture(id);
  EXPECT_EQ(field(s, "waitingFor"), "input");
  EXPECT_NE(field(s, "detail"), "");
}

INSTANTIATE_TEST_SUITE_P(
    ShellJobs, BlockedOnTheTerminal,
    ::testing::Values(
        Case{"read", "read -p 'your name? ' x; sleep 600"},
        Case{"input", "python3 -c 'input(\"your name? \")'; sleep 600"},
        Case{"select", "python3 -c 'import select,sys; print(\"pick one\", flush=True); "
                       "select.select([sys.stdin],[],[])'; sleep 600"},
        Case{"password", "python3 -c 'import getpass; getpass.getpass(\"Password: \")'; sleep 600"},
        Case{"cat", "echo feed me; cat; sleep 600"},
        Case{"pager", "seq 1 500 | less; sleep 600"}),
    [](const ::testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });

class WorkingWhileNotReading : public ::testing::TestWithParam<Case> {};

TEST_P(WorkingWhileNotReading, StaysWorking) {
  AmuxEnv env;
  std::string id = env.bg_exec(GetParam().cmd, GetParam().name);
  ASSERT_TRUE(wait_until([&] { return env.record_field(id, "hadWork") == "true" ||
                                      GetParam().name == std::string("sleep"); }));
  // Long enough for several probes (their interval backs off to 2 s).
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));
  json s = env.session(id);
  EXPECT_EQ(field(s, "state"), "working") << s.dump(2);
  EXPECT_EQ(field(s, "waitingFor"), "");
}

INSTANTIATE_TEST_SUITE_P(
    ShellJobs, WorkingWhileNotReading,
    ::testing::Values(Case{"sleep", "sleep 600"},
                      Case{"question", "echo 'Continue? [y/N]'; sleep 600"},
                      Case{"busy", "echo spinning; while :; do :; done"}),
    [](const ::testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });

TEST(States, ReplyUnblocks) {
  AmuxEnv env;
  std::string id = env.bg_exec("read -p 'Proceed? ' x; echo got-$x; sleep 600");
  json s;
  ASSERT_TRUE(env.wait_state(id, "blocked", 10000, &s)) << s.dump(2);
  EXPECT_EQ(field(s, "detail"), "Proceed?");
  ASSERT_EQ(env.amux({"reply", id, "yes"}).rc, 0);
  ASSERT_TRUE(env.wait_state(id, "working", 10000, &s)) << s.dump(2);
  EXPECT_TRUE(env.wait_capture(id, "got-yes"));
  EXPECT_EQ(field(s, "waitingFor"), "");
}

TEST(States, NotifyFromInsideTheSession) {
  AmuxEnv env;
  const std::string amux = amux_bin();
  // notify wins over the probe: this job never reads the terminal.
  std::string id = env.bg_exec(amux + " notify --state blocked --detail 'Allow Bash(rm -rf build)?' "
                                      "--waiting-for permission && sleep 2 && " +
                               amux + " notify --state working --detail 'Running tests' && sleep 2 && " +
                               amux + " notify --state idle --detail 'All done' && sleep 600");
  json s;
  ASSERT_TRUE(env.wait_state(id, "blocked", 10000, &s)) << s.dump(2) << env.capture(id);
  EXPECT_EQ(field(s, "waitingFor"), "permission");
  EXPECT_EQ(field(s, "detail"), "Allow Bash(rm -rf build)?");
  ASSERT_TRUE(env.wait_state(id, "working", 10000, &s)) << s.dump(2);
  EXPECT_EQ(field(s, "detail"), "Running tests");
  EXPECT_EQ(field(s, "waitingFor"), "");
  ASSERT_TRUE(env.wait_state(id, "idle", 10000, &s)) << s.dump(2);
  EXPECT_EQ(field(s, "detail"), "All done");
}

TEST(States, NotifyOutsideASessionIsAClearError) {
  AmuxEnv env;
  auto r = run_process({amux_bin(), "notify", "--state", "idle"}, env.env());
  EXPECT_NE(r.rc, 0);
  EXPECT_NE(r.err.find("not inside an amux session"), std::string::npos) << r.err;
  auto bad = env.amux({"notify", "--state", "sleepy"});
  EXPECT_NE(bad.rc, 0);
}

class Notifications : public ::testing::TestWithParam<Case> {};

TEST_P(Notifications, BlockWithTheirText) {
  AmuxEnv env;
  std::string id = env.bg_exec(GetParam().cmd, GetParam().name);
  json s;
  ASSERT_TRUE(env.wait_state(id, "blocked", 10000, &s)) << s.dump(2);
  if (std::string(GetParam().name) == "bel") {
    EXPECT_EQ(field(s, "waitingFor"), "attention");
  } else {
    EXPECT_NE(field(s, "detail").find("Build done"), std::string::npos) << s.dump(2);
    EXPECT_NE(field(s, "waitingFor").find("Build done"), std::string::npos) << s.dump(2);
  }
  // A person answering clears it: the job does not read, so it works on.
  ASSERT_EQ(env.amux({"reply", id, "ok"}).rc, 0);
  EXPECT_TRUE(env.wait_state(id, "working", 10000, &s)) << s.dump(2);
}

INSTANTIATE_TEST_SUITE_P(
    Sources, Notifications,
    ::testing::Values(Case{"osc9", "printf '\\033]9;Build done\\007'; sleep 600"},
                      Case{"osc99", "printf '\\033]99;;Build done\\033\\\\'; sleep 600"},
                      Case{"osc777", "printf '\\033]777;notify;CI;Build done\\007'; sleep 600"},
                      Case{"bel", "echo ring; sleep 0.5; printf '\\a'; sleep 600"}),
    [](const ::testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });

TEST(States, TitleIsTheDetail) {
  AmuxEnv env;
  std::string id = env.bg_exec("printf '\\033]0;Compiling foo.c\\007'; echo noise; sleep 600");
  json s;
  ASSERT_TRUE(wait_until([&] {
    s = env.session(id);
    return field(s, "detail") == "Compiling foo.c";
  })) << s.dump(2);
  EXPECT_EQ(field(s, "state"), "working");
}

TEST(States, ExitStatusAndSignals) {
  AmuxEnv env;
  std::string ok = env.bg_exec("echo all good");
  std::string bad = env.bg_exec("echo disk full; exit 3");
  std::string sig = env.bg_exec("echo going down; kill -TERM $$");
  json s;
  ASSERT_TRUE(env.wait_state(ok, "done", 10000, &s)) << s.dump(2);
  EXPECT_EQ(field(s, "detail"), "all good");
  EXPECT_EQ(field(s, "exitCode"), "0");
  ASSERT_TRUE(env.wait_state(bad, "failed", 10000, &s)) << s.dump(2);
  EXPECT_EQ(field(s, "detail"), "exit 3 — disk full");
  EXPECT_EQ(field(s, "exitCode"), "3");
  ASSERT_TRUE(env.wait_state(sig, "failed", 10000, &s)) << s.dump(2);
  EXPECT_EQ(field(s, "signal"), "15");
  EXPECT_NE(field(s, "detail").find("going down"), std::string::npos) << s.dump(2);
}
