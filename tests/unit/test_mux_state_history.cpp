// The bounded history `amux explain` reads (state_history.h), the screen
// match that names its pattern and line (screen_patterns.h), and the
// notification keys of config.toml.
#include <gtest/gtest.h>

#include "mux/agents/screen_patterns.h"
#include "mux/agents/state_history.h"
#include "mux/store/config.h"

using namespace amux::mux;

TEST(StateHistory, KeepsTheLastTenOldestFirst) {
  StateHistory h;
  for (int i = 0; i < 13; ++i) {
    StateTransition t;
    t.state = i % 2 ? SessionState::Blocked : SessionState::Working;
    t.source = "probe";
    t.evidence = "n" + std::to_string(i);
    t.at = i;
    h.add(t);
  }
  ASSERT_EQ(h.entries().size(), StateHistory::kKeep);
  EXPECT_EQ(h.entries().front().evidence, "n3");
  EXPECT_EQ(h.entries().back().evidence, "n12");
  auto j = h.to_json();
  auto back = StateHistory::from_json(j);
  EXPECT_EQ(back.to_json(), j);
  EXPECT_EQ(j[1]["state"], "working");
  EXPECT_EQ(j[0]["waitingFor"], nullptr);
}

TEST(StateHistory, SkipsWhatDoesNotParse) {
  nlohmann::json j = nlohmann::json::array({{{"state", "sleepy"}}, 3, {{"state", "idle"}, {"at", "x"}},
                                            {{"state", "done"}, {"source", "exit"}, {"at", 5}}});
  auto h = StateHistory::from_json(j);
  ASSERT_EQ(h.entries().size(), 1u);
  EXPECT_EQ(h.entries()[0].state, SessionState::Done);
}

TEST(ScreenMatch, NamesThePatternAndTheLine) {
  ScreenPatterns p;
  p.working.push_back(make_screen_pattern("esc to interrupt"));
  p.blocked.push_back(make_screen_pattern("Do you want"));
  auto m = match_screen_line(p, {"header", "  Do you want to proceed?", "esc to interrupt"});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->state, SessionState::Blocked);  // blocked wins, as match_screen
  EXPECT_EQ(m->pattern, "Do you want");
  EXPECT_EQ(m->line, "  Do you want to proceed?");
  EXPECT_FALSE(match_screen_line(p, {"nothing here"}));
}

TEST(NotifyConfig, ModesAndCommand) {
  auto c = parse_config("notify = \"osc9\"\nnotify_command = [\"notify-send\", \"{name}\"]\n", "t.toml");
  EXPECT_EQ(c.notify, "osc9");
  EXPECT_EQ(c.notify_command, (std::vector<std::string>{"notify-send", "{name}"}));
  EXPECT_TRUE(c.warnings.empty());
  EXPECT_EQ(parse_config("", "t.toml").notify, "bell");
  EXPECT_THROW(parse_config("notify = \"loud\"\n", "t.toml"), ConfigError);
  EXPECT_THROW(parse_config("notify_command = \"notify-send\"\n", "t.toml"), ConfigError);
  EXPECT_THROW(parse_config("notify_command = [1]\n", "t.toml"), ConfigError);
}
