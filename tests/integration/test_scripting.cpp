// Integration tests of the scripting commands: `agents --json --follow`
// (the list, then one line per change), `wait` (exit codes, states,
// timeout), `explain` (the deciding source and the transitions) and `diff`
// (a session's worktree changes). Each runs the real binary against a
// private instance (AmuxEnv).
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

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

// ---- wait ----

TEST(Wait, ReturnsWhenTheSessionIsDone) {
  AmuxEnv env;
  std::string id = env.bg_exec("sleep 2");
  auto r = env.amux({"wait", id}, "", 30000);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "done\n");
  EXPECT_EQ(env.session(id).value("state", ""), "done");
}

TEST(Wait, ReturnsOnTheNamedStateAsItHappens) {
  AmuxEnv env;
  std::string id = env.bg_exec("sleep 600", "sleeper");
  ASSERT_TRUE(env.wait_state(id, "working"));
  // Already there: at once.
  auto now = env.amux({"wait", "sleeper", "--state", "working,blocked"});
  EXPECT_EQ(now.rc, 0) << now.err;
  EXPECT_EQ(now.out, "working\n");
  // Not yet: it returns when the stop lands, well before its timeout.
  BgProcess w({amux_bin(), "wait", id, "--state", "stopped", "--timeout", "120"}, env.env());
  // Whether the stop lands before or after the wait has its list, the
  // wait sees it: the list is read after its watch is in place.
  EXPECT_TRUE(w.running());
  ASSERT_EQ(env.amux({"stop", id}).rc, 0);
  auto rc = w.wait_exit(20000);
  ASSERT_TRUE(rc.has_value()) << "wait did not return after the stop";
  EXPECT_EQ(*rc, 0) << w.err();
  EXPECT_EQ(w.out(), "stopped\n");
}

TEST(Wait, TimesOutWith124) {
  AmuxEnv env;
  std::string id = env.bg_exec("sleep 600");
  auto r = env.amux({"wait", id, "--state", "done", "--timeout", "1"});
  EXPECT_EQ(r.rc, 124) << r.out << r.err;
  EXPECT_NE(r.err.find("timed out"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(Wait, UnknownSessionAndBadUsage) {
  AmuxEnv env;
  auto unknown = env.amux({"wait", "nosuchthing"});
  EXPECT_EQ(unknown.rc, 1) << unknown.err;
  std::string id = env.bg_exec("sleep 600");
  auto bad_state = env.amux({"wait", id, "--state", "sleepy"});
  EXPECT_EQ(bad_state.rc, 2) << bad_state.err;
  EXPECT_NE(bad_state.err.find("sleepy"), std::string::npos) << bad_state.err;
  auto bad_timeout = env.amux({"wait", id, "--timeout", "-3"});
  EXPECT_EQ(bad_timeout.rc, 2) << bad_timeout.err;
  auto no_id = env.amux({"wait"});
  EXPECT_EQ(no_id.rc, 2) << no_id.err;
}

TEST(Wait, ARemovedSessionEndsTheWait) {
  AmuxEnv env;
  std::string id = env.bg_exec("sleep 600");
  ASSERT_TRUE(env.wait_state(id, "working"));
  BgProcess w({amux_bin(), "wait", id, "--state", "done", "--timeout", "120"}, env.env());
  ASSERT_EQ(env.amux({"rm", "--force", id}).rc, 0);
  auto rc = w.wait_exit(20000);
  ASSERT_TRUE(rc.has_value());
  EXPECT_EQ(*rc, 1) << w.err();
}

// ---- explain ----

namespace {
json explain(const AmuxEnv& env, const std::string& id) {
  auto r = env.amux({"explain", id, "--json"});
  EXPECT_EQ(r.rc, 0) << r.err;
  try {
    return json::parse(r.out);
  } catch (...) {
    ADD_FAILURE() << "not JSON: " << r.out;
    return json::object();
  }
}
// Wait until explain reports `source` (the state may be reached before the
// source that holds it settles, e.g. output activity, then the probe).
bool wait_source(const AmuxEnv& env, const std::string& id, const std::string& source, json* last) {
  return wait_until([&] {
    *last = explain(env, id);
    return last->value("source", "") == source;
  }, 20000);
}
}  // namespace

TEST(Explain, TtyProbeSaysWhatTheProcessReads) {
  AmuxEnv env;
  std::string id = env.bg_exec("read -p 'Proceed? ' x; sleep 600");
  ASSERT_TRUE(env.wait_state(id, "blocked", 15000));
  json e;
  ASSERT_TRUE(wait_source(env, id, "probe", &e)) << e.dump(2);
  EXPECT_EQ(e.value("state", ""), "blocked");
  EXPECT_NE(e.value("evidence", "").find("is reading the terminal (read)"), std::string::npos) << e.dump(2);
  EXPECT_GT(e.value("since", int64_t(0)), 0);
  ASSERT_TRUE(e["transitions"].is_array());
  ASSERT_FALSE(e["transitions"].empty());
  auto last = e["transitions"].back();
  EXPECT_EQ(last.value("state", ""), "blocked");
  EXPECT_EQ(last.value("source", ""), "probe");
  EXPECT_EQ(last.value("at", int64_t(0)), e.value("since", int64_t(-1)));
  // The person's form says the same in words.
  auto text = env.amux({"explain", id});
  EXPECT_EQ(text.rc, 0);
  EXPECT_NE(text.out.find("blocked (waiting for input) since"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("decided by: tty probe"), std::string::npos) << text.out;
}

TEST(Explain, NotifyAndNotificationNameTheirSource) {
  AmuxEnv env;
  std::string a = env.bg_exec(amux_bin() + " notify --state blocked --detail 'Allow rm?' --waiting-for permission; sleep 600");
  std::string b = env.bg_exec("printf '\\033]9;Build done\\007'; sleep 600");
  ASSERT_TRUE(env.wait_state(a, "blocked", 15000));
  ASSERT_TRUE(env.wait_state(b, "blocked", 15000));
  json ea = explain(env, a), eb = explain(env, b);
  EXPECT_EQ(ea.value("source", ""), "notify") << ea.dump(2);
  EXPECT_EQ(ea.value("evidence", ""), "amux notify --state blocked (Allow rm?)") << ea.dump(2);
  EXPECT_EQ(ea.value("waitingFor", ""), "permission");
  EXPECT_EQ(eb.value("source", ""), "notification") << eb.dump(2);
  EXPECT_EQ(eb.value("evidence", ""), "OSC 9: Build done") << eb.dump(2);
}

TEST(Explain, ScreenPatternWithTheMatchedLine) {
  AmuxEnv env;
  std::ofstream(env.config_dir() + "/agents.toml")
      << "[asker]\nbinary = \"/bin/sh\"\n"
         "start = [\"-c\", \"printf 'Allow edit of main.c? (y/n) '; read x; sleep 600\", \"{prompt_args}\"]\n"
         "prompt_args = []\n"
         "[asker.patterns]\nblocked = [\"Allow edit\"]\n";
  // Not in the source tree (a repository: it would get a worktree there).
  auto r = env.amux({"--bg", "--agent", "asker", "--cwd", env.config_dir(), "go"});
  ASSERT_EQ(r.rc, 0) << r.err;
  auto p = r.out.find("backgrounded · ");
  ASSERT_NE(p, std::string::npos) << r.out;
  std::string id = r.out.substr(p + strlen("backgrounded · "), 8);
  ASSERT_TRUE(env.wait_state(id, "blocked", 15000));
  json e;
  ASSERT_TRUE(wait_source(env, id, "screen", &e)) << e.dump(2);
  EXPECT_EQ(e.value("evidence", ""), "pattern /Allow edit/ matched: Allow edit of main.c? (y/n)") << e.dump(2);
}

TEST(Explain, ExitStatusOutlivesTheHost) {
  AmuxEnv env;
  std::string id = env.bg_exec("sleep 1; exit 3");
  ASSERT_TRUE(env.wait_state(id, "failed", 15000));
  // The host lingers a while, then goes; the record still explains.
  json e = explain(env, id);
  EXPECT_EQ(e.value("source", ""), "exit") << e.dump(2);
  EXPECT_EQ(e.value("evidence", ""), "exit 3") << e.dump(2);
  ASSERT_TRUE(e["transitions"].is_array() && e["transitions"].size() >= 2) << e.dump(2);
  EXPECT_EQ(e["transitions"].front().value("state", ""), "working");
  EXPECT_EQ(e["transitions"].back().value("source", ""), "exit");
  ASSERT_EQ(env.amux({"daemon", "stop"}).rc, 0);
  std::string host = env.record_field(id, "hostPid");
  ASSERT_TRUE(wait_until([&] { return host.empty() || host == "0" || kill(std::stoi(host), 0) != 0; }, 15000));
  json after = explain(env, id);
  EXPECT_EQ(after.value("source", ""), "exit") << after.dump(2);
  EXPECT_EQ(after.value("evidence", ""), "exit 3") << after.dump(2);
  EXPECT_EQ(after["transitions"], e["transitions"]);
}

TEST(Explain, KeepsTheLastTenTransitions) {
  AmuxEnv env;
  // Twelve questions answered one after the other: blocked, working, ...
  std::string id = env.bg_exec("for i in 1 2 3 4 5 6 7 8 9 10 11 12; do read -p \"q$i? \" x; echo got-$i; sleep 0.3; done; sleep 600");
  for (int i = 1; i <= 12; ++i) {
    ASSERT_TRUE(env.wait_capture(id, "q" + std::to_string(i) + "?", 15000)) << i;
    ASSERT_TRUE(env.wait_state(id, "blocked", 15000)) << i;
    ASSERT_EQ(env.amux({"reply", id, "y"}).rc, 0);
    ASSERT_TRUE(env.wait_capture(id, "got-" + std::to_string(i), 15000)) << i;
  }
  json e = explain(env, id);
  ASSERT_TRUE(e["transitions"].is_array());
  EXPECT_EQ(e["transitions"].size(), 10u) << e.dump(2);
}

TEST(Explain, UnknownSession) {
  AmuxEnv env;
  auto r = env.amux({"explain", "nosuchthing"});
  EXPECT_EQ(r.rc, 1);
}

// ---- diff ----

namespace {
// A git repository with one commit, and a profile whose "agent" commits a
// change, leaves another uncommitted and adds a new file.
struct DiffRepo {
  AmuxEnv env;
  std::string repo;
  std::map<std::string, std::string> vars;
  DiffRepo() {
    char tmpl[] = "/tmp/amux-diff-XXXXXX";
    repo = mkdtemp(tmpl);
    vars = env.env();
    for (const char* k : {"GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"}) vars[k] = "amux test";
    for (const char* k : {"GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"}) vars[k] = "test@example.com";
    sh("git init -q && printf 'one\\ntwo\\n' > tracked.txt && git add tracked.txt && git commit -qm start");
    std::ofstream(env.config_dir() + "/agents.toml")
        << "[editor]\nbinary = \"/bin/sh\"\n"
           "start = [\"-c\", \"printf 'three\\\\n' >> tracked.txt && git commit -qam committed-work && "
           "printf 'four\\\\n' >> tracked.txt && echo brand-new > added.txt && echo edits-made; sleep 600\", \"{prompt_args}\"]\n"
           "prompt_args = []\n";
  }
  ~DiffRepo() {
    std::error_code ec;
    std::filesystem::remove_all(repo, ec);
  }
  RunResult sh(const std::string& cmd) const { return run_process({"sh", "-c", "cd " + repo + " && " + cmd}, vars); }
  RunResult amux(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {amux_bin()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, vars);
  }
};
}  // namespace

TEST(Diff, CommittedUncommittedAndNewFilesAgainstTheStartCommit) {
  DiffRepo d;
  std::string head = d.sh("git rev-parse HEAD").out;
  head = head.substr(0, head.find('\n'));
  auto r = d.amux({"--bg", "--agent", "editor", "--cwd", d.repo, "go"});
  ASSERT_EQ(r.rc, 0) << r.err;
  auto p = r.out.find("backgrounded · ");
  ASSERT_NE(p, std::string::npos) << r.out;
  std::string id = r.out.substr(p + strlen("backgrounded · "), 8);
  ASSERT_TRUE(d.env.wait_capture(id, "edits-made", 15000)) << d.env.capture(id);
  EXPECT_EQ(d.env.record_field(id, "worktreeBase"), head);
  std::string wt = d.env.record_field(id, "worktree");
  ASSERT_FALSE(wt.empty());
  auto diff = d.amux({"diff", id});
  EXPECT_EQ(diff.rc, 0) << diff.err;
  EXPECT_NE(diff.out.find("+three"), std::string::npos) << diff.out;      // committed
  EXPECT_NE(diff.out.find("+four"), std::string::npos) << diff.out;       // uncommitted
  EXPECT_NE(diff.out.find("+brand-new"), std::string::npos) << diff.out;  // a new file
  EXPECT_EQ(diff.out.find("\033["), std::string::npos) << "colour on a pipe";
  // The worktree's own index is as the agent left it.
  auto cached = run_process({"git", "-C", wt, "diff", "--cached", "--name-only"}, d.vars);
  EXPECT_EQ(cached.out, "");
  auto untracked = run_process({"git", "-C", wt, "status", "--porcelain"}, d.vars);
  EXPECT_NE(untracked.out.find("?? added.txt"), std::string::npos) << untracked.out;
}

TEST(Diff, NoWorktreeSaysSoInOneLine) {
  AmuxEnv env;
  std::string id = env.bg_exec("sleep 600");
  auto r = env.amux({"diff", id});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("has no worktree"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(env.amux({"diff", "nosuchthing"}).rc, 1);
}
