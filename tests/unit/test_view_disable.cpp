// Unit tests for turning the agent view off: the environment variable, a
// managed settings file, and the user's config, in that order of strength.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "mux/store/config.h"
#include "view/agent_view.h"

using amux::view::agent_view_disabled;

namespace {
struct TempDir {
  std::string path;
  TempDir() {
    char t[] = "/tmp/amux-viewoff.XXXXXX";
    path = mkdtemp(t);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};
}  // namespace

TEST(ViewDisable, OnByDefault) {
  unsetenv("AMUX_DISABLE_AGENT_VIEW");
  amux::mux::Config c;
  EXPECT_EQ(agent_view_disabled(c, "/nonexistent/managed.toml"), "");
}

TEST(ViewDisable, EnvironmentVariable) {
  amux::mux::Config c;
  setenv("AMUX_DISABLE_AGENT_VIEW", "1", 1);
  EXPECT_NE(agent_view_disabled(c, "/nonexistent/managed.toml").find("AMUX_DISABLE_AGENT_VIEW"), std::string::npos);
  setenv("AMUX_DISABLE_AGENT_VIEW", "0", 1);
  EXPECT_EQ(agent_view_disabled(c, "/nonexistent/managed.toml"), "");
  unsetenv("AMUX_DISABLE_AGENT_VIEW");
}

TEST(ViewDisable, ManagedFileAndUserConfig) {
  unsetenv("AMUX_DISABLE_AGENT_VIEW");
  TempDir d;
  std::string managed = d.path + "/managed.toml";
  std::ofstream(managed) << "[view]\ndisable_agent_view = true\n";
  amux::mux::Config c;
  EXPECT_NE(agent_view_disabled(c, managed).find(managed), std::string::npos);
  std::ofstream(managed) << "[view]\ndisable_agent_view = false\n";
  EXPECT_EQ(agent_view_disabled(c, managed), "");
  std::ofstream(managed) << "this is not toml [";
  EXPECT_EQ(agent_view_disabled(c, managed), "");  // a broken file does not turn it off
  c.disable_agent_view = true;
  EXPECT_NE(agent_view_disabled(c, managed).find("config.toml"), std::string::npos);
}
