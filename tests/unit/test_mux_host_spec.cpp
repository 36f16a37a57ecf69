// Tests for what a session host is handed instead of reading TOML
// (src/mux/store/host_spec.cpp, src/mux/agents/screen_patterns.cpp) and for how the
// launcher resolves it (resolve_host_spec in src/mux/daemon/host_launcher.cpp).
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "mux/agents/agent_profile.h"
#include "mux/store/config.h"
#include "mux/daemon/host_launcher.h"
#include "mux/store/host_spec.h"
#include "mux/agents/screen_patterns.h"

using namespace amux::mux;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct TempConfig {
  fs::path dir;
  Paths paths;
  TempConfig() {
    char tmpl[] = "/tmp/amux-host-spec-XXXXXX";
    dir = mkdtemp(tmpl);
    paths.config_dir = dir.string();
    paths.socket_dir = dir.string();
  }
  ~TempConfig() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  void write(const std::string& name, const std::string& text) const {
    fs::create_directories((dir / name).parent_path());
    std::ofstream(dir / name) << text;
  }
};

std::vector<std::string> sources(const std::vector<ScreenPattern>& v) {
  std::vector<std::string> out;
  for (auto& p : v) out.push_back(p.source);
  return out;
}

SessionRecord agent_record(const std::string& agent, const std::string& cwd) {
  SessionRecord r;
  r.id = "abcd0123";
  r.kind = "agent";
  r.agent = agent;
  r.cwd = cwd;
  return r;
}

}  // namespace

TEST(HostSpec, JsonRoundTripKeepsSettingsAndCompilesPatterns) {
  HostSpec s;
  s.scrollback_lines = 1234;
  s.shell_linger = 1.5;
  s.stopped_linger = 2.5;
  s.idle_agent = 60;
  s.screen.settle_ms = 250;
  s.screen.working = {make_screen_pattern("esc to interrupt")};
  s.screen.blocked = {make_screen_pattern("Do you want to (proceed|run)"), make_screen_pattern("❯\\s*1\\.\\s*Yes")};
  s.screen.idle = {make_screen_pattern("^\\s*>\\s*$")};
  s.screen_note = "something to log";

  HostSpec r = host_spec_from_json(json::parse(host_spec_to_json(s).dump()));
  EXPECT_EQ(r.scrollback_lines, 1234u);
  EXPECT_DOUBLE_EQ(r.shell_linger, 1.5);
  EXPECT_DOUBLE_EQ(r.stopped_linger, 2.5);
  EXPECT_DOUBLE_EQ(r.idle_agent, 60);
  EXPECT_EQ(r.screen.settle_ms, 250);
  EXPECT_EQ(sources(r.screen.working), sources(s.screen.working));
  EXPECT_EQ(sources(r.screen.blocked), sources(s.screen.blocked));
  EXPECT_EQ(sources(r.screen.idle), sources(s.screen.idle));
  EXPECT_EQ(r.screen_note, "something to log");
  // The regexes came back compiled: blocked wins over working over idle.
  EXPECT_EQ(match_screen(r.screen, {"  esc to interrupt", " ❯ 1. Yes"}), SessionState::Blocked);
  EXPECT_EQ(match_screen(r.screen, {"  esc to interrupt", " > "}), SessionState::Working);
  EXPECT_EQ(match_screen(r.screen, {"output", "  >  "}), SessionState::Idle);
  EXPECT_EQ(match_screen(r.screen, {"$ make"}), std::nullopt);
}

TEST(HostSpec, EmptyJsonMeansDefaults) {
  HostSpec d;
  HostSpec r = host_spec_from_json(json::object());
  EXPECT_EQ(r.scrollback_lines, d.scrollback_lines);
  EXPECT_DOUBLE_EQ(r.shell_linger, d.shell_linger);
  EXPECT_DOUBLE_EQ(r.idle_agent, d.idle_agent);
  EXPECT_TRUE(r.screen.empty());
  EXPECT_EQ(r.screen.settle_ms, ScreenPatterns{}.settle_ms);
}

TEST(HostSpec, MalformedSpecsNameTheKey) {
  auto error_of = [](const json& j) {
    try {
      host_spec_from_json(j);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_of({{"scrollbackLines", "many"}}).find("scrollbackLines"), std::string::npos);
  EXPECT_NE(error_of({{"scrollbackLines", -1}}).find("scrollbackLines"), std::string::npos);
  EXPECT_NE(error_of({{"idleAgent", true}}).find("idleAgent"), std::string::npos);
  EXPECT_NE(error_of({{"screen", {{"idle", "not a list"}}}}).find("idle"), std::string::npos);
  std::string bad = error_of({{"screen", {{"blocked", {"(unclosed"}}}}});
  EXPECT_NE(bad.find("blocked"), std::string::npos) << bad;
  EXPECT_NE(bad.find("(unclosed"), std::string::npos) << bad;
  EXPECT_EQ(error_of(json::array()), "expected an object");
}

TEST(HostSpec, SaveAndLoadNextToTheRecord) {
  TempConfig t;
  HostSpec s;
  s.scrollback_lines = 77;
  s.screen.idle = {make_screen_pattern("READY")};
  ASSERT_EQ(save_host_spec(t.paths, "abcd0123", s), 0);
  EXPECT_EQ(host_spec_file(t.paths, "abcd0123"), t.dir.string() + "/jobs/abcd0123/host.json");
  std::string err;
  auto r = load_host_spec(t.paths, "abcd0123", &err);
  ASSERT_TRUE(r) << err;
  EXPECT_EQ(r->scrollback_lines, 77u);
  EXPECT_EQ(sources(r->screen.idle), std::vector<std::string>{"READY"});

  EXPECT_FALSE(load_host_spec(t.paths, "ffff0000", &err));
  EXPECT_NE(err.find("ffff0000/host.json"), std::string::npos) << err;
  t.write("jobs/ffff0000/host.json", "{not json");
  EXPECT_FALSE(load_host_spec(t.paths, "ffff0000", &err));
  EXPECT_NE(err.find("host.json"), std::string::npos) << err;
}

TEST(HostSpec, ResolvedFromConfigAndTheAgentsProfile) {
  TempConfig t;
  t.write("config.toml", "[session]\nscrollback_lines = 500\n[reap]\nshell_linger = 7\nidle_agent = 9\nstopped_linger = 8\n");
  // The user's agents.toml overrides the shipped claude patterns key by key.
  t.write("agents.toml", "[claude]\nsettle_ms = 123\n[claude.patterns]\nidle = [\"READY\"]\n");
  HostSpec s = resolve_host_spec(t.paths, agent_record("claude", t.dir.string()));
  EXPECT_EQ(s.scrollback_lines, 500u);
  EXPECT_DOUBLE_EQ(s.shell_linger, 7);
  EXPECT_DOUBLE_EQ(s.idle_agent, 9);
  EXPECT_DOUBLE_EQ(s.stopped_linger, 8);
  EXPECT_EQ(s.screen.settle_ms, 123);
  EXPECT_EQ(sources(s.screen.idle), std::vector<std::string>{"READY"});
  const ProfileSet set = load_profiles(t.paths, t.dir.string());
  EXPECT_EQ(sources(s.screen.blocked), sources(set.get("claude").blocked));
  EXPECT_FALSE(s.screen.blocked.empty());
  EXPECT_TRUE(s.screen_note.empty());

  // A shell job gets no patterns.
  SessionRecord sh = agent_record("shell", t.dir.string());
  sh.kind = "shell";
  EXPECT_TRUE(resolve_host_spec(t.paths, sh).screen.empty());
}

TEST(HostSpec, ABrokenProfileLeavesANoteABrokenConfigIsAnError) {
  TempConfig t;
  t.write("agents.toml", "[claude.patterns]\nidle = [\"(unclosed\"]\n");
  HostSpec s = resolve_host_spec(t.paths, agent_record("claude", t.dir.string()));
  EXPECT_TRUE(s.screen.empty());
  EXPECT_NE(s.screen_note.find("(unclosed"), std::string::npos) << s.screen_note;

  t.write("config.toml", "[session]\nscrollback_lines = \"lots\"\n");
  EXPECT_THROW(resolve_host_spec(t.paths, agent_record("claude", t.dir.string())), ConfigError);
}

TEST(HostSpec, EscapeTimeAndStateHoldReachTheHost) {
  HostSpec d;
  EXPECT_EQ(d.escape_time_ms, 20);
  EXPECT_EQ(d.state_hold_ms, 2000);
  HostSpec s;
  s.escape_time_ms = 5;
  s.state_hold_ms = 750;
  HostSpec r = host_spec_from_json(json::parse(host_spec_to_json(s).dump()));
  EXPECT_EQ(r.escape_time_ms, 5);
  EXPECT_EQ(r.state_hold_ms, 750);
  EXPECT_THROW(host_spec_from_json({{"escapeTimeMs", -1}}), std::runtime_error);
  EXPECT_THROW(host_spec_from_json({{"stateHoldMs", "long"}}), std::runtime_error);

  TempConfig t;
  t.write("config.toml", "escape_time_ms = 7\nstate_hold_ms = 300\n");
  HostSpec f = resolve_host_spec(t.paths, agent_record("claude", t.dir.string()));
  EXPECT_EQ(f.escape_time_ms, 7);
  EXPECT_EQ(f.state_hold_ms, 300);
  t.write("config.toml", "escape_time_ms = -7\n");
  EXPECT_THROW(resolve_host_spec(t.paths, agent_record("claude", t.dir.string())), ConfigError);
}
