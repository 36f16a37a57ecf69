// Integration tests: the real amux binary against a private instance
// (AMUX_CONFIG_DIR and XDG_RUNTIME_DIR in temp dirs): dispatch, capture,
// logs, reply, stop, and the errors a user sees.
#include <algorithm>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <regex>

#include "support/amux_env.h"

using namespace amux::test;

TEST(CliSession, BackgroundedBlockAndRecord) {
  AmuxEnv env;
  auto r = env.amux({"--bg", "--exec", "echo hello-there; sleep 30", "--name", "greeter"});
  ASSERT_EQ(r.rc, 0) << r.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex("^backgrounded · ([0-9a-f]{8}) · greeter\n")))
      << r.out;
  std::string id = m[1];
  EXPECT_NE(r.out.find("  amux agents"), std::string::npos);
  EXPECT_NE(r.out.find("amux attach " + id), std::string::npos);
  EXPECT_NE(r.out.find("amux logs " + id), std::string::npos);
  EXPECT_NE(r.out.find("amux stop " + id), std::string::npos);
  EXPECT_TRUE(env.wait_capture(id, "hello-there"));
  EXPECT_EQ(env.record_field(id, "name"), "greeter");
  EXPECT_EQ(env.record_field(id, "state"), "working");
  struct stat st {};
  ASSERT_EQ(stat((env.config_dir() + "/jobs/" + id + "/state.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(CliSession, SessionEnvironmentAndCwd) {
  AmuxEnv env;
  auto r = env.amux({"--bg", "--cwd", "/usr", "--exec", "echo \"S=$AMUX_SESSION J=$AMUX_JOB_DIR\"; pwd; sleep 30"});
  ASSERT_EQ(r.rc, 0) << r.err;
  std::string id = r.out.substr(r.out.find("· ") + 3, 8);
  EXPECT_TRUE(env.wait_capture(id, "S=" + id + " J=" + env.config_dir() + "/jobs/" + id));
  EXPECT_TRUE(env.wait_capture(id, "/usr"));
}

TEST(CliSession, LogsHistoryAndLastLines) {
  AmuxEnv env;
  std::string id = env.bg_exec("seq 1 300; sleep 30");
  ASSERT_TRUE(env.wait_capture(id, "300"));
  auto all = env.amux({"logs", id});
  ASSERT_EQ(all.rc, 0) << all.err;
  EXPECT_EQ(all.out.rfind("1\n2\n3\n", 0), 0u) << all.out.substr(0, 50);
  EXPECT_NE(all.out.find("\n300\n"), std::string::npos);
  auto last = env.amux({"logs", id, "-n", "3"});
  EXPECT_EQ(last.out, "298\n299\n300\n");
}

TEST(CliSession, LogsFollowUntilExit) {
  AmuxEnv env;
  std::string id = env.bg_exec("for i in 1 2 3 4 5; do echo line-$i; sleep 0.2; done");
  auto r = env.amux({"logs", "-f", id}, "", 20000);
  EXPECT_EQ(r.rc, 0) << r.err;
  for (int i = 1; i <= 5; i++) EXPECT_NE(r.out.find("line-" + std::to_string(i)), std::string::npos) << r.out;
}

TEST(CliSession, ReplyTypesALine) {
  AmuxEnv env;
  std::string id = env.bg_exec("printf 'Name? '; read n; echo \"hi $n\"; sleep 30");
  ASSERT_TRUE(env.wait_capture(id, "Name?"));
  auto r = env.amux({"reply", id, "Alice"});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(env.wait_capture(id, "hi Alice"));
}

TEST(CliSession, ExitStatusIsRecorded) {
  AmuxEnv env;
  std::string ok = env.bg_exec("echo fine");
  std::string bad = env.bg_exec("echo oops; exit 3");
  EXPECT_TRUE(wait_until([&] { return env.record_field(ok, "state") == "done"; }));
  EXPECT_TRUE(wait_until([&] { return env.record_field(bad, "state") == "failed"; }));
  EXPECT_EQ(env.record_field(bad, "exitCode"), "3");
  EXPECT_EQ(env.record_field(bad, "detail"), "exit 3 — oops");
  EXPECT_EQ(env.record_field(ok, "detail"), "fine");
  // Output stays readable after the exit.
  EXPECT_NE(env.capture(bad).find("oops"), std::string::npos);
}

TEST(CliSession, StopLeavesAStoppedRecord) {
  AmuxEnv env;
  std::string id = env.bg_exec("trap '' TERM; sleep 60", "stubborn");
  ASSERT_TRUE(wait_until([&] { return env.record_field(id, "pid") != ""; }));
  auto r = env.amux({"stop", "stubborn"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "stopped " + id + "\n");
  EXPECT_TRUE(wait_until([&] { return env.record_field(id, "state") == "stopped"; }));
  // Idempotent.
  EXPECT_EQ(env.amux({"stop", id}).rc, 0);
}

TEST(CliSession, ResolvesPrefixesAndNames) {
  AmuxEnv env;
  std::string a = env.bg_exec("echo A-SIDE; sleep 30", "alpha-build");
  std::string b = env.bg_exec("echo B-SIDE; sleep 30", "beta-build");
  ASSERT_TRUE(env.wait_capture(a, "A-SIDE"));
  ASSERT_TRUE(env.wait_capture(b, "B-SIDE"));
  EXPECT_NE(env.amux({"capture", a.substr(0, 6)}).out.find("A-SIDE"), std::string::npos);
  EXPECT_NE(env.amux({"capture", "beta"}).out.find("B-SIDE"), std::string::npos);
  auto amb = env.amux({"capture", "build"});
  EXPECT_EQ(amb.rc, 1);
  EXPECT_NE(amb.err.find("matches 2 sessions"), std::string::npos) << amb.err;
  EXPECT_NE(amb.err.find(a), std::string::npos);
}

TEST(CliSession, ClearErrors) {
  AmuxEnv env;
  auto unknown = env.amux({"capture", "nosuchthing"});
  EXPECT_EQ(unknown.rc, 1);
  EXPECT_EQ(unknown.err, "amux: no session matches 'nosuchthing'\n");
  auto badflag = env.amux({"logs", "--bogus", "x"});
  EXPECT_EQ(badflag.rc, 2);
  EXPECT_NE(badflag.err.find("--bogus"), std::string::npos) << badflag.err;
  auto noexec = env.amux({"--bg"});
  EXPECT_NE(noexec.rc, 0);
  EXPECT_NE(noexec.err.find("--exec"), std::string::npos) << noexec.err;
  auto badcwd = env.amux({"--bg", "--cwd", "/no/such/dir", "--exec", "true"});
  EXPECT_EQ(badcwd.rc, 1);
  EXPECT_NE(badcwd.err.find("no such directory"), std::string::npos);
  // A stopped shell job whose host has gone: its output is gone too, and
  // peeking at it says so instead of restarting it.
  env.write_config("[reap]\nstopped_linger = 0.3\n");
  std::string id = env.bg_exec("sleep 60");
  ASSERT_TRUE(wait_until([&] { return env.record_field(id, "hostPid") != ""; }));
  int host = std::stoi(env.record_field(id, "hostPid"));
  EXPECT_EQ(env.amux({"stop", id}).rc, 0);
  ASSERT_TRUE(wait_until([&] { return kill(host, 0) != 0; }, 10000));
  auto dead = env.amux({"capture", id});
  EXPECT_EQ(dead.rc, 1);
  EXPECT_NE(dead.err.find("has ended"), std::string::npos) << dead.err;
  EXPECT_EQ(std::count(dead.err.begin(), dead.err.end(), '\n'), 1) << dead.err;
  // Attach without a terminal.
  auto noterm = env.amux({"attach", id});
  EXPECT_NE(noterm.rc, 0);
}

TEST(CliSession, MalformedConfigIsOneClearLine) {
  AmuxEnv env;
  env.write_config("[session]\nrows = \"many\"\n");
  auto r = env.amux({"--bg", "--exec", "true"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("config.toml:2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("session.rows"), std::string::npos) << r.err;
}

TEST(CliSession, HelpOnEveryCommand) {
  AmuxEnv env;
  for (std::string c : {"attach", "logs", "capture", "reply", "stop", "kill", "new"}) {
    auto r = env.amux({c, "--help"});
    EXPECT_EQ(r.rc, 0) << c;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << c << ": " << r.out;
  }
  auto top = env.amux({"--help"});
  EXPECT_EQ(top.rc, 0);
  // Hidden commands (the session host, the protocol check asked over ssh)
  // are not listed; the --host option is.
  EXPECT_EQ(top.out.find("\n  host "), std::string::npos) << "hidden command listed";
  EXPECT_EQ(top.out.find("\n  hello "), std::string::npos) << "hidden command listed";
  EXPECT_NE(top.out.find("--host NAME"), std::string::npos) << top.out;
}
