// Tests for agent profiles (src/mux/agents/agent_profile.cpp): the shipped
// conf/agents.toml, argv templates, overrides, the default agent, prompt
// names, screen patterns and the bypass acceptance.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "mux/agents/agent_profile.h"
#include "mux/sys/run_command.h"

using namespace amux::mux;
namespace fs = std::filesystem;
using Argv = std::vector<std::string>;

namespace {

std::string shipped() {
  if (const char* src = getenv("AMUX_SOURCE_DIR")) {
    std::string p = std::string(src) + "/conf/agents.toml";
    if (fs::exists(p)) return p;
  }
  return find_shipped_agents_file();
}

const ProfileSet& profiles() {
  static const ProfileSet set = ProfileSet::load(shipped());
  return set;
}

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/amux-profiles-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text, mode_t mode = 0644) const {
    fs::path p = path / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    chmod(p.c_str(), mode);
    return p.string();
  }
};

DispatchSpec spec(const std::string& agent, const std::string& prompt) {
  DispatchSpec s;
  s.agent = agent;
  s.prompt = prompt;
  s.name = "job";
  s.session_uuid = "123e4567-e89b-42d3-a456-426614174000";
  return s;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ProfileError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(Profiles, ShippedFileLoadsClean) {
  ASSERT_FALSE(shipped().empty()) << "conf/agents.toml not found";
  const ProfileSet& set = profiles();
  EXPECT_TRUE(set.warnings().empty()) << set.warnings().front();
  EXPECT_EQ(set.names(), (Argv{"claude", "codex", "gemini", "aider", "shell"}));
  EXPECT_EQ(set.get("claude").hooks, "claude");
  EXPECT_EQ(set.get("shell").kind, "shell");
  for (const auto& p : set.profiles()) {
    EXPECT_FALSE(p.binary.empty()) << p.name;
    if (p.kind == "agent") {
      EXPECT_FALSE(p.working.empty()) << p.name;
      EXPECT_FALSE(p.blocked.empty()) << p.name;
      EXPECT_FALSE(p.idle.empty()) << p.name;
      EXPECT_FALSE(p.resume.empty()) << p.name;
    }
  }
  EXPECT_NE(error_of([&] { set.get("nosuch"); }).find("profiles: claude, codex"), std::string::npos);
}

TEST(Profiles, ClaudeArgv) {
  const AgentProfile& p = profiles().get("claude");
  DispatchSpec s = spec("claude", "fix the flaky test");
  const std::string u = s.session_uuid;
  EXPECT_EQ(build_start_argv(p, s), (Argv{"claude", "--session-id", u, "--name", "job", "--", "fix the flaky test"}));
  EXPECT_EQ(build_resume_argv(p, s), (Argv{"claude", "--resume", u}));

  s.model = "opus";
  s.effort = "high";
  s.permission_mode = "plan";
  s.skip_permissions = true;
  s.add_dirs = {"/a", "/b c"};
  s.settings = "/job/claude-settings.json";
  s.mcp_config = "/m.json";
  s.plugin_dirs = {"/p1", "/p2"};
  s.extra_args = {"--verbose"};
  const Argv opts = {"--model", "opus", "--effort", "high", "--permission-mode", "plan",
                     "--dangerously-skip-permissions", "--add-dir", "/a", "--add-dir", "/b c",
                     "--settings", "/job/claude-settings.json", "--mcp-config", "/m.json",
                     "--plugin-dir", "/p1", "--plugin-dir", "/p2"};
  Argv start = {"claude", "--session-id", u, "--name", "job"};
  start.insert(start.end(), opts.begin(), opts.end());
  start.insert(start.end(), {"--verbose", "--", "fix the flaky test"});
  EXPECT_EQ(build_start_argv(p, s), start);
  Argv resume = {"claude", "--resume", u};
  resume.insert(resume.end(), opts.begin(), opts.end());
  resume.push_back("--verbose");
  EXPECT_EQ(build_resume_argv(p, s), resume);

  // No prompt: an interactive session, no "--".
  DispatchSpec bare = spec("claude", "");
  EXPECT_EQ(build_start_argv(p, bare), (Argv{"claude", "--session-id", u, "--name", "job"}));
  // No name: derived from the prompt.
  DispatchSpec unnamed = spec("claude", "fix the flaky test in foo");
  unnamed.name.clear();
  EXPECT_EQ(build_start_argv(p, unnamed)[4], "fix-flaky-test-foo");
  EXPECT_EQ(build_env(p, s), (Argv{"DISABLE_AUTOUPDATER=1"}));
}

TEST(Profiles, CodexArgv) {
  const AgentProfile& p = profiles().get("codex");
  DispatchSpec s = spec("codex", "resume");  // a prompt that is also a codex subcommand
  EXPECT_EQ(build_start_argv(p, s), (Argv{"codex", "--", "resume"}));
  EXPECT_EQ(build_resume_argv(p, s), (Argv{"codex", "resume", "--last"}));
  s.model = "o3";
  s.effort = "high";
  s.permission_mode = "plan";
  s.add_dirs = {"/d"};
  const Argv opts = {"--model", "o3", "-c", "model_reasoning_effort=high", "--sandbox", "read-only",
                     "--add-dir", "/d"};
  Argv start = {"codex"};
  start.insert(start.end(), opts.begin(), opts.end());
  start.insert(start.end(), {"--", "resume"});
  EXPECT_EQ(build_start_argv(p, s), start);
  s.permission_mode = "bypassPermissions";
  EXPECT_EQ(build_start_argv(p, s)[5], "--dangerously-bypass-approvals-and-sandbox");
  s.permission_mode = "default";  // maps to no arguments at all
  EXPECT_EQ(build_start_argv(p, s),
            (Argv{"codex", "--model", "o3", "-c", "model_reasoning_effort=high", "--add-dir", "/d", "--", "resume"}));
}

TEST(Profiles, GeminiAiderShellArgv) {
  const AgentProfile& g = profiles().get("gemini");
  DispatchSpec s = spec("gemini", "-v is broken");
  const std::string u = s.session_uuid;
  EXPECT_EQ(build_start_argv(g, s), (Argv{"gemini", "--session-id", u, "--prompt-interactive=-v is broken"}));
  EXPECT_EQ(build_resume_argv(g, s), (Argv{"gemini", "--resume", u}));
  s.permission_mode = "acceptEdits";
  s.add_dirs = {"/x"};
  s.skip_permissions = true;
  EXPECT_EQ(build_start_argv(g, s),
            (Argv{"gemini", "--session-id", u, "--approval-mode", "auto_edit", "--yolo",
                  "--include-directories", "/x", "--prompt-interactive=-v is broken"}));

  const AgentProfile& a = profiles().get("aider");
  DispatchSpec as = spec("aider", "add tests");
  EXPECT_EQ(build_start_argv(a, as), (Argv{"aider", "--message=add tests"}));
  EXPECT_EQ(build_resume_argv(a, as), (Argv{"aider", "--restore-chat-history"}));
  as.model = "sonnet";
  as.effort = "low";
  as.skip_permissions = true;
  EXPECT_EQ(build_start_argv(a, as), (Argv{"aider", "--model", "sonnet", "--reasoning-effort", "low",
                                           "--yes-always", "--message=add tests"}));
  EXPECT_EQ(build_env(a, as), (Argv{"AIDER_CHECK_UPDATE=false", "AIDER_SHOW_RELEASE_NOTES=false"}));

  const AgentProfile& sh = profiles().get("shell");
  DispatchSpec ss = spec("shell", "echo hi; exit 3");
  EXPECT_EQ(build_start_argv(sh, ss), (Argv{"bash", "-c", "echo hi; exit 3"}));
  EXPECT_EQ(build_resume_argv(sh, ss), build_start_argv(sh, ss));  // resume = run again
}

TEST(Profiles, OptionsAProfileCannotExpressAreErrors) {
  const ProfileSet& set = profiles();
  auto err = [&](const std::string& agent, const std::function<void(DispatchSpec&)>& set_opt) {
    DispatchSpec s = spec(agent, "p");
    set_opt(s);
    return error_of([&] { build_start_argv(set.get(agent), s); });
  };
  EXPECT_EQ(err("aider", [](DispatchSpec& s) { s.effort = ""; s.add_dirs = {"/d"}; }),
            "agent 'aider' has no flag for --add-dir");
  EXPECT_EQ(err("gemini", [](DispatchSpec& s) { s.effort = "high"; }), "agent 'gemini' has no flag for --effort");
  EXPECT_EQ(err("gemini", [](DispatchSpec& s) { s.settings = "/s.json"; }),
            "agent 'gemini' has no flag for --settings");
  EXPECT_EQ(err("codex", [](DispatchSpec& s) { s.mcp_config = "/m.json"; }),
            "agent 'codex' has no flag for --mcp-config");
  EXPECT_EQ(err("codex", [](DispatchSpec& s) { s.plugin_dirs = {"/p"}; }),
            "agent 'codex' has no flag for --plugin-dir");
  EXPECT_EQ(err("shell", [](DispatchSpec& s) { s.model = "opus"; }), "agent 'shell' has no flag for --model");
  std::string bad = err("codex", [](DispatchSpec& s) { s.permission_mode = "sometimes"; });
  EXPECT_NE(bad.find("agent 'codex' does not accept --permission-mode 'sometimes' (choices: "), std::string::npos)
      << bad;
  EXPECT_NE(bad.find("bypassPermissions"), std::string::npos) << bad;
  EXPECT_EQ(err("shell", [](DispatchSpec& s) { s.extra_args = {"-x"}; }),
            "agent 'shell' takes no extra arguments after --");
  EXPECT_NE(err("shell", [](DispatchSpec& s) { s.prompt.clear(); }).find("empty"), std::string::npos);
  // The same refusal on resume.
  DispatchSpec s = spec("aider", "p");
  s.mcp_config = "/m.json";
  EXPECT_THROW(build_resume_argv(set.get("aider"), s), ProfileError);
}

TEST(Profiles, PlaceholdersNeverReachAShell) {
  const std::string nasty = "it's \"quoted\" $(touch /tmp/amux-pwned) `id` {name} {session_uuid} ; echo x";
  for (const char* agent : {"claude", "codex", "gemini", "aider"}) {
    DispatchSpec s = spec(agent, nasty);
    Argv argv = build_start_argv(profiles().get(agent), s);
    bool found = false;
    for (auto& a : argv) found |= a.find(nasty) != std::string::npos;
    EXPECT_TRUE(found) << agent << ": the prompt is not one intact argument";
    EXPECT_EQ(argv.back().substr(argv.back().size() - nasty.size()), nasty) << agent;
  }
  // Run it for real through a profile whose binary prints its arguments.
  ProfileSet set = ProfileSet::from_sources(
      {{"t.toml", "[echoer]\nbinary = \"printf\"\nstart = [\"[%s]\", \"{prompt_args}\"]\n"}});
  Argv argv = build_start_argv(set.get("echoer"), spec("echoer", nasty));
  RunResult r = run_command(argv);
  ASSERT_TRUE(r.ok()) << r.failure();
  EXPECT_EQ(r.out, "[" + nasty + "]");
  EXPECT_FALSE(fs::exists("/tmp/amux-pwned"));
  // The shell profile is the one place a shell runs the text, as intended.
  Argv sh = build_start_argv(profiles().get("shell"), spec("shell", "printf '%s' \"$((6*7))\""));
  RunResult r2 = run_command(sh);
  ASSERT_TRUE(r2.ok()) << r2.failure();
  EXPECT_EQ(r2.out, "42");
}

TEST(Profiles, UserAndProjectFilesOverridePerKey) {
  TempDir d;
  std::string user = d.write("user/agents.toml",
                             "[claude]\nbinary = \"/opt/claude/bin/claude\"\n"
                             "[claude.options]\neffort = false\n"
                             "[codex.options]\nmodel = [\"-m\", \"{value}\"]\n"
                             "[mybot]\nbinary = \"mybot\"\nstart = [\"--task\", \"{prompt}\"]\n");
  std::string project = d.write("repo/.amux/agents.toml",
                                "[codex.options]\nmodel = [\"--model={value}\"]\n"
                                "[claude.patterns]\nidle = [\"READY\"]\n");
  ProfileSet set = ProfileSet::load(shipped(), user, project);
  EXPECT_TRUE(set.warnings().empty());
  const AgentProfile& c = set.get("claude");
  EXPECT_EQ(c.binary, "/opt/claude/bin/claude");
  EXPECT_EQ(c.start, profiles().get("claude").start);  // untouched keys stay
  EXPECT_FALSE(c.can(AgentOption::Effort));
  EXPECT_TRUE(c.can(AgentOption::Model));
  ASSERT_EQ(c.idle.size(), 1u);
  EXPECT_EQ(c.idle[0].source, "READY");
  EXPECT_EQ(c.working.size(), profiles().get("claude").working.size());
  EXPECT_NE(c.origin.find(user), std::string::npos);
  DispatchSpec s = spec("claude", "x");
  s.effort = "high";
  EXPECT_EQ(error_of([&] { build_start_argv(c, s); }), "agent 'claude' has no flag for --effort");
  // Project beats user.
  DispatchSpec cs = spec("codex", "x");
  cs.model = "o3";
  EXPECT_EQ(build_start_argv(set.get("codex"), cs), (Argv{"codex", "--model=o3", "--", "x"}));
  // New profiles are appended after the shipped ones.
  EXPECT_EQ(set.names().back(), "mybot");
  EXPECT_EQ(build_start_argv(set.get("mybot"), spec("mybot", "go")), (Argv{"mybot", "--task", "go"}));
  // Missing user/project files are fine.
  EXPECT_EQ(ProfileSet::load(shipped(), d.path / "none.toml", "").names(), profiles().names());
}

TEST(Profiles, ErrorsNameFileLineAndKey) {
  auto err = [](const std::string& text) {
    return error_of([&] { ProfileSet::from_sources({{"/u/agents.toml", text}}); });
  };
  std::string e = err("[claude]\nbinary = \"c\"\nstart = \"oops\"\n");
  EXPECT_NE(e.find("/u/agents.toml:3"), std::string::npos) << e;
  EXPECT_NE(e.find("claude.start"), std::string::npos) << e;
  e = err("[x]\nbinary = \"x\"\nstart = [\"{prompt}\"]\n[x.patterns]\nworking = [\"(unclosed\"]\n");
  EXPECT_NE(e.find("/u/agents.toml:5"), std::string::npos) << e;
  EXPECT_NE(e.find("x.patterns.working"), std::string::npos) << e;
  e = err("[x]\nbinary = \"x\"\nstart = [\"{promt}\"]\n");
  EXPECT_NE(e.find("unknown placeholder {promt}"), std::string::npos) << e;
  e = err("[x]\nstart = [\"{prompt}\"]\n");
  EXPECT_NE(e.find("binary"), std::string::npos) << e;
  e = err("[x]\nbinary = \"x\"\nstart = [\"--opts={options}\"]\n");
  EXPECT_NE(e.find("{options} must be an element of its own"), std::string::npos) << e;
  e = err("[x]\nbinary = \"x\"\nstart = [\"{prompt}\"]\n[x.options]\nmodel = [\"--model\"]\n");
  EXPECT_NE(e.find("x.options.model"), std::string::npos) << e;
  EXPECT_NE(e.find("{value}"), std::string::npos) << e;
  e = err("[x]\nbinary = \"x\"\nstart = [\"{prompt}\"]\n[x.options]\nmodel = [\"--model\", \"{value}\"]\n");
  EXPECT_NE(e.find("no {options} element"), std::string::npos) << e;
  e = err("[x\n");
  EXPECT_NE(e.find("/u/agents.toml:1"), std::string::npos) << e;
  // An unknown key is a warning, not an error.
  ProfileSet w = ProfileSet::from_sources({{"/u/agents.toml", "[x]\nbinary = \"x\"\nstart = []\ncolour = 1\n"}});
  ASSERT_EQ(w.warnings().size(), 1u);
  EXPECT_NE(w.warnings()[0].find("/u/agents.toml:4: x.colour"), std::string::npos) << w.warnings()[0];
  // "{{" is a literal brace.
  ProfileSet b = ProfileSet::from_sources({{"t", "[x]\nbinary = \"x\"\nstart = [\"{{a}}\", \"{prompt}\"]\n"}});
  EXPECT_EQ(build_start_argv(b.get("x"), spec("x", "p")), (Argv{"x", "{a}}", "p"}));
}

TEST(Profiles, DefaultAgentIsTheFirstOnPath) {
  TempDir d;
  fs::create_directories(d.path / "bin");
  const std::string bin = (d.path / "bin").string();
  std::string e = error_of([&] { default_agent("", profiles(), bin); });
  for (const char* word : {"claude", "codex", "gemini", "aider", "--exec", "default_agent"})
    EXPECT_NE(e.find(word), std::string::npos) << word << " missing from: " << e;
  EXPECT_EQ(e.find('\n'), std::string::npos) << "one line";

  d.write("bin/claude", "not executable\n", 0644);
  d.write("bin/codex", "#!/bin/sh\nexit 0\n", 0755);
  EXPECT_EQ(default_agent("", profiles(), bin), "codex");
  EXPECT_EQ(default_agent("", profiles(), "/nonexistent:" + bin), "codex");
  d.write("bin/gemini", "#!/bin/sh\n", 0755);
  EXPECT_EQ(default_agent("", profiles(), bin), "codex");  // file order, not name order
  chmod((d.path / "bin/claude").c_str(), 0755);
  EXPECT_EQ(default_agent("", profiles(), bin), "claude");
  // The shell profile is never the default agent.
  EXPECT_THROW(default_agent("", profiles(), "/nonexistent"), ProfileError);

  EXPECT_EQ(default_agent("gemini", profiles(), bin), "gemini");
  e = error_of([&] { default_agent("aider", profiles(), bin); });
  EXPECT_NE(e.find("aider"), std::string::npos) << e;
  EXPECT_NE(e.find("--exec"), std::string::npos) << e;
  e = error_of([&] { default_agent("nosuch", profiles(), bin); });
  EXPECT_NE(e.find("profiles: claude, codex, gemini, aider, shell"), std::string::npos) << e;
}

TEST(Profiles, NameFromPrompt) {
  EXPECT_EQ(name_from_prompt("fix the flaky test in foo"), "fix-flaky-test-foo");
  EXPECT_EQ(name_from_prompt("Fix the FLAKY test in src/foo.cpp, please!"), "fix-flaky-test-src-foo-cpp");
  EXPECT_EQ(name_from_prompt("don't break the build"), "dont-break-build");
  EXPECT_EQ(name_from_prompt(""), "task");
  EXPECT_EQ(name_from_prompt("  ¿¡ ✨ !! "), "task");
  EXPECT_EQ(name_from_prompt("the"), "the");
  std::string longp = "refactor the configuration loader so that every error names its file and line";
  std::string n = name_from_prompt(longp);
  EXPECT_LE(n.size(), 32u);
  EXPECT_EQ(n.rfind("refactor-configuration-loader", 0), 0u) << n;
  EXPECT_NE(n.back(), '-');
  EXPECT_EQ(name_from_prompt(std::string(50, 'x')), std::string(32, 'x'));
  EXPECT_EQ(name_from_prompt("line one\nline two"), "line-one-line-two");
}

TEST(Profiles, ScreenPatterns) {
  const AgentProfile& c = profiles().get("claude");
  const std::vector<std::string> box = {"╭──────────╮", "│ >        │", "╰──────────╯", "  ? for shortcuts"};
  std::vector<std::string> working = {"✻ Thinking… (3s · esc to interrupt)", ""};
  working.insert(working.end(), box.begin(), box.end());
  EXPECT_EQ(match_screen(c, working), SessionState::Working);  // the empty box shows while working too
  EXPECT_EQ(match_screen(c, box), SessionState::Idle);
  EXPECT_EQ(match_screen(c, {" Bash command", "   ls", " Do you want to proceed?", " ❯ 1. Yes", "   2. No"}),
            SessionState::Blocked);
  EXPECT_EQ(match_screen(c, {"$ make", "all done"}), std::nullopt);
  EXPECT_EQ(match_screen(profiles().get("aider"), {"Add file to the chat? (Y)es/(N)o [Yes]:"}),
            SessionState::Blocked);
  EXPECT_EQ(match_screen(profiles().get("aider"), {"architect> "}), SessionState::Idle);
  EXPECT_EQ(match_screen(profiles().get("shell"), box), std::nullopt);
  EXPECT_GT(c.settle_ms, 0);
}

// A pattern is a cloned project's to write: any pattern matches in time
// linear in the line (` **\?` over a line once held std::regex for
// minutes: tests/fuzz/corpus/config/agents-project-pattern-redos; RE2
// refuses that one, and nested repeats it accepts run in linear time), and one
// that cannot compile is an error that says why, never a crash (a repeat
// count of 7777777777777777777 overflowed std::regex's parser:
// tests/fuzz/corpus/json/host-spec-pattern-repeat-overflow).
TEST(Profiles, PatternsAreLinearAndBounded) {
  const std::string line(20000, ' ');
  for (const char* src : {" *( *)*\\?", "(a*)*b", "(x+x+)+y", "^(\\s*)*$z"}) {
    ScreenPattern p = make_screen_pattern(src);
    EXPECT_FALSE(pattern_search(p, line + "!")) << src;
  }
  ScreenPattern q = make_screen_pattern("proceed\\?");
  size_t at = 0;
  ASSERT_TRUE(pattern_search(q, "Do you want to proceed?", &at));
  EXPECT_EQ(at, 15u);
  // What std::regex's parser overflowed on: RE2 reads it (a literal brace,
  // an octal escape) and matches in linear time.
  for (const char* odd : {"a{7777777777777777777}", "x\\7777777777"})
    EXPECT_FALSE(pattern_search(make_screen_pattern(odd), line)) << odd;
  for (const char* bad : {" **\\?", "(unclosed", "a{2000}{2000}", "a{1001}"}) {
    try {
      make_screen_pattern(bad);
      ADD_FAILURE() << bad << " compiled";
    } catch (const PatternError& e) {
      EXPECT_FALSE(std::string(e.what()).empty()) << bad;
    }
  }
}

TEST(Profiles, BypassNeedsAcceptance) {
  DispatchSpec s = spec("claude", "p");
  EXPECT_FALSE(is_bypass(s));
  s.permission_mode = "plan";
  EXPECT_FALSE(is_bypass(s));
  s.permission_mode = "bypassPermissions";
  EXPECT_TRUE(is_bypass(s));
  s.permission_mode = "yolo";
  EXPECT_TRUE(is_bypass(s));
  s.permission_mode = "danger-full-access";
  EXPECT_TRUE(is_bypass(s));
  s.permission_mode.clear();
  s.skip_permissions = true;
  EXPECT_TRUE(is_bypass(s));
  s.skip_permissions = false;
  for (Argv extra : {Argv{"--dangerously-skip-permissions"}, Argv{"--dangerously-bypass-approvals-and-sandbox"},
                     Argv{"--yolo"}, Argv{"--yes-always"}, Argv{"--permission-mode", "bypassPermissions"},
                     Argv{"--permission-mode=bypassPermissions"}, Argv{"--approval-mode", "yolo"},
                     Argv{"--sandbox", "danger-full-access"}}) {
    s.extra_args = extra;
    EXPECT_TRUE(is_bypass(s)) << extra[0];
  }
  s.extra_args = {"--permission-mode", "plan", "--verbose"};
  EXPECT_FALSE(is_bypass(s));

  TempDir d;
  Paths p;
  p.config_dir = (d.path / "config").string();
  EXPECT_FALSE(bypass_accepted(p));
  ASSERT_EQ(record_bypass_acceptance(p), 0);
  EXPECT_TRUE(bypass_accepted(p));
  struct stat st;
  ASSERT_EQ(stat(bypass_file(p).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // A file that does not say accepted is not an acceptance.
  d.write("config/bypass-accepted.json", "{\"accepted\": false}\n");
  EXPECT_FALSE(bypass_accepted(p));
  d.write("config/bypass-accepted.json", "garbage");
  EXPECT_FALSE(bypass_accepted(p));
  EXPECT_NE(bypass_refusal().find("amux accept-bypass"), std::string::npos);
  EXPECT_EQ(bypass_refusal().find('\n'), std::string::npos);
  EXPECT_NE(bypass_question().find("[y/N]"), std::string::npos);
}

namespace {
// A screen the real CLI drew (tests/fixtures/screens, captured from tmux
// running claude 2.1.328, codex 0.171.0 and gemini 0.61.0 offline in a
// fresh HOME), one string a row.
std::vector<std::string> real_screen(const std::string& name) {
  const char* src = getenv("AMUX_SOURCE_DIR");
  fs::path p = fs::path(src ? src : ".") / "tests" / "fixtures" / "screens" / (name + ".txt");
  std::ifstream in(p);
  EXPECT_TRUE(in.good()) << p;
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}
}  // namespace

// Each first-run screen of the real CLIs reads the state a person would
// give it, and the detail is the question on it (not the title).
TEST(Profiles, PatternsMatchTheRealScreens) {
  struct Case {
    std::string agent, screen;
    std::optional<SessionState> state;
    std::string question;  // "" = none on screen
  };
  const std::vector<Case> cases = {
      {"claude", "claude-trust", SessionState::Blocked, "Quick safety check: Is this a project you created"},
      {"claude", "claude-login-required", SessionState::Blocked, "Not logged in · Please run /login"},
      {"claude", "claude-idle", SessionState::Blocked, ""},  // "Not logged in · run /login": log in first
      {"codex", "codex-welcome", SessionState::Blocked, "Choose how you want to use Codex."},
      {"codex", "codex-sign-in-other", SessionState::Blocked, "Sign in another way"},
      {"codex", "codex-api-key", SessionState::Blocked, "Paste or type your API key below."},
      {"codex", "codex-idle", SessionState::Idle, ""},
      {"gemini", "gemini-trust", SessionState::Blocked, "Do you trust the files in this folder?"},
      {"gemini", "gemini-auth", SessionState::Blocked, "How would you like to authenticate for this project?"},
      {"gemini", "gemini-api-key", SessionState::Blocked, "Enter Gemini API Key"},
      {"gemini", "gemini-idle", SessionState::Idle, ""},
  };
  for (const auto& c : cases) {
    const AgentProfile& p = profiles().get(c.agent);
    auto lines = real_screen(c.screen);
    EXPECT_EQ(match_screen(p, lines), c.state) << c.screen;
    std::string q = question_line(p.screen_patterns(), lines);
    if (c.question.empty()) EXPECT_EQ(q, "") << c.screen;
    else EXPECT_EQ(q.rfind(c.question, 0), 0u) << c.screen << ": '" << q << "'";
  }
}

// resume_if: the shipped claude profile names where Claude Code saves a
// conversation; placeholders are filled in per session, a pattern naming an
// unset variable is left out, and only an existing file means "resume".
TEST(Profiles, ResumeIfNamesWhereTheConversationIsSaved) {
  const AgentProfile& p = profiles().get("claude");
  const std::string u = "123e4567-e89b-42d3-a456-426614174000";
  TempDir home, cfg;
  unsetenv("CLAUDE_CONFIG_DIR");
  auto pats = build_resume_if(p, u, "/w/my.repo", {"HOME=" + home.path.string()});
  EXPECT_EQ(pats, (Argv{home.path.string() + "/.claude/projects/*/" + u + ".jsonl"}));
  EXPECT_FALSE(any_path_exists(pats));
  home.write(".claude/projects/-w-my-repo/" + u + ".jsonl", "{}\n");
  EXPECT_TRUE(any_path_exists(pats));

  pats = build_resume_if(p, u, "/w", {"HOME=" + home.path.string(), "CLAUDE_CONFIG_DIR=" + cfg.path.string()});
  ASSERT_EQ(pats.size(), 2u);
  EXPECT_EQ(pats[0], cfg.path.string() + "/projects/*/" + u + ".jsonl");

  auto set = ProfileSet::from_sources(
      {{"/u/agents.toml", "[x]\nbinary = \"x\"\nstart = [\"{prompt}\"]\n"
                          "resume_if = [\"{home}/{cwd_slug}/{session_uuid}\", \"{env.AMUX_TEST_UNSET_VAR}/a\"]\n"}});
  EXPECT_EQ(build_resume_if(set.get("x"), "u1", "/a b/c", {"HOME=/h"}), (Argv{"/h/-a-b-c/u1"}));
  std::string e = error_of([&] {
    ProfileSet::from_sources({{"/u/agents.toml", "[x]\nbinary = \"x\"\nstart = [\"a\"]\nresume_if = [\"{prompt}\"]\n"}});
  });
  EXPECT_NE(e.find("unknown placeholder {prompt}"), std::string::npos) << e;
}
