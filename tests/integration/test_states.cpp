// Session states from every source the host has (docs/architecture.md §6), each shown
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
                      Case{"busy", "echo spinning; while :; do :; done"},
                      Case{"download", "printf 'Downloading model.bin  45%% [=====>      ] 1.2MB/s'; sleep 600"}),
    [](const ::testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });

// Readers that print nothing at all: no detail, still blocked on input.
class QuietReader : public ::testing::TestWithParam<Case> {};

TEST_P(QuietReader, IsBlockedWaitingForInput) {
  AmuxEnv env;
  std::string id = env.bg_exec(GetParam().cmd, GetParam().name);
  json s;
  // Generous: a silent start of reading is seen by a backed-off probe plus
  // state_hold_ms, and a loaded machine delays both timers.
  ASSERT_TRUE(env.wait_state(id, "blocked", 30000, &s)) << s.dump(2) << "\n" << env.capture(id);
  EXPECT_EQ(field(s, "waitingFor"), "input");
}

INSTANTIATE_TEST_SUITE_P(
    ShellJobs, QuietReader,
    ::testing::Values(Case{"read", "read x; sleep 600"},
                      Case{"cat", "cat; sleep 600"},
                      Case{"later", "sleep 3; read x; sleep 600"}),
    [](const ::testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });

// A TUI that repaints, then reads its terminal quietly until the next
// repaint, must not flip its row between groups (config state_hold_ms).
class RedrawingTui : public ::testing::TestWithParam<Case> {};

TEST_P(RedrawingTui, StaysInOneGroup) {
  AmuxEnv env;
  std::string id = env.bg_exec(GetParam().cmd, GetParam().name);
  ASSERT_TRUE(wait_until([&] { return env.record_field(id, "hadWork") == "true"; }));
  auto sample = [&] {
    std::string st = field(env.session(id), "state");
    return st.empty() ? std::string("?") : st;
  };
  // The first settle: the first state, then at most one change once the
  // quiet between repaints has held for state_hold_ms (2 s), within one
  // repaint period (3 s) and a margin.
  std::string trace;
  const auto settle_end = std::chrono::steady_clock::now() + std::chrono::milliseconds(7000);
  while (std::chrono::steady_clock::now() < settle_end) {
    trace += sample() + " ";
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  trace += "| ";
  // Then 15 s in one group.
  const std::string first = sample();
  ASSERT_TRUE(first == "working" || first == "blocked") << first;
  std::vector<std::string> samples;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < end) {
    samples.push_back(sample());
    trace += samples.back() + " ";
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_GE(samples.size(), 20u);
  size_t other = 0;
  for (const auto& s : samples) other += s != first;
  EXPECT_EQ(other, 0u) << "samples (settle | 15 s): " << trace;
  EXPECT_TRUE(env.capture(id).find("top") != std::string::npos ||
              env.capture(id).find("Tasks") != std::string::npos) << env.capture(id);
}

INSTANTIATE_TEST_SUITE_P(
    Top, RedrawingTui,
    ::testing::Values(Case{"top_d1", "top -d 1"}, Case{"top_d3", "top -d 3"}),
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
