// Tests for config.toml parsing (src/mux/config.cpp).
#include <gtest/gtest.h>

#include "mux/config.h"

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
