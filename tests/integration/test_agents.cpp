// Integration tests of agent sessions: dispatching a prompt to an
// agent profile, the states it goes through, resuming it after its host was
// killed, option and default-agent errors, the bypass gate, worktrees, and
// the agent view's defaults. Everything runs the real amux binary against a
// private instance (AmuxEnv) with PATH pointing at a temp bin dir whose
// `claude` is tests/fixtures/fake-claude, so the shipped claude profile is
// exercised end to end without a network. The real claude runs in the
// real-agent tier (test_real_agents.cpp).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/amux_env.h"

using namespace amux::test;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A private amux instance whose PATH finds the fake claude first, with a
// plain (non-git) working directory and the fake's knobs set. The
// supervisor is started by the first command with this environment, and
// every session inherits it.
class AgentEnv {
 public:
  explicit AgentEnv(const std::map<std::string, std::string>& extra = {}, bool with_fake = true) {
    char tmpl[] = "/tmp/amux-agents-XXXXXX";
    root_ = fs::canonical(mkdtemp(tmpl));
    bin_ = root_ / "bin";
    work_ = root_ / "work";
    fs::create_directories(bin_);
    fs::create_directories(work_);
    fs::create_directories(root_ / "home");
    if (with_fake) fs::create_symlink(source_dir() + "/tests/fixtures/fake-claude", bin_ / "claude");
    vars_ = env_.env();
    const char* path = getenv("PATH");
    vars_["PATH"] = bin_.string() + ":" + (path ? path : "/usr/local/bin:/usr/bin:/bin");
    vars_["FAKE_CLAUDE_HOME"] = (root_ / "home").string();
    // The fake keeps conversations where Claude Code does (resume_if looks there).
    vars_["CLAUDE_CONFIG_DIR"] = (root_ / "home" / ".claude").string();
    vars_["FAKE_CLAUDE_LOG"] = log_path();
    vars_["FAKE_CLAUDE_WORK_SECONDS"] = "2";
    // git commits in test repositories, whatever the machine's git config.
    vars_["GIT_AUTHOR_NAME"] = vars_["GIT_COMMITTER_NAME"] = "amux test";
    vars_["GIT_AUTHOR_EMAIL"] = vars_["GIT_COMMITTER_EMAIL"] = "amux@example.invalid";
    vars_["GIT_CONFIG_GLOBAL"] = "/dev/null";
    vars_["GIT_CONFIG_NOSYSTEM"] = "1";
    for (auto& [k, v] : extra) vars_[k] = v;
  }
  ~AgentEnv() {
    run_process({amux_bin(), "daemon", "stop"}, vars_, "", 10000);
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  AgentEnv(const AgentEnv&) = delete;
  AgentEnv& operator=(const AgentEnv&) = delete;

  RunResult amux(const std::vector<std::string>& args, const std::string& input = "",
                 int timeout_ms = 30000) const {
    std::vector<std::string> argv = {amux_bin()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, vars_, input, timeout_ms);
  }
  // `amux --bg <args>` in `cwd` (default: the plain work dir); the new id.
  std::string dispatch(std::vector<std::string> args, const std::string& cwd = "") const {
    args.insert(args.begin(), {"--bg", "--cwd", cwd.empty() ? work_.string() : cwd});
    return dispatched_id(amux(args));
  }
  RunResult git(const fs::path& dir, std::vector<std::string> args) const {
    args.insert(args.begin(), {"git", "-C", dir.string()});
    return run_process(args, vars_);
  }
  // A repository with one commit, under the temp root.
  fs::path make_repo(const std::string& name = "repo") const {
    fs::path repo = root_ / name;
    fs::create_directories(repo / "src");
    EXPECT_EQ(git(repo, {"init", "-q", "-b", "main"}).rc, 0);
    std::ofstream(repo / "README") << "hello\n";
    std::ofstream(repo / "src" / "a.c") << "int a;\n";
    EXPECT_EQ(git(repo, {"add", "."}).rc, 0);
    EXPECT_EQ(git(repo, {"commit", "-q", "-m", "first"}).rc, 0);
    return repo;
  }
  bool branch_exists(const fs::path& repo, const std::string& b) const {
    return git(repo, {"show-ref", "--verify", "--quiet", "refs/heads/" + b}).rc == 0;
  }

  std::string field(const std::string& id, const std::string& key) const { return env_.record_field(id, key); }
  json record(const std::string& id) const {
    auto text = read_text(env_.config_dir() + "/jobs/" + id + "/state.json");
    return json::parse(text, nullptr, false);
  }
  std::string capture(const std::string& id) const { return amux({"capture", id}).out; }
  bool wait_capture(const std::string& id, const std::string& text, int timeout_ms = 15000) const {
    return wait_until([&] { return capture(id).find(text) != std::string::npos; }, timeout_ms);
  }
  // The fake's log: one JSON object a line (starts and hook runs).
  std::vector<json> fake_log() const {
    std::vector<json> out;
    std::istringstream in(read_text(log_path()));
    for (std::string l; std::getline(in, l);)
      if (!l.empty()) out.push_back(json::parse(l, nullptr, false));
    return out;
  }
  std::vector<json> fake_starts() const {
    std::vector<json> s;
    for (auto& e : fake_log())
      if (e.value("event", "") == "start") s.push_back(e);
    return s;
  }
  std::string daemon_log() const { return read_text(env_.config_dir() + "/daemon.log"); }
  size_t job_dirs() const {
    size_t n = 0;
    std::error_code ec;
    for (auto& e : fs::directory_iterator(env_.config_dir() + "/jobs", ec))
      if (e.is_directory()) n++;
    return n;
  }
  void write_file(const std::string& rel, const std::string& text) const {
    std::ofstream(env_.config_dir() + "/" + rel) << text;
  }
  std::string shell_env() const {  // for a tmux pane's command line
    std::string s;
    for (auto& [k, v] : vars_) s += k + "='" + v + "' ";
    return s;
  }

  const AmuxEnv& env() const { return env_; }
  const fs::path& root() const { return root_; }
  const fs::path& bin() const { return bin_; }
  const fs::path& work() const { return work_; }
  std::map<std::string, std::string>& vars() { return vars_; }
  std::string log_path() const { return (root_ / "fake.log").string(); }

 private:
  AmuxEnv env_;
  fs::path root_, bin_, work_;
  std::map<std::string, std::string> vars_;
};

// The states a session's record goes through, as polled (consecutive
// repeats collapsed).
struct StateTrail {
  const AgentEnv& a;
  std::string id;
  std::vector<std::string> seen;

  std::string poll() {
    std::string st = a.field(id, "state");
    if (!st.empty() && (seen.empty() || seen.back() != st)) seen.push_back(st);
    return st;
  }
  bool wait_for(const std::string& state, int timeout_ms = 20000) {
    return wait_until([&] { return poll() == state; }, timeout_ms);
  }
  std::string str() const {
    std::string s;
    for (auto& x : seen) s += (s.empty() ? "" : " → ") + x;
    return s;
  }
  // `want` appears in order (other states may sit in between).
  bool has_in_order(const std::vector<std::string>& want) const {
    size_t i = 0;
    for (auto& s : seen)
      if (i < want.size() && s == want[i]) i++;
    return i == want.size();
  }
};

// Gone, or a zombie nobody has reaped yet (its parent was killed).
bool process_gone(int pid) {
  if (kill(pid, 0) != 0) return true;
  std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  return close == std::string::npos || (close + 2 < stat.size() && (stat[close + 2] == 'Z' || stat[close + 2] == 'X'));
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::vector<std::string> strings(const json& j) {
  std::vector<std::string> v;
  if (j.is_array())
    for (auto& e : j) v.push_back(e.get<std::string>());
  return v;
}

// The fake's permission turn end to end: working → blocked (permission) →
// reply → working → idle. Returns the trail.
StateTrail permission_turn(const AgentEnv& a, const std::string& id) {
  StateTrail t{a, id, {}};
  EXPECT_TRUE(t.wait_for("blocked")) << t.str() << "\n" << a.capture(id);
  EXPECT_EQ(a.field(id, "waitingFor"), "permission");
  EXPECT_TRUE(a.wait_capture(id, "Do you want to proceed?"));
  std::string blocked_detail = a.field(id, "detail");
  EXPECT_NE(blocked_detail, "");
  EXPECT_EQ(blocked_detail.find('\x1b'), std::string::npos);
  auto r = a.amux({"reply", id, "1"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(t.wait_for("idle")) << t.str() << "\n" << a.capture(id);
  EXPECT_TRUE(t.has_in_order({"working", "blocked", "working", "idle"})) << t.str();
  EXPECT_EQ(a.field(id, "waitingFor"), "");
  EXPECT_TRUE(a.wait_capture(id, "Done: "));
  return t;
}

}  // namespace

// ---------------------------------------------------------------------------
// Dispatch and states

TEST(Agents, DispatchRecordsTheProfilesCommand) {
  AgentEnv a({{"FAKE_CLAUDE_ASK", "0"}, {"FAKE_CLAUDE_WORK_SECONDS", "0.3"}});
  std::string id = a.dispatch({"fix the flaky test in foo"});
  ASSERT_FALSE(id.empty());
  json r = a.record(id);
  EXPECT_EQ(r.value("kind", ""), "agent");
  EXPECT_EQ(r.value("agent", ""), "claude");
  EXPECT_EQ(r.value("prompt", ""), "fix the flaky test in foo");
  EXPECT_EQ(r.value("name", ""), "fix-flaky-test-foo");
  std::string uuid = r.value("sessionId", "");
  EXPECT_TRUE(std::regex_match(uuid, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << uuid;
  std::string settings = a.env().config_dir() + "/jobs/" + id + "/claude-settings.json";
  auto argv = strings(r["argv"]);
  std::vector<std::string> want = {(a.bin() / "claude").string(), "--session-id", uuid, "--name",
                                   "fix-flaky-test-foo", "--settings", settings, "--",
                                   "fix the flaky test in foo"};
  EXPECT_EQ(argv, want);
  std::vector<std::string> resume = {(a.bin() / "claude").string(), "--resume", uuid, "--settings", settings};
  EXPECT_EQ(strings(r["resumeArgv"]), resume);
  EXPECT_TRUE(contains(strings(r["env"]), "DISABLE_AUTOUPDATER=1"));
  EXPECT_FALSE(r.contains("worktree"));  // not in a repository
  EXPECT_EQ(r.value("cwd", ""), a.work().string());
  // The generated settings make claude's hooks call `amux notify`.
  json s = json::parse(read_text(settings), nullptr, false);
  ASSERT_TRUE(s.is_object());
  std::string stop = s["hooks"]["Stop"][0]["hooks"][0].value("command", "");
  EXPECT_NE(stop.find(amux_bin()), std::string::npos) << stop;
  EXPECT_NE(stop.find("notify --state idle"), std::string::npos) << stop;
  // And the agent really started with them, in the session's directory.
  ASSERT_TRUE(wait_until([&] { return !a.fake_starts().empty(); }));
  auto start = a.fake_starts()[0];
  EXPECT_EQ(start.value("cwd", ""), a.work().string());
  EXPECT_EQ(start.value("amux_session", ""), id);
  EXPECT_EQ(start.value("session_id", ""), uuid);
  StateTrail t{a, id, {}};
  EXPECT_TRUE(t.wait_for("idle")) << t.str();
}

TEST(Agents, OptionsReachTheAgent) {
  AgentEnv a({{"FAKE_CLAUDE_ASK", "0"}, {"FAKE_CLAUDE_WORK_SECONDS", "0.3"}});
  fs::create_directories(a.root() / "d1");
  fs::create_directories(a.root() / "d2");
  fs::create_directories(a.root() / "plug");
  std::ofstream(a.root() / "mine.json") << R"({"env": {"MY_SETTING": "kept"}, "hooks": {"Stop": []}})";
  std::ofstream(a.root() / "mcp.json") << R"({"mcpServers": {}})";
  std::string id = a.dispatch({"--name", "opts", "--model", "opus", "--effort", "high", "--permission-mode", "plan",
                               "--add-dir", (a.root() / "d1").string(), "--add-dir", (a.root() / "d2").string(),
                               "--plugin-dir", (a.root() / "plug").string(), "--mcp-config",
                               (a.root() / "mcp.json").string(), "--settings", (a.root() / "mine.json").string(),
                               "summarise the repo", "--", "--verbose-ignored"});
  ASSERT_FALSE(id.empty());
  auto argv = strings(a.record(id)["argv"]);
  std::string joined;
  for (auto& x : argv) joined += x + " ";
  for (std::string w : std::vector<std::string>{"--model opus ", "--effort high ", "--permission-mode plan ", "--add-dir " + (a.root() / "d1").string(),
                        "--add-dir " + (a.root() / "d2").string(), "--plugin-dir " + (a.root() / "plug").string(),
                        "--mcp-config " + (a.root() / "mcp.json").string(), "--name opts "})
    EXPECT_NE(joined.find(w), std::string::npos) << w << " not in " << joined;
  // Extra arguments come before the prompt, which stays the last argument.
  ASSERT_GE(argv.size(), 3u);
  EXPECT_EQ(argv[argv.size() - 3], "--verbose-ignored");
  EXPECT_EQ(argv[argv.size() - 2], "--");
  EXPECT_EQ(argv.back(), "summarise the repo");
  // One --settings: the user's file merged with amux's hooks.
  EXPECT_EQ(std::count(argv.begin(), argv.end(), "--settings"), 1) << joined;
  json s = json::parse(read_text(a.env().config_dir() + "/jobs/" + id + "/claude-settings.json"), nullptr, false);
  EXPECT_EQ(s["env"].value("MY_SETTING", ""), "kept");
  EXPECT_TRUE(s["hooks"].contains("UserPromptSubmit"));
  EXPECT_EQ(s["hooks"]["Stop"].size(), 1u);
  // The resume command carries the options too.
  std::string rjoined;
  for (auto& x : strings(a.record(id)["resumeArgv"])) rjoined += x + " ";
  EXPECT_NE(rjoined.find("--model opus"), std::string::npos) << rjoined;
}

TEST(Agents, HooksPathWorkingBlockedReplyIdle) {
  AgentEnv a;
  std::string id = a.dispatch({"--name", "hooked", "fix the flaky test"});
  ASSERT_FALSE(id.empty());
  StateTrail t = permission_turn(a, id);
  // The hooks in the generated settings reported the states.
  std::vector<std::string> hooks;
  for (auto& e : a.fake_log())
    if (e.value("event", "") == "hook") hooks.push_back(e.value("hook", ""));
  for (std::string h : {"UserPromptSubmit", "PermissionRequest", "PostToolUse", "Stop"})
    EXPECT_TRUE(contains(hooks, h)) << h;
  std::string log = a.daemon_log();
  EXPECT_NE(log.find("amux host " + id + ": state blocked (notify)"), std::string::npos) << log;
  EXPECT_NE(log.find("amux host " + id + ": state idle (notify)"), std::string::npos) << log;
  // The detail is the title the agent set (its session name), not escapes.
  EXPECT_NE(a.field(id, "detail").find("hooked"), std::string::npos) << a.field(id, "detail");
  // A second turn typed in: working again, then idle, still through hooks.
  StateTrail t2{a, id, {}};
  EXPECT_EQ(a.amux({"reply", id, "and the other one"}).rc, 0);
  EXPECT_TRUE(t2.wait_for("blocked")) << t2.str();
  EXPECT_EQ(a.amux({"reply", id, "1"}).rc, 0);
  EXPECT_TRUE(t2.wait_for("idle")) << t2.str();
  EXPECT_TRUE(t2.has_in_order({"working", "blocked", "working", "idle"})) << t2.str();
}

TEST(Agents, ScreenPatternPathAgreesWithHooks) {
  // The same fake and profile without hooks: only the screen and the tty
  // probe tell the state, and they must tell the same story.
  AgentEnv a;
  a.write_file("agents.toml", "[claude]\nhooks = \"\"\n");
  std::string id = a.dispatch({"--name", "unhooked", "fix the flaky test"});
  ASSERT_FALSE(id.empty());
  auto argv = strings(a.record(id)["argv"]);
  EXPECT_FALSE(contains(argv, "--settings"));
  StateTrail t = permission_turn(a, id);
  for (auto& e : a.fake_log()) EXPECT_NE(e.value("event", ""), "hook") << e.dump();
  std::string log = a.daemon_log();
  EXPECT_NE(log.find("amux host " + id + ": state blocked (screen)"), std::string::npos) << log;
  EXPECT_NE(log.find("amux host " + id + ": state idle (screen)"), std::string::npos) << log;
  EXPECT_NE(a.field(id, "detail").find("unhooked"), std::string::npos) << a.field(id, "detail");

  // The hooks path, side by side: the same states in the same order.
  AgentEnv b;
  std::string hid = b.dispatch({"--name", "hooked", "fix the flaky test"});
  StateTrail h = permission_turn(b, hid);
  std::cerr << "[ trails ] screen: " << t.str() << "\n[ trails ] hooks:  " << h.str() << "\n";
  EXPECT_EQ(h.seen.back(), t.seen.back());
  EXPECT_TRUE(h.has_in_order({"working", "blocked", "working", "idle"})) << h.str();
  EXPECT_TRUE(t.has_in_order({"working", "blocked", "working", "idle"})) << t.str();
}

TEST(Agents, ResumeAfterHostKillKeepsTheConversation) {
  AgentEnv a({{"FAKE_CLAUDE_ASK", "0"}, {"FAKE_CLAUDE_WORK_SECONDS", "0.3"}});
  std::string id = a.dispatch({"--name", "resumable", "remember the number 42"});
  ASSERT_FALSE(id.empty());
  StateTrail t{a, id, {}};
  ASSERT_TRUE(t.wait_for("idle")) << t.str();
  std::string uuid = a.field(id, "sessionId");
  ASSERT_FALSE(uuid.empty());

  auto kill_host = [&] {
    int host = std::stoi(a.field(id, "hostPid"));
    int child = std::stoi(a.field(id, "pid"));
    EXPECT_EQ(kill(host, SIGKILL), 0);
    EXPECT_TRUE(wait_until([&] { return process_gone(host) && process_gone(child); }, 10000));
  };
  kill_host();
  // capture restarts it with the resume command: same conversation.
  ASSERT_TRUE(a.wait_capture(id, "resumed conversation " + uuid + " with 1 turns")) << a.capture(id);
  EXPECT_NE(a.capture(id).find("Done: remember the number 42"), std::string::npos);
  auto starts = a.fake_starts();
  ASSERT_EQ(starts.size(), 2u);
  auto first = strings(starts[0]["argv"]);
  auto second = strings(starts[1]["argv"]);
  ASSERT_GE(first.size(), 2u);
  EXPECT_EQ(first[0], "--session-id");
  EXPECT_EQ(first[1], uuid);
  ASSERT_GE(second.size(), 2u);
  EXPECT_EQ(second[0], "--resume");
  EXPECT_EQ(second[1], uuid);
  EXPECT_EQ(starts[1].value("session_id", ""), uuid);
  EXPECT_EQ(a.field(id, "sessionId"), uuid);
  StateTrail t2{a, id, {}};
  EXPECT_TRUE(t2.wait_for("idle")) << t2.str();

  // attach does the same (in a terminal).
  kill_host();
  Tmux tm(100, 30, "env " + a.shell_env() + amux_bin() + " attach " + id);
  EXPECT_TRUE(tm.wait_for("resumed conversation " + uuid, 15000)) << tm.capture();
  EXPECT_EQ(a.fake_starts().size(), 3u);
  EXPECT_EQ(strings(a.fake_starts().back()["argv"])[1], uuid);
  tm.send_keys({"C-\\"});
}

// A session whose agent never saved a conversation (stopped at a question
// before its first turn ended) has nothing to resume: respawn, and a restart
// by capture after its host died, run the start command with the prompt.
TEST(Agents, RestartWithNoSavedConversationRunsTheStartCommand) {
  AgentEnv a;
  std::string id = a.dispatch({"--name", "unsaved", "count the stars"});
  ASSERT_FALSE(id.empty());
  StateTrail t{a, id, {}};
  ASSERT_TRUE(t.wait_for("blocked")) << t.str();
  const std::string uuid = a.field(id, "sessionId");
  ASSERT_FALSE(uuid.empty());
  auto expect_start = [&](const json& start) {
    auto argv = strings(start["argv"]);
    ASSERT_GE(argv.size(), 2u);
    EXPECT_EQ(argv[0], "--session-id") << start.dump();
    EXPECT_EQ(argv[1], uuid);
    EXPECT_EQ(argv.back(), "count the stars") << start.dump();
    EXPECT_EQ(std::find(argv.begin(), argv.end(), "--resume"), argv.end()) << start.dump();
  };

  auto r = a.amux({"respawn", id});
  ASSERT_EQ(r.rc, 0) << r.err;
  ASSERT_TRUE(wait_until([&] { return a.fake_starts().size() == 2; }, 15000));
  expect_start(a.fake_starts()[1]);
  StateTrail t2{a, id, {}};
  EXPECT_TRUE(t2.wait_for("blocked")) << t2.str() << a.capture(id);
  auto rec = a.record(id);
  ASSERT_TRUE(rec.is_object());
  EXPECT_EQ(rec["argv"], rec["startArgv"]) << rec.dump();

  // The host dies; capture restarts it, again with the start command.
  int host = std::stoi(a.field(id, "hostPid"));
  int child = std::stoi(a.field(id, "pid"));
  EXPECT_EQ(kill(host, SIGKILL), 0);
  EXPECT_TRUE(wait_until([&] { return process_gone(host) && process_gone(child); }, 10000));
  ASSERT_TRUE(a.wait_capture(id, "Do you want to proceed?")) << a.capture(id);
  ASSERT_EQ(a.fake_starts().size(), 3u);
  expect_start(a.fake_starts()[2]);
}

TEST(Agents, IdleAgentIsStoppedAfterIdleAgentUnlessPinnedAndResumes) {
  AgentEnv a({{"FAKE_CLAUDE_ASK", "0"}, {"FAKE_CLAUDE_WORK_SECONDS", "0.3"}});
  a.env().write_config("[reap]\nidle_agent = 1\n");
  std::string id = a.dispatch({"--name", "sleepy", "say hello"});
  std::string kept = a.dispatch({"--name", "pinned-one", "say hello too"});
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(a.amux({"pin", kept}).rc, 0);
  int child = 0;
  ASSERT_TRUE(wait_until([&] {
    std::string p = a.field(id, "pid");
    if (!p.empty()) child = std::stoi(p);
    return a.field(id, "state") == "idle";
  }, 20000)) << a.field(id, "state");
  ASSERT_GT(child, 0);
  // After idle_agent the process is stopped; the record stays.
  ASSERT_TRUE(wait_until([&] { return a.field(id, "state") == "done"; }, 15000)) << a.field(id, "state");
  EXPECT_TRUE(wait_until([&] { return process_gone(child); }, 5000));
  EXPECT_EQ(a.record(id).value("idleStopped", false), true);
  EXPECT_NE(a.amux({"agents", "--json", "--all"}).out.find(id), std::string::npos);
  // The pinned one keeps running.
  EXPECT_EQ(a.field(kept, "state"), "idle");
  // Peeking resumes the conversation.
  ASSERT_TRUE(a.wait_capture(id, "resumed conversation")) << a.capture(id);
  EXPECT_TRUE(wait_until([&] { return a.field(id, "state") == "idle" || a.field(id, "state") == "working"; }));
}

// ---------------------------------------------------------------------------
// Errors

TEST(Agents, OptionsAProfileCannotExpressAreErrors) {
  AgentEnv a;
  // Profiles whose binaries exist (the fake stands in; nothing is started).
  fs::create_symlink(source_dir() + "/tests/fixtures/fake-claude", a.bin() / "codex");
  fs::create_symlink(source_dir() + "/tests/fixtures/fake-claude", a.bin() / "aider");
  std::ofstream(a.root() / "s.json") << "{}";
  struct Case {
    std::vector<std::string> args;
    std::string want;
  };
  std::vector<Case> cases = {
      {{"--agent", "codex", "--settings", (a.root() / "s.json").string(), "do it"},
       "agent 'codex' has no flag for --settings"},
      {{"--agent", "aider", "--add-dir", "/tmp", "do it"}, "agent 'aider' has no flag for --add-dir"},
      {{"--agent", "codex", "--permission-mode", "sideways", "do it"},
       "agent 'codex' does not accept --permission-mode 'sideways' (choices: "},
      {{"--agent", "nosuch", "do it"}, "unknown agent 'nosuch' (profiles: claude, codex, gemini, aider, shell"},
      {{"--agent", "gemini", "do it"}, "'gemini' is not on PATH"},
      {{"--exec", "true", "--model", "opus"}, "--model is for agent sessions"},
      {{"--settings", (a.root() / "s.json").string(), "do it", "--", "--settings", "x"},
       "give --settings before --"},
      {{"--settings", (a.root() / "missing.json").string(), "do it"}, "cannot read"},
      {{"--exec", "true", "a prompt too"}, "either a prompt or --exec"},
  };
  for (auto& c : cases) {
    std::vector<std::string> args = {"--bg", "--cwd", a.work().string()};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = a.amux(args);
    EXPECT_NE(r.rc, 0) << c.want;
    EXPECT_EQ(r.err.rfind("amux: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(c.want), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.out, "") << r.out;
  }
  // Nothing was left behind: no job dirs, no agent started.
  EXPECT_EQ(a.job_dirs(), 0u);
  EXPECT_TRUE(a.fake_starts().empty());
}

TEST(Agents, NoAgentOnPathSaysWhatToDo) {
  AgentEnv a(std::map<std::string, std::string>{}, /*with_fake=*/false);
  a.vars()["PATH"] = a.bin().string();  // empty: no agent, not even a real one
  auto r = a.amux({"--bg", "--cwd", a.work().string(), "fix it please"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  for (std::string w : {"amux: ", "claude", "codex", "gemini", "aider", "--exec"})
    EXPECT_NE(r.err.find(w), std::string::npos) << w << " in " << r.err;
  // default_agent naming a profile whose binary is missing says so too.
  a.env().write_config("default_agent = \"codex\"\n");
  r = a.amux({"--bg", "--cwd", a.work().string(), "fix it please"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("default_agent 'codex'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--exec"), std::string::npos) << r.err;
  // Shell jobs need no agent.
  auto sh = a.amux({"--bg", "--cwd", a.work().string(), "--exec", "echo fine"});
  EXPECT_EQ(sh.rc, 0) << sh.err;
  // default_agent picks among several on PATH.
  AgentEnv b;
  fs::create_symlink(source_dir() + "/tests/fixtures/fake-claude", b.bin() / "codex");
  b.env().write_config("default_agent = \"codex\"\n");
  std::string id = b.dispatch({"write the docs"});
  EXPECT_EQ(b.field(id, "agent"), "codex");
}

TEST(Agents, BypassNeedsAcceptanceGivenInATerminal) {
  AgentEnv a(std::map<std::string, std::string>{{"FAKE_CLAUDE_WORK_SECONDS", "0.3"}});
  std::vector<std::vector<std::string>> bypassing = {
      {"--dangerously-skip-permissions", "go wild"},
      {"--permission-mode", "bypassPermissions", "go wild"},
      {"go wild", "--", "--dangerously-skip-permissions"},
  };
  for (auto& args : bypassing) {
    std::vector<std::string> full = {"--bg", "--cwd", a.work().string()};
    full.insert(full.end(), args.begin(), args.end());
    auto r = a.amux(full);
    EXPECT_EQ(r.rc, 1) << args[0];
    EXPECT_NE(r.err.find("run `amux accept-bypass`"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  EXPECT_EQ(a.job_dirs(), 0u);
  // Not a terminal: no answer can be given.
  auto piped = a.amux({"accept-bypass"}, "y\n");
  EXPECT_EQ(piped.rc, 1);
  EXPECT_NE(piped.err.find("needs a terminal"), std::string::npos) << piped.err;
  std::string file = a.env().config_dir() + "/bypass-accepted.json";
  EXPECT_FALSE(fs::exists(file));
  // In a terminal: "n" (or Enter) refuses, "y" accepts.
  Tmux tm(100, 20, "env PS1='$ ' " + a.shell_env() + " bash --norc --noprofile");
  ASSERT_TRUE(tm.wait_for("$"));
  tm.send_text(amux_bin() + " accept-bypass");
  tm.send_keys({"Enter"});
  ASSERT_TRUE(tm.wait_for("[y/N]")) << tm.capture();
  tm.send_text("n");
  tm.send_keys({"Enter"});
  ASSERT_TRUE(tm.wait_for("not accepted")) << tm.capture();
  EXPECT_FALSE(fs::exists(file));
  tm.send_keys({"C-l"});
  tm.send_text("clear; " + amux_bin() + " accept-bypass");
  tm.send_keys({"Enter"});
  ASSERT_TRUE(tm.wait_for("[y/N]")) << tm.capture();
  tm.send_text("y");
  tm.send_keys({"Enter"});
  ASSERT_TRUE(tm.wait_for("accepted; stored in")) << tm.capture();
  EXPECT_TRUE(fs::exists(file));
  // Now the bypassing session starts, and the fake skips its question.
  std::string id = a.dispatch({"--dangerously-skip-permissions", "go wild"});
  ASSERT_FALSE(id.empty());
  EXPECT_TRUE(contains(strings(a.record(id)["argv"]), "--dangerously-skip-permissions"));
  StateTrail t{a, id, {}};
  EXPECT_TRUE(t.wait_for("idle")) << t.str();
  EXPECT_FALSE(contains(t.seen, "blocked")) << t.str();
}

// ---------------------------------------------------------------------------
// Worktrees (docs/architecture.md §7)

TEST(Agents, WorktreePerSessionAndCleanRmRemovesIt) {
  AgentEnv a({{"FAKE_CLAUDE_ASK", "0"}, {"FAKE_CLAUDE_WORK_SECONDS", "0.3"}});
  fs::path repo = a.make_repo();
  // Started in a subdirectory: the session runs in the same subdirectory of
  // its worktree.
  std::string id = a.dispatch({"--name", "Tidy Up", "tidy up the sources"}, (repo / "src").string());
  ASSERT_FALSE(id.empty());
  fs::path wt = repo / ".amux" / "worktrees" / "Tidy-Up";
  EXPECT_EQ(a.field(id, "worktree"), wt.string());
  EXPECT_EQ(a.field(id, "cwd"), (wt / "src").string());
  EXPECT_TRUE(fs::exists(wt / "src" / "a.c"));
  EXPECT_TRUE(a.branch_exists(repo, "amux/Tidy-Up"));
  ASSERT_TRUE(wait_until([&] { return !a.fake_starts().empty(); }));
  EXPECT_EQ(a.fake_starts()[0].value("cwd", ""), (wt / "src").string());
  // The main checkout does not see the worktree as untracked files.
  EXPECT_EQ(a.git(repo, {"status", "--porcelain"}).out, "");
  // A second session with the same name gets its own worktree.
  std::string id2 = a.dispatch({"--name", "Tidy Up", "tidy again"}, repo.string());
  EXPECT_EQ(a.field(id2, "worktree"), (repo / ".amux" / "worktrees" / "Tidy-Up-2").string());
  // Shell jobs never get one.
  std::string sh = a.dispatch({"--exec", "pwd; sleep 30"}, repo.string());
  EXPECT_EQ(a.field(sh, "worktree"), "");
  EXPECT_EQ(a.field(sh, "cwd"), repo.string());

  StateTrail t{a, id, {}};
  ASSERT_TRUE(t.wait_for("idle")) << t.str();
  // rm of a running session still wants --force; clean: worktree and branch go.
  auto no = a.amux({"rm", id});
  EXPECT_NE(no.rc, 0);
  EXPECT_TRUE(fs::exists(wt));
  auto r = a.amux({"rm", "-f", id});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("removed worktree " + wt.string() + " and branch amux/Tidy-Up"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(wt));
  EXPECT_FALSE(a.branch_exists(repo, "amux/Tidy-Up"));
  EXPECT_FALSE(fs::exists(a.env().config_dir() + "/jobs/" + id));
  EXPECT_TRUE(a.branch_exists(repo, "amux/Tidy-Up-2"));
}

TEST(Agents, DirtyOrUnmergedWorktreeIsKeptUntilDiscarded) {
  AgentEnv a({{"FAKE_CLAUDE_ASK", "0"}, {"FAKE_CLAUDE_WORK_SECONDS", "0.3"}});
  fs::path repo = a.make_repo();
  std::string dirty = a.dispatch({"--name", "dirty", "make a mess"}, repo.string());
  std::string committed = a.dispatch({"--name", "committed", "make a commit"}, repo.string());
  fs::path dwt = repo / ".amux/worktrees/dirty", cwt = repo / ".amux/worktrees/committed";
  ASSERT_TRUE(fs::exists(dwt));
  ASSERT_TRUE(fs::exists(cwt));
  std::ofstream(dwt / "new-file.txt") << "work in progress\n";
  std::ofstream(cwt / "feature.c") << "int f;\n";
  ASSERT_EQ(a.git(cwt, {"add", "."}).rc, 0);
  ASSERT_EQ(a.git(cwt, {"commit", "-q", "-m", "feature"}).rc, 0);

  for (auto [id, wt, what] : {std::tuple{dirty, dwt, std::string("1 uncommitted change")},
                              std::tuple{committed, cwt, std::string("1 commit on no other branch")}}) {
    auto r = a.amux({"rm", "-f", id});
    EXPECT_EQ(r.rc, 1) << r.out;
    EXPECT_NE(r.err.find(wt.string()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("`amux rm --discard " + id + "`"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    // Nothing was lost: worktree, branch and session are all still there.
    EXPECT_TRUE(fs::exists(wt));
    EXPECT_TRUE(a.branch_exists(repo, "amux/" + wt.filename().string()));
    EXPECT_NE(a.field(id, "id"), "");
  }
  EXPECT_TRUE(fs::exists(dwt / "new-file.txt"));
  // The session is still usable (it was not stopped).
  EXPECT_NE(a.field(dirty, "state"), "stopped");

  // Naming it again with --discard removes it with its changes.
  for (auto [id, wt] : {std::pair{dirty, dwt}, std::pair{committed, cwt}}) {
    auto r = a.amux({"rm", "--discard", id});
    EXPECT_EQ(r.rc, 0) << r.err;
    EXPECT_FALSE(fs::exists(wt));
    EXPECT_FALSE(a.branch_exists(repo, "amux/" + wt.filename().string()));
    EXPECT_FALSE(fs::exists(a.env().config_dir() + "/jobs/" + id));
  }
  EXPECT_EQ(a.git(repo, {"worktree", "list", "--porcelain"}).out.find(".amux/worktrees"), std::string::npos);
  EXPECT_EQ(a.git(repo, {"status", "--porcelain"}).out, "");
}

TEST(Agents, WorktreeAmuxDidNotMakeIsNeverTouched) {
  AgentEnv a({{"FAKE_CLAUDE_ASK", "0"}, {"FAKE_CLAUDE_WORK_SECONDS", "0.3"}});
  fs::path repo = a.make_repo();
  fs::path mine = a.root() / "my-feature";
  ASSERT_EQ(a.git(repo, {"worktree", "add", "-q", "-b", "feature", mine.string()}).rc, 0);
  // Started inside a linked worktree: it runs right there.
  std::string id = a.dispatch({"--name", "in-mine", "work here"}, mine.string());
  EXPECT_EQ(a.field(id, "worktree"), "");
  EXPECT_EQ(a.field(id, "cwd"), mine.string());
  auto r = a.amux({"rm", "-f", id});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(fs::exists(mine / "README"));
  EXPECT_TRUE(a.branch_exists(repo, "feature"));

  // A record naming a worktree amux did not make (edited by hand, or the
  // directory replaced): rm leaves it alone.
  std::string id2 = a.dispatch({"--exec", "sleep 30"}, repo.string());
  json rec = a.record(id2);
  rec["worktree"] = mine.string();
  std::ofstream(a.env().config_dir() + "/jobs/" + id2 + "/state.json") << rec.dump();
  auto r2 = a.amux({"rm", "-f", id2});
  EXPECT_EQ(r2.rc, 0) << r2.err;
  EXPECT_NE(r2.out.find("not a worktree amux made"), std::string::npos) << r2.out;
  EXPECT_TRUE(fs::exists(mine / "README"));
  EXPECT_TRUE(a.branch_exists(repo, "feature"));
}

TEST(Agents, IsolationNoneRunsInTheDirectory) {
  AgentEnv a({{"FAKE_CLAUDE_ASK", "0"}, {"FAKE_CLAUDE_WORK_SECONDS", "0.3"}});
  fs::path repo = a.make_repo();
  // User config.
  a.env().write_config("[worktree]\nbg_isolation = \"none\"\n");
  std::string id = a.dispatch({"--name", "here", "work in place"}, repo.string());
  EXPECT_EQ(a.field(id, "worktree"), "");
  EXPECT_EQ(a.field(id, "cwd"), repo.string());
  EXPECT_FALSE(fs::exists(repo / ".amux" / "worktrees"));
  // Project config overrides the user's, both ways.
  fs::path other = a.make_repo("other");
  fs::create_directories(other / ".amux");
  std::ofstream(other / ".amux" / "config.toml") << "[worktree]\nbg_isolation = \"worktree\"\n";
  std::string id2 = a.dispatch({"--name", "isolated", "work apart"}, other.string());
  EXPECT_EQ(a.field(id2, "worktree"), (other / ".amux/worktrees/isolated").string());
  a.env().write_config("");
  fs::create_directories(repo / ".amux");
  std::ofstream(repo / ".amux" / "config.toml") << "[worktree]\nbg_isolation = \"none\"\n";
  std::string id3 = a.dispatch({"--name", "here-too", "work in place"}, repo.string());
  EXPECT_EQ(a.field(id3, "worktree"), "");
  // A broken project config is one clear line.
  std::ofstream(repo / ".amux" / "config.toml") << "[worktree]\nbg_isolation = \"maybe\"\n";
  auto r = a.amux({"--bg", "--cwd", repo.string(), "work in place"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find(".amux/config.toml"), std::string::npos) << r.err;
}

// ---------------------------------------------------------------------------
// The agent view's defaults

TEST(Agents, ViewDefaultsAreShownAppliedAndRemembered) {
  AgentEnv a({{"FAKE_CLAUDE_ASK", "0"}, {"FAKE_CLAUDE_WORK_SECONDS", "0.3"}});
  Tmux tm(140, 40, "env PS1='$ ' " + a.shell_env() + " bash --norc --noprofile");
  ASSERT_TRUE(tm.wait_for("$"));
  tm.send_text("cd " + a.work().string());
  tm.send_keys({"Enter"});
  auto open = [&](const std::string& args) {
    tm.send_text("clear; " + amux_bin() + " agents " + args);
    tm.send_keys({"Enter"});
    return tm.wait_for("describe a task", 15000);
  };
  auto quit = [&] {
    for (int i = 0; i < 5 && tm.capture().find("describe a task") != std::string::npos; i++) {
      tm.send_keys({"Escape"});
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    return tm.wait_gone("describe a task");
  };
  ASSERT_TRUE(open("--agent claude --model opus --effort high --permission-mode plan")) << tm.capture();
  EXPECT_TRUE(tm.wait_for("New sessions: claude · opus · high effort · plan · ")) << tm.capture();
  tm.send_text("write the release notes");
  tm.send_keys({"Enter"});
  std::string id;
  ASSERT_TRUE(wait_until([&] {
    auto r = a.amux({"agents", "--json"});
    json j = json::parse(r.out, nullptr, false);
    if (!j.is_array() || j.empty()) return false;
    id = j[0].value("id", "");
    return !id.empty();
  }, 15000)) << tm.capture();
  std::string joined;
  for (auto& x : strings(a.record(id)["argv"])) joined += x + " ";
  for (std::string w : {"--model opus", "--effort high", "--permission-mode plan", "-- write the release notes"})
    EXPECT_NE(joined.find(w), std::string::npos) << w << " not in " << joined;
  ASSERT_TRUE(quit()) << tm.capture();
  // Remembered: a plain `amux agents` dispatches the same way.
  ASSERT_TRUE(open("")) << tm.capture();
  EXPECT_TRUE(tm.wait_for("New sessions: claude · opus · high effort · plan · ")) << tm.capture();
  ASSERT_TRUE(quit()) << tm.capture();
  // New defaults replace the remembered set.
  ASSERT_TRUE(open("--model sonnet")) << tm.capture();
  EXPECT_TRUE(tm.wait_for("New sessions: claude · sonnet · ")) << tm.capture();
  EXPECT_EQ(tm.capture().find("high effort"), std::string::npos) << tm.capture();
  ASSERT_TRUE(quit()) << tm.capture();
  json prefs = json::parse(read_text(a.env().config_dir() + "/view.json"), nullptr, false);
  EXPECT_EQ(prefs["defaults"], json({{"model", "sonnet"}})) << prefs.dump();
}

// Two live sessions never hand the agent the same --name (Claude Code would
// rename the second and say so in its conversation); the sessions keep the
// name they were given.
TEST(Agents, NamesHandedToAgentsAreUnique) {
  AgentEnv a({{"FAKE_CLAUDE_ASK", "0"}, {"FAKE_CLAUDE_WORK_SECONDS", "30"}});
  auto name_arg = [&](const std::string& id) {
    auto argv = strings(a.record(id)["argv"]);
    for (size_t i = 0; i + 1 < argv.size(); ++i)
      if (argv[i] == "--name") return argv[i + 1];
    return std::string("(no --name)");
  };
  std::string one = a.dispatch({"--name", "twin", "say hello"});
  std::string two = a.dispatch({"--name", "twin", "say hello"});
  std::string three = a.dispatch({"say hello"});
  std::string four = a.dispatch({"say hello"});
  ASSERT_FALSE(one.empty() || two.empty() || three.empty() || four.empty());
  EXPECT_EQ(name_arg(one), "twin");
  EXPECT_EQ(name_arg(two), "twin-2");
  EXPECT_EQ(a.field(two, "name"), "twin");
  EXPECT_NE(name_arg(three), name_arg(four));
  // Once the first has ended, its name is free again.
  ASSERT_EQ(a.amux({"stop", one}).rc, 0);
  ASSERT_TRUE(wait_until([&] { return a.field(one, "state") != "working" && a.field(one, "state") != "blocked"; }, 15000));
  a.amux({"rm", one});
  std::string five = a.dispatch({"--name", "twin", "say hello"});
  EXPECT_EQ(name_arg(five), "twin");
}

// The codex profile passes `-c notify=[amux notify --hook codex]`; the
// command codex would run at the end of a turn makes the session idle with
// its last message. Claude's StopFailure hook command, given a failed
// turn's payload on stdin, makes it blocked (login) with the error.
TEST(Agents, AgentHooksReportTurnEnds) {
  AgentEnv a({{"FAKE_CLAUDE_ASK", "0"}, {"FAKE_CLAUDE_WORK_SECONDS", "60"}});
  // A stand-in codex that just stays alive: only its argv matters here.
  std::ofstream(a.bin() / "codex") << "#!/bin/sh\nexec sleep 60\n";
  chmod((a.bin() / "codex").c_str(), 0755);
  std::string id = a.dispatch({"--agent", "codex", "say hello"});
  ASSERT_FALSE(id.empty());
  auto argv = strings(a.record(id)["argv"]);
  ASSERT_GE(argv.size(), 3u);
  EXPECT_EQ(argv[1], "-c");
  ASSERT_EQ(argv[2].rfind("notify=", 0), 0u) << argv[2];
  json notify = json::parse(argv[2].substr(strlen("notify=")), nullptr, false);
  ASSERT_TRUE(notify.is_array()) << argv[2];
  std::vector<std::string> cmd = strings(notify);
  EXPECT_EQ(cmd, (std::vector<std::string>{amux_bin(), "notify", "--hook", "codex"}));
  auto resume = strings(a.record(id)["resumeArgv"]);
  ASSERT_GE(resume.size(), 3u);
  EXPECT_EQ(resume[2], argv[2]);
  // Run it as codex does: the event JSON as the last argument, in the
  // session's environment.
  std::map<std::string, std::string> env = {{"AMUX_SESSION", id},
                                            {"AMUX_JOB_DIR", a.env().config_dir() + "/jobs/" + id}};
  cmd.push_back(R"({"type":"agent-turn-complete","turn-id":"1","last-assistant-message":"All done."})");
  auto r = run_process(cmd, env);
  ASSERT_EQ(r.rc, 0) << r.err;
  ASSERT_TRUE(wait_until([&] { return a.field(id, "state") == "idle"; }, 10000)) << a.field(id, "state");
  EXPECT_EQ(a.field(id, "detail"), "All done.");

  // Claude's StopFailure command (from the generated settings) with a
  // failed turn's payload on stdin.
  std::string c = a.dispatch({"--agent", "claude", "say hello"});
  ASSERT_FALSE(c.empty());
  // Barrier: the turn's UserPromptSubmit hook (amux notify --state working)
  // has reached the host (explain names it as what decides), so the failed
  // turn's report comes last.
  std::string why;
  ASSERT_TRUE(wait_until([&] {
    why = a.amux({"explain", c, "--json"}).out;
    return why.find("\"source\": \"notify\"") != std::string::npos;
  }, 30000)) << why;
  json s = json::parse(read_text(a.env().config_dir() + "/jobs/" + c + "/claude-settings.json"), nullptr, false);
  std::string hook = s["hooks"]["StopFailure"][0]["hooks"][0]["command"];
  env = {{"AMUX_SESSION", c}, {"AMUX_JOB_DIR", a.env().config_dir() + "/jobs/" + c}};
  r = run_process({"sh", "-c", hook}, env,
                  R"({"hook_event_name":"StopFailure","error":"authentication_failed","last_assistant_message":"Not logged in · Please run /login"})");
  ASSERT_EQ(r.rc, 0) << r.err;
  ASSERT_TRUE(wait_until([&] { return a.field(c, "waitingFor") == "login"; }, 30000)) << a.field(c, "waitingFor");
  EXPECT_EQ(a.field(c, "state"), "blocked");
  EXPECT_EQ(a.field(c, "detail"), "Not logged in · Please run /login");
}

// An agent that asks a question and animates a spinner on the same row while
// it waits for the answer (reading its terminal) is blocked, not working:
// repaints of rows already on screen are not work. No pattern matches its
// screen, so only the probe and the output tell.
TEST(Agents, AnimationUnderAWaitingQuestionIsNotWork) {
  AgentEnv a;
  fs::path script = a.bin() / "spinner-agent";
  std::ofstream(script) << R"(#!/usr/bin/env python3
import os, select, sys, time
sys.stdout.write("Pick a colour (red/blue)?\r\n")
frames = "|/-\\"
count = os.path.join(os.path.dirname(os.path.realpath(__file__)), "spin-count")
i = 0
while True:
    sys.stdout.write("\r  " + frames[i % 4] + " waiting")
    sys.stdout.flush()
    i += 1
    with open(count + ".tmp", "w") as f:
        f.write(str(i))
    os.replace(count + ".tmp", count)
    r, _, _ = select.select([0], [], [], 0.1)
    if r:
        sys.stdin.readline()
        sys.stdout.write("\r\nthanks\r\n")
        for n in range(60):
            sys.stdout.write("line %d of the answer\r\n" % n)
            sys.stdout.flush()
            time.sleep(0.05)
        time.sleep(30)
)";
  chmod(script.c_str(), 0755);
  a.write_file("agents.toml",
               "[spinner]\nbinary = \"spinner-agent\"\nstart = [\"{prompt_args}\"]\nprompt_args = []\n"
               "[spinner.patterns]\nworking = [\"esc to interrupt\"]\n");
  std::string id = a.dispatch({"--agent", "spinner", "go"});
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(a.wait_capture(id, "waiting")) << a.capture(id);
  // The spinner keeps printing all the while; the session reads blocked
  // (after state_hold_ms) and stays there.
  ASSERT_TRUE(wait_until([&] { return a.field(id, "state") == "blocked"; }, 15000))
      << a.field(id, "state") << "\n" << a.daemon_log();
  // It stays blocked while the spinner draws 30 more frames (3 s at its
  // rate, longer than state_hold_ms); the state is looked at all the while.
  auto frames_drawn = [&] {
    std::ifstream in(a.bin() / "spin-count");
    long n = 0;
    in >> n;
    return n;
  };
  const long from = frames_drawn();
  std::string seen;
  EXPECT_TRUE(wait_until([&] {
    if ((seen = a.field(id, "state")) != "blocked") return true;
    return frames_drawn() >= from + 30;
  }, 30000)) << "the spinner stopped drawing";
  EXPECT_EQ(seen, "blocked");
  // New rows (an answer streaming in) are work.
  ASSERT_EQ(a.amux({"reply", id, "red"}).rc, 0);
  EXPECT_TRUE(wait_until([&] { return a.field(id, "state") == "working"; }, 10000)) << a.field(id, "state");
}
