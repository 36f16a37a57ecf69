// The real-agent tier: the coding-agent CLIs themselves (Claude Code,
// Codex, Gemini CLI at the versions tests/install_agents.sh pins, installed
// from npm into $AMUX_NPM_CACHE by `make deps` / `make test`), run offline in
// a fresh HOME under amux. Without a network and a login each stops at its
// first-run screens, which are exactly the screens amux must read right: a
// trust question, a sign-in choice, an API-key field, a failed turn. Each
// test walks those steps and asserts the state amux reports at each one and
// the detail (the question on screen); the capture tests compare amux's
// screen with a tmux pane running the same command at the same size.
//
// A missing CLI fails these tests (run `make agents`); AMUX_NO_NPM=1 leaves
// the whole binary out of `make test`, and the summary says so.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "mux/wire/host_client.h"
#include "support/amux_env.h"

using namespace amux::test;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

extern "C" char** environ;

// The CLIs are run as a person runs them, in a terminal. Under a CI
// environment (CI=true, as CI runners set) they take themselves for headless
// automation and skip their first-run screens (gemini exits at once), and
// the environment a test's amux client has reaches its sessions. So the
// variables CLIs read to detect CI are removed from this test's process,
// and from everything it starts, before any test runs.
const bool ci_variables_removed = [] {
  std::vector<std::string> names;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    std::string k = kv.substr(0, kv.find('='));
    if (k == "CI" || k == "CONTINUOUS_INTEGRATION" || k == "BUILD_NUMBER" || k == "RUN_ID" ||
        k.rfind("CI_", 0) == 0 || k.rfind("GITHUB_", 0) == 0 || k.rfind("GITLAB_", 0) == 0)
      names.push_back(k);
  }
  for (auto& k : names) unsetenv(k.c_str());
  return true;
}();

// The state tests run at amux's default size (codex animates its logo over
// the welcome screen there); the capture tests at a size where every first
// screen is still, so two captures taken apart can be compared.
constexpr int kCols = 200, kRows = 50;
constexpr int kStillCols = 100, kStillRows = 30;

// Where tests/install_agents.sh put the CLIs.
fs::path agents_bin_dir() {
  if (const char* c = getenv("AMUX_NPM_CACHE"); c && *c) return fs::path(c) / "node_modules" / ".bin";
  const char* home = getenv("HOME");
  return fs::path(home ? home : "/root") / ".cache" / "amux" / "agents" / "node_modules" / ".bin";
}

std::string cli(const std::string& name) {
  fs::path p = agents_bin_dir() / name;
  EXPECT_TRUE(fs::exists(p)) << p << " is missing: run `make agents` (tests/install_agents.sh)";
  return p.string();
}

// Trailing blanks of each line and trailing blank lines dropped.
std::string normalize(const std::string& text) {
  std::istringstream in(text);
  std::string line, out;
  std::vector<std::string> lines;
  while (std::getline(in, line)) {
    while (!line.empty() && line.back() == ' ') line.pop_back();
    lines.push_back(line);
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  for (auto& l : lines) out += l + "\n";
  return out;
}

// A private amux instance whose sessions find the npm CLIs on PATH, with a
// fresh HOME (no login, no settings of the person running the tests) and a
// plain working directory.
class RealEnv {
 public:
  explicit RealEnv(int cols = kCols, int rows = kRows) {
    char tmpl[] = "/tmp/amux-real-XXXXXX";
    root_ = fs::canonical(mkdtemp(tmpl));
    fs::create_directories(home());
    fs::create_directories(work());
    env_.write_config("[session]\nrows = " + std::to_string(rows) + "\ncols = " + std::to_string(cols) + "\n");
    vars_ = env_.env();
    const char* path = getenv("PATH");
    vars_["PATH"] = agents_bin_dir().string() + ":" + (path ? path : "/usr/local/bin:/usr/bin:/bin");
    vars_["HOME"] = home().string();
    vars_["TERM"] = "xterm-256color";
    vars_["DISABLE_AUTOUPDATER"] = "1";
  }
  ~RealEnv() {
    run_process({amux_bin(), "daemon", "stop"}, vars_, "", 15000);
    kill_left_behind();
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  // Codex starts a background app-server from $HOME/.codex that outlives
  // it; end every process this test's root started that is still running.
  void kill_left_behind() const {
    for (int round = 0; round < 2; ++round) {
      std::error_code ec;
      for (auto& d : fs::directory_iterator("/proc", ec)) {
        std::string name = d.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream in(d.path() / "cmdline");
        std::string cmd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (cmd.find(root_.string() + "/") != std::string::npos) kill(std::stoi(name), round ? SIGKILL : SIGTERM);
      }
      if (round == 0) std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
  }
  RealEnv(const RealEnv&) = delete;
  RealEnv& operator=(const RealEnv&) = delete;

  fs::path home() const { return root_ / "home"; }
  fs::path work() const { return root_ / "work"; }
  const fs::path& root() const { return root_; }

  RunResult amux(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {amux_bin()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, vars_, "", 30000);
  }
  std::string dispatch(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--bg", "--cwd", work().string()});
    return dispatched_id(amux(args));
  }
  std::string field(const std::string& id, const std::string& key) const { return env_.record_field(id, key); }
  std::string capture(const std::string& id) const { return amux({"capture", id}).out; }
  bool wait_capture(const std::string& id, const std::string& text, int timeout_ms = 30000) const {
    return wait_until([&] { return capture(id).find(text) != std::string::npos; }, timeout_ms);
  }
  // Wait until the record says `state`; the last state seen in *last.
  bool wait_state(const std::string& id, const std::string& state, int timeout_ms, std::string* last = nullptr) const {
    std::string st;
    bool ok = wait_until([&] { return (st = field(id, "state")) == state; }, timeout_ms);
    if (last) *last = st;
    return ok;
  }
  // Wait until the screen stops changing (a person reads before typing;
  // codex takes keys that come right after a change as part of a paste).
  void settle(const std::string& id) const {
    std::string last;
    int same = 0;
    wait_until([&] {
      std::string now = capture(id);
      same = now == last ? same + 1 : 0;
      last = now;
      if (same < 4) std::this_thread::sleep_for(std::chrono::milliseconds(200));
      return same >= 4;
    }, 20000);
  }
  // Raw keys into the session, as a person at the keyboard would type them.
  void keys(const std::string& id, const std::string& data) const {
    amux::mux::HostClient hc;
    std::string err = hc.connect(field(id, "socket"), 5000);
    ASSERT_EQ(err, "") << "cannot reach the host of " << id;
    auto r = hc.request({{"op", "input"}, {"data", data}}, 5000);
    ASSERT_TRUE(r.value("ok", false)) << r.dump();
  }
  std::string explain(const std::string& id) const {
    return "state " + field(id, "state") + ", waitingFor " + field(id, "waitingFor") + ", detail '" +
           field(id, "detail") + "'\n" + capture(id);
  }

 private:
  AmuxEnv env_;
  fs::path root_;
  std::map<std::string, std::string> vars_;
};

const std::string kDown = "\x1b[B";

// Claude Code shows its onboarding (theme, login) before anything else and
// exits when it cannot reach its servers; a HOME that finished onboarding
// goes straight to the folder trust question. Nothing is marked trusted.
void claude_onboarded(const RealEnv& e) {
  std::ofstream(e.home() / ".claude.json") << "{\"hasCompletedOnboarding\": true}\n";
}

// Answers Claude's trust question with "Yes, I trust this folder" once its
// screen has settled (Claude ignores keys that arrive mid-redraw).
void trust_folder(RealEnv& e, const std::string& id) {
  e.settle(id);
  e.keys(id, kDown);
  ASSERT_TRUE(e.wait_capture(id, "❯ Yes, I trust")) << e.explain(id);
  e.settle(id);
  e.keys(id, "\r");
}

}  // namespace

// Claude: trust question → blocked; "Yes, I trust this folder" → the prompt
// is sent, the turn fails (not logged in) → blocked with the error, never
// stuck at working.
TEST(RealAgents, ClaudeTrustThenLoginRequired) {
  RealEnv e;
  cli("claude");
  claude_onboarded(e);
  std::string id = e.dispatch({"--agent", "claude", "say hello"});
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(e.wait_capture(id, "Quick safety check")) << e.explain(id);
  std::string st;
  ASSERT_TRUE(e.wait_state(id, "blocked", 20000, &st)) << e.explain(id);
  EXPECT_TRUE(wait_until([&] { return e.field(id, "detail").find("Quick safety check") != std::string::npos; }, 15000))
      << e.explain(id);
  EXPECT_NE(e.field(id, "waitingFor"), "");

  ASSERT_NO_FATAL_FAILURE(trust_folder(e, id));
  // The footer says "Not logged in" at once; the failed turn says
  // "Please run /login" when it ends.
  ASSERT_TRUE(e.wait_capture(id, "Please run /login")) << e.explain(id);
  // The failed turn ends blocked (the person must log in), with the error.
  // The trust question left the session blocked (for permission), so wait
  // for the state the failed turn reports, not just any blocked.
  EXPECT_TRUE(wait_until([&] { return e.field(id, "state") == "blocked" && e.field(id, "waitingFor") == "login"; },
                         20000))
      << e.explain(id);
  std::string detail = e.field(id, "detail");
  EXPECT_NE(detail.find("log"), std::string::npos) << e.explain(id);
  // And it stays there: a barrier (the capture shows the turn is over and
  // the host has written its record since) before asserting no change.
  ASSERT_TRUE(e.wait_capture(id, "resend your message")) << e.explain(id);
  EXPECT_EQ(e.field(id, "state"), "blocked") << e.explain(id);
}

// Claude stopped at its trust question has saved no conversation, so
// `--resume` would fail ("No conversation found") and lose the prompt:
// respawn runs the start command with the original prompt instead.
TEST(RealAgents, ClaudeRespawnStartsAgainUntilAConversationIsSaved) {
  RealEnv e;
  cli("claude");
  claude_onboarded(e);
  std::string id = e.dispatch({"--agent", "claude", "say hello"});
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(e.wait_capture(id, "Quick safety check")) << e.explain(id);
  const std::string uuid = e.field(id, "sessionId");
  const std::string first_pid = e.field(id, "pid");
  auto r = e.amux({"respawn", id});
  ASSERT_EQ(r.rc, 0) << r.err;
  ASSERT_TRUE(wait_until([&] {
    std::string p = e.field(id, "pid");
    return !p.empty() && p != "0" && p != first_pid;
  }, 20000)) << e.explain(id);
  const std::string pid = e.field(id, "pid");
  std::ifstream in("/proc/" + pid + "/cmdline");
  std::string cmd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (char& c : cmd)
    if (c == '\0') c = ' ';
  EXPECT_NE(cmd.find("--session-id " + uuid), std::string::npos) << cmd;
  EXPECT_NE(cmd.find("say hello"), std::string::npos) << cmd;
  EXPECT_EQ(cmd.find("--resume"), std::string::npos) << cmd;
  ASSERT_TRUE(e.wait_capture(id, "Quick safety check")) << e.explain(id);
  EXPECT_EQ(e.capture(id).find("No conversation found"), std::string::npos) << e.explain(id);
  EXPECT_TRUE(e.wait_state(id, "blocked", 20000)) << e.explain(id);

  // Once the prompt went in, Claude has saved the conversation: the next
  // respawn resumes it.
  ASSERT_NO_FATAL_FAILURE(trust_folder(e, id));
  ASSERT_TRUE(e.wait_capture(id, "Not logged in")) << e.explain(id);
  ASSERT_TRUE(e.wait_capture(id, "resend your message")) << e.explain(id);
  r = e.amux({"respawn", id});
  ASSERT_EQ(r.rc, 0) << r.err;
  ASSERT_TRUE(wait_until([&] {
    std::string p = e.field(id, "pid");
    return !p.empty() && p != "0" && p != pid;
  }, 20000)) << e.explain(id);
  std::ifstream in2("/proc/" + e.field(id, "pid") + "/cmdline");
  cmd.assign((std::istreambuf_iterator<char>(in2)), std::istreambuf_iterator<char>());
  for (char& c : cmd)
    if (c == '\0') c = ' ';
  EXPECT_NE(cmd.find("--resume " + uuid), std::string::npos) << cmd;
}

// Codex: its first screen (sign-in choice under the welcome line) reads
// blocked within 5 s of being on screen; the sign-in-another-way screen and
// the API-key field read blocked too, each with its question as detail.
TEST(RealAgents, CodexWelcomeSignInApiKey) {
  RealEnv e;
  cli("codex");
  std::string id = e.dispatch({"--agent", "codex", "say hello"});
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(e.wait_capture(id, "Press enter to continue")) << e.explain(id);
  auto shown = std::chrono::steady_clock::now();
  std::string st;
  ASSERT_TRUE(e.wait_state(id, "blocked", 15000, &st)) << e.explain(id);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - shown);
  EXPECT_LE(took.count(), 5000) << "blocked only after " << took.count() << " ms";
  EXPECT_TRUE(wait_until([&] { return e.field(id, "detail").find("Choose how you want to use Codex") != std::string::npos; }, 15000))
      << e.explain(id);

  e.settle(id);
  e.keys(id, kDown);
  e.keys(id, kDown);
  ASSERT_TRUE(e.wait_capture(id, "> 3. Sign in another way")) << e.explain(id);
  e.settle(id);
  e.keys(id, "\r");
  ASSERT_TRUE(e.wait_capture(id, "Use an OpenAI API key")) << e.explain(id);
  ASSERT_TRUE(wait_until([&] { return e.field(id, "detail").find("Sign in another way") != std::string::npos; }, 15000))
      << e.explain(id);
  EXPECT_EQ(e.field(id, "state"), "blocked") << e.explain(id);

  e.settle(id);
  e.keys(id, "\r");
  ASSERT_TRUE(e.wait_capture(id, "Paste or type your API key")) << e.explain(id);
  ASSERT_TRUE(wait_until([&] { return e.field(id, "detail").find("API key") != std::string::npos; }, 15000))
      << e.explain(id);
  EXPECT_EQ(e.field(id, "state"), "blocked") << e.explain(id);
}

// Gemini: trust question → blocked (detail: the question, not the window
// title); "Trust folder" → the authentication choice → blocked.
TEST(RealAgents, GeminiTrustThenAuth) {
  RealEnv e;
  cli("gemini");
  std::string id = e.dispatch({"--agent", "gemini", "say hello"});
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(e.wait_capture(id, "Do you trust the files in this folder?", 60000)) << e.explain(id);
  std::string st;
  ASSERT_TRUE(e.wait_state(id, "blocked", 20000, &st)) << e.explain(id);
  ASSERT_TRUE(wait_until([&] { return e.field(id, "detail").find("Do you trust the files") != std::string::npos; }, 15000))
      << e.explain(id);

  e.settle(id);
  e.keys(id, "\r");
  ASSERT_TRUE(e.wait_capture(id, "How would you like to authenticate", 60000)) << e.explain(id);
  ASSERT_TRUE(wait_until([&] {
    return e.field(id, "state") == "blocked" &&
           e.field(id, "detail").find("How would you like to authenticate") != std::string::npos;
  }, 20000)) << e.explain(id);
}

// `amux capture` of each CLI's first screen equals a tmux pane running the
// same command at the same size (text; trailing blanks ignored). tmux goes
// first (codex's background server allows one per directory); its settled
// screen is what amux's must come to.
class RealCapture : public ::testing::TestWithParam<std::string> {};

TEST_P(RealCapture, EqualsTmux) {
  const std::string agent = GetParam();
  RealEnv e(kStillCols, kStillRows);
  std::string bin = cli(agent);
  const std::string marker = agent == "claude" ? "Quick safety check"
                             : agent == "codex" ? "Press enter to continue"
                                                : "Do you trust the files in this folder?";
  // Each side its own fresh HOME; the same command, cwd and terminal.
  auto command = [&](const std::string& side) {
    fs::path h = e.root() / ("home-" + side);
    fs::create_directories(h);
    if (agent == "claude") std::ofstream(h / ".claude.json") << "{\"hasCompletedOnboarding\": true}\n";
    return "cd '" + e.work().string() + "' && exec env -u COLORTERM HOME='" + h.string() +
           "' TERM=xterm-256color DISABLE_AUTOUPDATER=1 '" + bin + "'";
  };
  // Settled: the same text, with the marker, on three looks in a row.
  auto settle = [](const std::function<std::string()>& look, const std::string& marker, std::string* out) {
    int same = 0;
    std::string last;
    bool ok = wait_until([&] {
      std::string now = normalize(look());
      same = (now == last && now.find(marker) != std::string::npos) ? same + 1 : 0;
      last = now;
      return same >= 3;
    }, 60000);
    *out = last;
    return ok;
  };
  std::string want, got;
  {
    Tmux t(kStillCols, kStillRows, command("tmux"));
    ASSERT_TRUE(settle([&] { return t.capture(); }, marker, &want)) << "tmux:\n" << want;
  }
  e.kill_left_behind();
  // gemini prints its tips and an info line above the trust box, or not,
  // depending on how fast it loads its settings (seen under a sanitizer's
  // load): for it, the box and everything below must be equal.
  auto region = [&](const std::string& screen) {
    if (agent != "gemini") return screen;
    size_t box = screen.find("\xe2\x95\xad");  // ╭
    size_t line = box == std::string::npos ? 0 : screen.rfind('\n', box);
    return line == std::string::npos ? screen : screen.substr(line);
  };
  want = region(want);
  std::string id = e.dispatch({"--exec", command("amux")});
  ASSERT_FALSE(id.empty());
  bool ok = wait_until([&] { return (got = region(normalize(e.capture(id)))) == want; }, 60000);
  EXPECT_TRUE(ok) << "amux:\n" << got << "\ntmux:\n" << want;
  EXPECT_EQ(got, want);
}

INSTANTIATE_TEST_SUITE_P(Agents, RealCapture, ::testing::Values("claude", "codex", "gemini"));
