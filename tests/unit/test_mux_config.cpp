// Tests for config.toml parsing (src/mux/store/config.cpp).
#include <gtest/gtest.h>

#include "mux/store/config.h"

using namespace amux::mux;

TEST(Config, DefaultsWhenEmpty) {
  Config c = parse_config("", "c.toml");
  EXPECT_EQ(c.scrollback_lines, 10000u);
  EXPECT_EQ(c.rows, 50);
  EXPECT_EQ(c.cols, 200);
  EXPECT_DOUBLE_EQ(c.shell_linger, 300);
  EXPECT_TRUE(c.warnings.empty());
}

TEST(Config, ReadsEveryTable) {
  Config c = parse_config(
      "default_agent = \"codex\"\n[session]\nscrollback_lines = 500\nrows = 30\ncols = 100\n"
      "[reap]\nshell_linger = 1.5\nidle_agent = 10\nempty_row = 2\nstopped_linger = 3\n"
      "[worktree]\nbg_isolation = \"none\"\n[view]\ndisable_agent_view = true\nbell_on_blocked = false\n",
      "c.toml");
  EXPECT_EQ(c.default_agent, "codex");
  EXPECT_EQ(c.scrollback_lines, 500u);
  EXPECT_EQ(c.rows, 30);
  EXPECT_DOUBLE_EQ(c.shell_linger, 1.5);
  EXPECT_DOUBLE_EQ(c.idle_agent, 10);
  EXPECT_EQ(c.bg_isolation, "none");
  EXPECT_TRUE(c.disable_agent_view);
  EXPECT_FALSE(c.bell_on_blocked);
}

TEST(Config, ErrorsNameFileLineAndKey) {
  try {
    parse_config("\n\n[reap]\nshell_linger = \"soon\"\n", "/x/config.toml");
    FAIL();
  } catch (const ConfigError& e) {
    std::string w = e.what();
    EXPECT_NE(w.find("/x/config.toml:4"), std::string::npos) << w;
    EXPECT_NE(w.find("reap.shell_linger"), std::string::npos) << w;
  }
  try {
    parse_config("[session\n", "c.toml");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("c.toml:1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_config("[session]\nrows = -3\n", "c.toml"), ConfigError);
  EXPECT_THROW(parse_config("[worktree]\nbg_isolation = \"maybe\"\n", "c.toml"), ConfigError);
}

// Synchronized output, copy mode's clipboard and the mouse wheel.
TEST(Config, SyncClipboardMouse) {
  Config d = parse_config("", "c.toml");
  EXPECT_EQ(d.sync_output, "auto");
  EXPECT_EQ(d.sync_hold_ms, 1000);
  EXPECT_EQ(d.clipboard, "off");
  EXPECT_TRUE(d.mouse);
  Config c = parse_config("sync_output = \"on\"\nsync_hold_ms = 300\nclipboard = \"osc52\"\nmouse = false\n", "c.toml");
  EXPECT_EQ(c.sync_output, "on");
  EXPECT_EQ(c.sync_hold_ms, 300);
  EXPECT_EQ(c.clipboard, "osc52");
  EXPECT_FALSE(c.mouse);
  EXPECT_TRUE(c.warnings.empty());
  EXPECT_THROW(parse_config("sync_output = \"yes\"\n", "c.toml"), ConfigError);
  EXPECT_THROW(parse_config("clipboard = \"x11\"\n", "c.toml"), ConfigError);
  EXPECT_THROW(parse_config("sync_hold_ms = 100000\n", "c.toml"), ConfigError);
}

TEST(Config, EscapeTimeAndStateHold) {
  Config d = parse_config("", "c.toml");
  EXPECT_EQ(d.escape_time_ms, 20);
  EXPECT_EQ(d.state_hold_ms, 2000);
  Config c = parse_config("escape_time_ms = 0\nstate_hold_ms = 500\n", "c.toml");
  EXPECT_EQ(c.escape_time_ms, 0);
  EXPECT_EQ(c.state_hold_ms, 500);
  EXPECT_TRUE(c.warnings.empty());
  auto error = [](const std::string& text) -> std::string {
    try {
      parse_config(text, "/x/config.toml");
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  };
  std::string e = error("escape_time_ms = -1\n");
  EXPECT_NE(e.find("/x/config.toml:1: escape_time_ms: must not be negative"), std::string::npos) << e;
  e = error("\nescape_time_ms = \"fast\"\n");
  EXPECT_NE(e.find("/x/config.toml:2: escape_time_ms: expected an integer"), std::string::npos) << e;
  e = error("escape_time_ms = 60000\n");
  EXPECT_NE(e.find("escape_time_ms: must be between 0 and 5000 ms"), std::string::npos) << e;
  e = error("state_hold_ms = 99999999999\n");
  EXPECT_NE(e.find("state_hold_ms: too large"), std::string::npos) << e;
  e = error("state_hold_ms = 700000\n");
  EXPECT_NE(e.find("state_hold_ms: must be between 0 and 600000 ms"), std::string::npos) << e;
  e = error("state_hold_ms = true\n");
  EXPECT_NE(e.find("state_hold_ms: expected an integer"), std::string::npos) << e;
}

TEST(Config, UnknownKeysAreWarnings) {
  Config c = parse_config("colour = 3\n[session]\nrowz = 3\n", "c.toml");
  ASSERT_EQ(c.warnings.size(), 2u);
  EXPECT_NE(c.warnings[0].find("colour"), std::string::npos);
  EXPECT_NE(c.warnings[1].find("session.rowz"), std::string::npos);
}

TEST(Config, ShippedFileParsesClean) {
  // conf/config.toml must parse with no warnings.
  std::string dir = getenv("AMUX_SOURCE_DIR") ? getenv("AMUX_SOURCE_DIR") : ".";
  Config c = load_config(dir + "/conf/config.toml");
  EXPECT_TRUE(c.warnings.empty());
  EXPECT_EQ(c.scrollback_lines, 10000u);
}
