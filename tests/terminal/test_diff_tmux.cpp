// Terminal test of the agent view's diff key (`diff`, M-d): the view runs in
// a private tmux, leaves the screen for `git diff` of the selected
// session's worktree (through git's pager), waits for a key, and comes back.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/amux_env.h"

using namespace amux::test;

TEST(DiffTmux, ViewKeyShowsTheWorktreeDiffAndComesBack) {
  AmuxEnv env;
  char tmpl[] = "/tmp/amux-vdiff-XXXXXX";
  const std::string repo = mkdtemp(tmpl);
  const std::string ident =
      "GIT_AUTHOR_NAME=t GIT_COMMITTER_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_EMAIL=t@example.com ";
  auto init = run_process({"sh", "-c", "cd " + repo + " && " + ident +
                                           "sh -c 'git init -q && echo one > f.txt && git add f.txt && git commit -qm s'"});
  ASSERT_EQ(init.rc, 0) << init.err;
  std::ofstream(env.config_dir() + "/agents.toml")
      << "[editor]\nbinary = \"/bin/sh\"\n"
         "start = [\"-c\", \"echo from-the-agent >> f.txt && echo new-file-line > n.txt && echo edited; sleep 600\", \"{prompt_args}\"]\n"
         "prompt_args = []\n";
  auto r = env.amux({"--bg", "--agent", "editor", "--cwd", repo, "go"});
  const std::string id = dispatched_id(r);
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(env.wait_capture(id, "edited", 15000));

  Tmux view(120, 40, "cd '" + env.config_dir() + "' && " + env.env_prefix() + ident +
                         "TERM=tmux-256color GIT_PAGER='less' LESS=FRX " + amux_bin() + " agents");
  ASSERT_TRUE(view.wait_for("go", 15000)) << view.capture();
  view.send_keys({"M-d"});
  ASSERT_TRUE(view.wait_for("+new-file-line", 15000)) << view.capture();
  EXPECT_NE(view.capture().find("+from-the-agent"), std::string::npos) << view.capture();
  ASSERT_TRUE(view.wait_for("press any key to return", 10000)) << view.capture();
  view.send_keys({"x"});
  ASSERT_TRUE(view.wait_gone("press any key to return", 10000)) << view.capture();
  EXPECT_TRUE(view.wait_for("go", 10000)) << view.capture();
  EXPECT_TRUE(view.alive());
  std::error_code ec;
  std::filesystem::remove_all(repo, ec);
}

TEST(DiffTmux, NoWorktreeIsAStatusLine) {
  AmuxEnv env;
  std::string id = env.bg_exec("sleep 600", "plainjob");
  Tmux view(120, 40, "cd '" + env.config_dir() + "' && " + env.env_prefix() + "TERM=tmux-256color " + amux_bin() +
                         " agents");
  ASSERT_TRUE(view.wait_for("plainjob", 15000)) << view.capture();
  view.send_keys({"M-d"});
  EXPECT_TRUE(view.wait_for("has no worktree", 10000)) << view.capture();
  EXPECT_TRUE(view.alive());
}
