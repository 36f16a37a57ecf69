// fuzz_config.cpp — the TOML files a person or a cloned project writes:
// config.toml, keymap.toml and agents.toml (layered over the shipped one).
//
// Why: a typo or a hostile project file (<repo>/.amux/agents.toml comes
// with any clone; of an untrusted one only descriptions, patterns and
// settle_ms apply) must give a one-line error naming the file, never a
// crash. Every profile that loads is then used as amux uses it: start and
// resume argv, environment and resume_if expanded, its screen patterns
// matched over recorded screen lines and round-tripped through the JSON the
// host gets.
//
// Input: [selector] then the TOML text. Selector % 4: 0 config.toml,
// 1 keymap.toml, 2 a user agents.toml, 3 an untrusted project agents.toml.
#include <fstream>
#include <iterator>
#include <string>

#include "fuzz/fuzz_check.h"
#include "keymap/chord.h"
#include "keymap/keymap_table.h"
#include "mux/agents/agent_profile.h"
#include "mux/store/config.h"

namespace fuzz_config {

using namespace amux::mux;

const std::vector<std::string>& screen_lines() {
  static const std::vector<std::string> lines = {
      "╭───────────────────────────────────────────────╮",
      "│ ✻ Welcome to Claude Code!                     │",
      "> fix the flaky test",
      "✶ Thinking… (3s · esc to interrupt)",
      "Do you want to proceed?",
      "❯ 1. Yes   2. No, and tell Claude what to do differently (esc)",
      "  ? for shortcuts",
      "",
  };
  return lines;
}

void use_profile(const AgentProfile& p, uint8_t sel) {
  DispatchSpec s;
  s.agent = p.name;
  s.prompt = "fix the flaky test";
  s.session_uuid = "0d9f1c1e-2f7a-4c1b-9b55-1f2e3d4c5b6a";
  if (sel & 8) s.model = "m";
  if (sel & 16) s.permission_mode = "plan";
  if (sel & 32) s.extra_args = {"--verbose"};
  try {
    auto argv = build_start_argv(p, s);
    (void)build_resume_argv(p, s);
    for (const auto& a : argv) (void)a.size();
  } catch (const ProfileError&) {
  }
  (void)build_env(p, s);
  (void)build_resume_if(p, s.session_uuid, "/home/u/repo", {"HOME=/home/u"});
  (void)p.can(AgentOption::Model);
  ScreenPatterns sp = p.screen_patterns();
  (void)match_screen(sp, screen_lines());
  (void)question_line(sp, screen_lines());
  // What the launcher hands the host reads back the same.
  ScreenPatterns back = screen_patterns_from_json(screen_patterns_to_json(sp));
  FUZZ_CHECK(back.working.size() == sp.working.size() && back.blocked.size() == sp.blocked.size() &&
                 back.idle.size() == sp.idle.size() && back.settle_ms == sp.settle_ms,
             "screen patterns round trip");
}

}  // namespace fuzz_config

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace amux::mux;
  amux::fuzz::Bytes in(data, size);
  const uint8_t sel = in.byte();
  const std::string text(in.rest());
  switch (sel % 4) {
    case 0:
      try {
        Config c = parse_config(text, "config.toml");
        FUZZ_CHECK(c.rows > 0 && c.cols > 0, "a screen size that is not positive");
      } catch (const ConfigError& e) {
        FUZZ_CHECK(std::string(e.what()).rfind("config.toml", 0) == 0, std::string("error without the file: ") + e.what());
      }
      break;
    case 1:
      try {
        auto t = amux::keymap::KeymapTable::defaults();
        t.merge_toml(text, "keymap.toml");
        for (const char* ctx : {"attach", "view"}) amux::keymap::ChordMatcher m(t.bindings(ctx));
      } catch (const amux::keymap::KeymapError& e) {
        FUZZ_CHECK(std::string(e.what()).find("keymap.toml") != std::string::npos,
                   std::string("error without the file: ") + e.what());
      } catch (const std::invalid_argument&) {
        FUZZ_CHECK(false, "a keymap that loaded has a key the matcher refuses");
      }
      break;
    default: {
      static const std::string shipped = [] {
        std::string path = find_shipped_agents_file();
        FUZZ_CHECK(!path.empty(), "conf/agents.toml not found");
        std::ifstream f(path);
        return std::string(std::istreambuf_iterator<char>(f), {});
      }();
      try {
        ProfileSet set = ProfileSet::from_sources({{"agents.toml", shipped}, {"user.toml", text}},
                                                  sel % 4 == 3 ? 1 : SIZE_MAX);
        (void)set.trust_notice();
        for (const AgentProfile& p : set.profiles()) fuzz_config::use_profile(p, sel);
        try {
          (void)default_agent("", set, "/nonexistent");
        } catch (const ProfileError&) {
        }
      } catch (const ProfileError& e) {
        FUZZ_CHECK(std::string(e.what()).find(".toml") != std::string::npos,
                   std::string("error without the file: ") + e.what());
      }
    }
  }
  return 0;
}
