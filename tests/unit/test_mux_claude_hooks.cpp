// Tests for the Claude Code hooks settings (src/mux/agents/claude_hooks.cpp), and
// the claude profile end to end against tests/fixtures/fake-claude on a real
// PTY: its argv, its hooks firing at the right moments, its screen patterns
// through a real libvterm screen, and resume.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "mux/agents/agent_profile.h"
#include "mux/agents/claude_hooks.h"
#include "mux/sys/run_command.h"
#include "pty/pty.h"
#include "render/screen.h"
#include "render/text_dump.h"

using namespace amux::mux;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/amux-hooks-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The command of the first hook of `event` whose matcher is `matcher`.
std::string command_of(const json& settings, const std::string& event, const std::string& matcher) {
  for (auto& g : settings["hooks"][event])
    if (g.value("matcher", std::string()) == matcher) return g["hooks"][0]["command"];
  return "";
}

fs::path source_dir() {
  if (const char* s = getenv("AMUX_SOURCE_DIR")) return s;
  std::error_code ec;
  for (fs::path p = fs::read_symlink("/proc/self/exe", ec).parent_path(); !p.empty(); p = p.parent_path()) {
    if (fs::exists(p / "tests/fixtures/fake-claude")) return p;
    if (p == p.parent_path()) break;
  }
  return ".";
}

}  // namespace

TEST(ClaudeHooks, GeneratedSettingsCallAmuxNotify) {
  json s = claude_hooks_settings("/opt/my amux/bin/amux");
  const std::string bin = "'/opt/my amux/bin/amux' notify ";
  for (const char* ev : {"UserPromptSubmit", "PreToolUse", "PostToolUse", "PermissionRequest", "Notification",
                         "Stop", "StopFailure", "SessionEnd"})
    ASSERT_TRUE(s["hooks"].contains(ev)) << ev;
  for (auto& [event, groups] : s["hooks"].items())
    for (auto& g : groups) {
      ASSERT_TRUE(g["hooks"].is_array());
      EXPECT_EQ(g["hooks"][0]["type"], "command") << event;
      EXPECT_EQ(std::string(g["hooks"][0]["command"]).rfind(bin, 0), 0u) << event;
    }
  EXPECT_NE(command_of(s, "UserPromptSubmit", "").find("--state working"), std::string::npos);
  EXPECT_NE(command_of(s, "PreToolUse", "*").find("--state working"), std::string::npos);
  EXPECT_NE(command_of(s, "PermissionRequest", "*").find("--state blocked --waiting-for permission"),
            std::string::npos);
  EXPECT_NE(command_of(s, "Notification", "permission_prompt").find("--state blocked --waiting-for permission"),
            std::string::npos);
  EXPECT_NE(command_of(s, "Notification", "elicitation_dialog").find("--state blocked --waiting-for input"),
            std::string::npos);
  EXPECT_NE(command_of(s, "Stop", "").find("--state idle"), std::string::npos);
  // A failed turn (login, quota, API error): the state comes from its error.
  EXPECT_NE(command_of(s, "StopFailure", "").find("notify --hook claude"), std::string::npos);
  EXPECT_NE(command_of(s, "SessionEnd", "").find("--state idle --detail 'session ended'"), std::string::npos);
  // A failing notify must never block a tool (a PreToolUse hook exiting 2 would).
  EXPECT_NE(command_of(s, "PreToolUse", "*").find("|| true"), std::string::npos);
}

TEST(ClaudeHooks, MergeKeepsTheUsersKeysAndHooks) {
  json user = json::parse(R"J({
    "model": "opus",
    "permissions": {"allow": ["Bash(ls)"]},
    "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "say done"}]}],
              "PostToolUse": [{"matcher": "Edit", "hooks": [{"type": "command", "command": "fmt"}]}]}
  })J");
  json merged = merge_claude_settings(user, claude_hooks_settings("/bin/amux"));
  EXPECT_EQ(merged["model"], "opus");
  EXPECT_EQ(merged["permissions"], user["permissions"]);
  ASSERT_EQ(merged["hooks"]["Stop"].size(), 2u);
  EXPECT_EQ(merged["hooks"]["Stop"][0]["hooks"][0]["command"], "say done");
  EXPECT_NE(std::string(merged["hooks"]["Stop"][1]["hooks"][0]["command"]).find("--state idle"), std::string::npos);
  ASSERT_EQ(merged["hooks"]["PostToolUse"].size(), 2u);
  EXPECT_EQ(merged["hooks"]["PostToolUse"][0]["matcher"], "Edit");
  EXPECT_TRUE(merged["hooks"].contains("PreToolUse"));
  EXPECT_THROW(merge_claude_settings(json::array(), claude_hooks_settings("/a")), ClaudeHooksError);
  EXPECT_THROW(merge_claude_settings(json{{"hooks", "no"}}, claude_hooks_settings("/a")), ClaudeHooksError);
  EXPECT_THROW(merge_claude_settings(json{{"hooks", {{"Stop", 3}}}}, claude_hooks_settings("/a")),
               ClaudeHooksError);
}

TEST(ClaudeHooks, WritesTheMergedFileIntoTheJobDir) {
  TempDir d;
  fs::path user = d.path / "mine.json";
  std::ofstream(user) << R"({"env": {"FOO": "1"}, "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "x"}]}]}})";
  std::string path = write_claude_settings((d.path / "jobs/abcd1234").string(), "/usr/bin/amux", user.string());
  EXPECT_EQ(path, (d.path / "jobs/abcd1234/claude-settings.json").string());
  json j = json::parse(slurp(path));
  EXPECT_EQ(j["env"]["FOO"], "1");
  EXPECT_EQ(j["hooks"]["Stop"].size(), 2u);
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // No user settings, and inline JSON as claude's --settings accepts.
  json plain = json::parse(slurp(write_claude_settings((d.path / "j2").string(), "/a", "")));
  EXPECT_EQ(plain, claude_hooks_settings("/a"));
  json inl = json::parse(slurp(write_claude_settings((d.path / "j3").string(), "/a", R"( {"model": "haiku"})")));
  EXPECT_EQ(inl["model"], "haiku");
  // Errors name the file.
  try {
    write_claude_settings((d.path / "j4").string(), "/a", (d.path / "missing.json").string());
    FAIL();
  } catch (const ClaudeHooksError& e) {
    EXPECT_NE(std::string(e.what()).find("missing.json"), std::string::npos) << e.what();
  }
  std::ofstream(d.path / "bad.json") << "{nope";
  EXPECT_THROW(write_claude_settings((d.path / "j5").string(), "/a", (d.path / "bad.json").string()),
               ClaudeHooksError);
}

// ---------------------------------------------------------------------------
// The claude profile end to end, against the fake agent.

namespace {

class FakeClaudeRun {
 public:
  FakeClaudeRun(std::vector<std::string> argv, const std::vector<std::string>& env, const std::string& cwd)
      : screen_({24, 100, 1000}),
        pty_(amux::pty::Pty::spawn({std::move(argv), cwd, {}, env, 24, 100})) {}

  // Pump output into the screen until pred holds (true) or the deadline.
  bool until(const std::function<bool()>& pred, int timeout_ms = 20000) {
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (true) {
      pump();
      if (pred()) return true;
      if (std::chrono::steady_clock::now() > end) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  void pump() {
    std::string buf;
    while (pty_.read_available(buf) > 0) {
    }
    if (!buf.empty()) screen_.feed(buf);
  }
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    std::istringstream in(amux::render::dump_screen(screen_));
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }
  std::string text() const { return amux::render::dump_screen(screen_); }
  bool state_is(const AgentProfile& p, SessionState s) const { return match_screen(p, lines()) == s; }
  void type(const std::string& s) { ASSERT_EQ(pty_.write_all(s), 0); }
  std::optional<amux::pty::ExitStatus> exited() {
    pump();
    return pty_.try_wait();
  }
  const amux::render::Screen& screen() const { return screen_; }

 private:
  amux::render::Screen screen_;
  amux::pty::Pty pty_;
};

}  // namespace

TEST(FakeClaude, ClaudeProfileHooksScreenAndResume) {
  const fs::path fake = source_dir() / "tests/fixtures/fake-claude";
  ASSERT_TRUE(fs::exists(fake)) << fake;
  ASSERT_FALSE(find_executable("python3").empty()) << "python3 (for tests/fixtures/fake-claude) is not on PATH; make deps installs it";
  TempDir d;
  const ProfileSet profiles = ProfileSet::load((source_dir() / "conf/agents.toml").string());
  const AgentProfile& claude = profiles.get("claude");

  // Put the fake on PATH as `claude`, as a user's machine would have it.
  fs::create_directories(d.path / "bin");
  fs::create_symlink(fake, d.path / "bin/claude");
  const std::string path_value = (d.path / "bin").string() + ":" + getenv("PATH");
  ASSERT_EQ(default_agent("", profiles, path_value), "claude");

  // A stand-in amux binary that records each notify.
  const fs::path log = d.path / "notify.log";
  const fs::path amux_bin = d.path / "bin/amux-recorder";
  std::ofstream(amux_bin) << "#!/bin/sh\necho \"$*\" >> '" << log.string() << "'\n";
  fs::permissions(amux_bin, fs::perms::owner_all);
  auto notified = [&](const std::string& what) { return slurp(log).find(what) != std::string::npos; };

  DispatchSpec spec;
  spec.agent = "claude";
  spec.prompt = "write the \"tests\" $(whoami)";
  spec.name = "hooks-e2e";
  spec.session_uuid = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
  spec.model = "opus";
  spec.add_dirs = {(d.path / "extra dir").string()};
  spec.settings = write_claude_settings((d.path / "job").string(), amux_bin.string(), "");
  std::vector<std::string> env = build_env(claude, spec);
  env.push_back("PATH=" + path_value);
  env.push_back("FAKE_CLAUDE_HOME=" + (d.path / "store").string());
  env.push_back("FAKE_CLAUDE_WORK_SECONDS=1.5");
  std::vector<std::string> argv = build_start_argv(claude, spec);
  argv[0] = (d.path / "bin/claude").string();

  {
    FakeClaudeRun run(argv, env, d.path.string());
    // Working first (the spinner above an empty prompt box), then the question.
    ASSERT_TRUE(run.until([&] { return run.state_is(claude, SessionState::Working); })) << run.text();
    ASSERT_TRUE(run.until([&] { return run.state_is(claude, SessionState::Blocked); })) << run.text();
    EXPECT_NE(run.text().find("model: opus"), std::string::npos) << run.text();
    EXPECT_NE(run.text().find("add-dir: " + spec.add_dirs[0]), std::string::npos) << run.text();
    EXPECT_NE(run.text().find("> " + spec.prompt), std::string::npos) << run.text();
    EXPECT_NE(run.screen().title().find("hooks-e2e"), std::string::npos) << run.screen().title();
    EXPECT_TRUE(notified("notify --state working"));
    EXPECT_TRUE(notified("notify --state blocked --waiting-for permission"));
    EXPECT_FALSE(notified("--state idle"));
    // Allow; it works again, then idles with an empty prompt box.
    run.type("1");
    ASSERT_TRUE(run.until([&] { return run.state_is(claude, SessionState::Idle); })) << run.text();
    EXPECT_NE(run.text().find("Done: " + spec.prompt), std::string::npos) << run.text();
    EXPECT_TRUE(run.until([&] { return notified("notify --state idle"); }));
    // A second prompt typed into the box; this time deny.
    run.type("second turn\r");
    ASSERT_TRUE(run.until([&] { return run.state_is(claude, SessionState::Blocked); })) << run.text();
    run.type("n");
    ASSERT_TRUE(run.until([&] { return run.state_is(claude, SessionState::Idle); })) << run.text();
    EXPECT_NE(run.text().find("Permission denied"), std::string::npos) << run.text();
    run.type("/exit\r");
    ASSERT_TRUE(run.until([&] { return run.exited().has_value(); }));
    EXPECT_TRUE(run.exited()->success());
    EXPECT_TRUE(notified("notify --state idle --detail session ended"));
  }
  // The same session id cannot start twice; resume continues it.
  {
    FakeClaudeRun again(argv, env, d.path.string());
    ASSERT_TRUE(again.until([&] { return again.exited().has_value(); }));
    EXPECT_FALSE(again.exited()->success());
  }
  std::vector<std::string> resume = build_resume_argv(claude, spec);
  resume[0] = (d.path / "bin/claude").string();
  FakeClaudeRun run(resume, env, d.path.string());
  ASSERT_TRUE(run.until([&] { return run.state_is(claude, SessionState::Idle); })) << run.text();
  EXPECT_NE(run.text().find("resumed conversation " + spec.session_uuid + " with 2 turns"), std::string::npos)
      << run.text();
  EXPECT_NE(run.text().find("second turn"), std::string::npos) << run.text();
  run.type("\x04");  // Ctrl-D on the empty prompt ends it
  ASSERT_TRUE(run.until([&] { return run.exited().has_value(); }));
  EXPECT_TRUE(run.exited()->success());
}
