// Tests for src/mux/store/session_env.cpp: which variables of the dispatching
// command reach a session, what amux sets on top, the profile's `env` keys,
// and the stored file (exact bytes, mode 0600).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "mux/store/atomic_file.h"
#include "mux/store/session_env.h"

using namespace amux::mux;
namespace fs = std::filesystem;

namespace {

struct TempPaths {
  Paths paths;
  TempPaths() {
    char tmpl[] = "/tmp/amux-senv-XXXXXX";
    paths.config_dir = fs::canonical(mkdtemp(tmpl)).string();
    paths.socket_dir = paths.config_dir + "/s";
  }
  ~TempPaths() {
    std::error_code ec;
    fs::remove_all(paths.config_dir, ec);
  }
};

bool has(const std::vector<std::string>& env, const std::string& entry) {
  return std::find(env.begin(), env.end(), entry) != env.end();
}

bool has_key(const std::vector<std::string>& env, const std::string& key) {
  return std::any_of(env.begin(), env.end(), [&](const std::string& e) { return e.rfind(key + "=", 0) == 0; });
}

}  // namespace

TEST(SessionEnv, OuterTerminalAndMultiplexerVariablesAreLeftOut) {
  for (const char* k : {"TERM", "COLUMNS", "LINES", "TMUX", "TMUX_PANE", "STY", "AMUX_SESSION", "AMUX_CONFIG_DIR",
                        "AMUX_JOB_DIR", "AMUX_ANYTHING"})
    EXPECT_TRUE(is_outer_variable(k)) << k;
  for (const char* k : {"PATH", "HOME", "TERMINFO", "VIRTUAL_ENV", "ANTHROPIC_API_KEY", "TMUXP", "XAMUX_A"})
    EXPECT_FALSE(is_outer_variable(k)) << k;
}

TEST(SessionEnv, ProgramEnvironmentIsTheCallersPlusAmuxsOwn) {
  TempPaths t;
  std::vector<std::string> caller = {"PATH=/home/u/.nvm/bin:/usr/bin", "FOO=bar", "TERM=screen", "COLUMNS=33",
                                     "TMUX=/tmp/tmux-1/default,2,0", "AMUX_SESSION=outer", "EMPTY=", "noequals",
                                     "MULTI=a=b"};
  auto env = session_environment(caller, {"FOO=from-profile", "NODE_OPTIONS=--x", "PATH"}, t.paths, "0123abcd");
  EXPECT_TRUE(has(env, "FOO=from-profile"));     // the profile's env on top
  EXPECT_TRUE(has(env, "NODE_OPTIONS=--x"));
  EXPECT_FALSE(has_key(env, "PATH"));            // a bare key unsets
  EXPECT_TRUE(has(env, "EMPTY="));
  EXPECT_TRUE(has(env, "MULTI=a=b"));
  EXPECT_FALSE(has(env, "noequals"));
  EXPECT_FALSE(has_key(env, "COLUMNS"));
  EXPECT_FALSE(has_key(env, "TMUX"));
  EXPECT_TRUE(has(env, "TERM=xterm-256color"));
  EXPECT_TRUE(has(env, "AMUX_SESSION=0123abcd"));
  EXPECT_TRUE(has(env, "AMUX_CONFIG_DIR=" + t.paths.config_dir));
  EXPECT_TRUE(has(env, "AMUX_JOB_DIR=" + t.paths.config_dir + "/jobs/0123abcd"));
  EXPECT_EQ(std::count_if(env.begin(), env.end(), [](auto& e) { return e.rfind("TERM=", 0) == 0; }), 1);
}

TEST(SessionEnv, StoredFileKeepsEveryByteAndIsPrivate) {
  TempPaths t;
  ASSERT_EQ(make_dirs(t.paths.job_dir("0123abcd")), 0);
  std::vector<std::string> env = {"A=1", "NL=line1\nline2", "UTF=é✓", "EMPTY="};
  ASSERT_EQ(save_session_env(t.paths, "0123abcd", env), 0);
  struct stat st {};
  ASSERT_EQ(stat(session_env_file(t.paths, "0123abcd").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto back = load_session_env(t.paths, "0123abcd");
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, env);
  EXPECT_FALSE(load_session_env(t.paths, "ffffffff").has_value());
}
