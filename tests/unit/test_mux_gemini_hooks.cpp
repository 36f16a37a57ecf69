// Tests for the Gemini CLI hook settings (src/mux/agents/gemini_hooks.cpp): the
// hooks it installs, the machine's system settings kept, and no file where
// gemini would refuse it (a directory others may write to above it).
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "mux/agents/gemini_hooks.h"

using namespace amux::mux;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {
// A private directory (mode 0700) under one that is not group/other
// writable when the machine allows it: $HOME, else the current directory.
struct PrivateDir {
  fs::path path;
  PrivateDir() {
    const char* home = getenv("HOME");
    std::string base = home && private_path(std::string(home) + "/x") ? home : fs::current_path().string();
    std::string tmpl = base + "/.amux-gemini-test-XXXXXX";
    path = mkdtemp(tmpl.data());
    chmod(path.c_str(), 0700);
  }
  ~PrivateDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};
json slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str(), nullptr, false);
}
}  // namespace

TEST(GeminiHooks, EveryTurnEventCallsNotifyHook) {
  json s = gemini_hooks_settings("/opt/my amux/amux");
  for (const char* ev : {"BeforeAgent", "AfterAgent", "Notification", "SessionEnd"}) {
    ASSERT_TRUE(s["hooks"].contains(ev)) << ev;
    std::string cmd = s["hooks"][ev][0]["hooks"][0]["command"];
    EXPECT_EQ(cmd.rfind("'/opt/my amux/amux' notify --hook gemini", 0), 0u) << cmd;
    EXPECT_NE(cmd.find("|| true"), std::string::npos);
    EXPECT_FALSE(s["hooks"][ev][0]["hooks"][0].contains("timeout"));  // gemini's is in ms: keep its default
  }
}

TEST(GeminiHooks, SystemSettingsKeptAndPointedAt) {
  PrivateDir d;
  if (!private_path((d.path / "x").string())) FAIL() << d.path << " has a group/other-writable parent";
  std::ofstream(d.path / "system.json") << R"({"general": {"vimMode": true},
    "hooks": {"AfterAgent": [{"hooks": [{"type": "command", "command": "say done"}]}]}})";
  auto env = write_gemini_settings((d.path / "job").string(), "/a/amux", (d.path / "system.json").string(),
                                   (d.path / "system-defaults.json").string());
  fs::path file = d.path / "job" / "gemini-settings.json";
  EXPECT_EQ(env, (std::vector<std::string>{"GEMINI_CLI_SYSTEM_SETTINGS_PATH=" + file.string(),
                                           "GEMINI_CLI_SYSTEM_DEFAULTS_PATH=" + (d.path / "system-defaults.json").string()}));
  json j = slurp(file);
  EXPECT_EQ(j["general"]["vimMode"], true);
  ASSERT_EQ(j["hooks"]["AfterAgent"].size(), 2u);
  EXPECT_EQ(j["hooks"]["AfterAgent"][0]["hooks"][0]["command"], "say done");
  EXPECT_TRUE(j["hooks"].contains("BeforeAgent"));
  struct stat st;
  ASSERT_EQ(stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // No system settings file: just ours.
  env = write_gemini_settings((d.path / "job2").string(), "/a/amux", (d.path / "none.json").string(), "");
  EXPECT_EQ(env.size(), 2u);
  EXPECT_TRUE(slurp(d.path / "job2" / "gemini-settings.json")["hooks"].contains("AfterAgent"));
}

TEST(GeminiHooks, NoneUnderADirectoryOthersMayWrite) {
  // Gemini would skip the file and print a warning over its screen.
  char tmpl[] = "/tmp/amux-gemini-XXXXXX";
  fs::path dir = mkdtemp(tmpl);
  EXPECT_FALSE(private_path((dir / "job" / "gemini-settings.json").string()));
  auto env = write_gemini_settings((dir / "job").string(), "/a/amux", "", "");
  EXPECT_TRUE(env.empty());
  EXPECT_FALSE(fs::exists(dir / "job" / "gemini-settings.json"));
  fs::remove_all(dir);
}
