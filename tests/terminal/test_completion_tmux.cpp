// Shell completion for amux: the bash script (completions/amux.bash) sourced
// into bash and asked through its completion function as bash's `complete`
// would (COMP_WORDS / COMPREPLY), and the zsh one (completions/_amux) used
// in a real zsh inside a private tmux, with Tab typed as a person would.
// Both complete commands, options, and session ids and names from a private
// supervisor.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/amux_env.h"

using namespace amux::test;
namespace fs = std::filesystem;

namespace {

std::string bin_dir() { return fs::path(amux_bin()).parent_path().string(); }

// COMPREPLY for the words (the last one is the word being completed), one a line.
std::string bash_complete(const AmuxEnv& env, const std::vector<std::string>& words) {
  std::string arr;
  for (auto& w : words) arr += " '" + w + "'";
  std::string script = "export PATH='" + bin_dir() + "':$PATH; source '" + source_dir() +
                       "/completions/amux.bash' || exit 3; complete -p amux >/dev/null || exit 4;"
                       " COMP_WORDS=(" + arr + "); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _amux;"
                       " (( ${#COMPREPLY[@]} )) && printf '%s\\n' \"${COMPREPLY[@]}\"; exit 0";
  auto r = run_process({"bash", "--norc", "--noprofile", "-c", script}, env.env());
  EXPECT_EQ(r.rc, 0) << r.err;
  return r.out;
}

bool has_line(const std::string& out, const std::string& line) {
  return ("\n" + out).find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

TEST(CompletionBash, CommandsOptionsAndSessions) {
  AmuxEnv env;
  std::string id = env.bg_exec("echo hi; sleep 600", "fox-tail");
  ASSERT_FALSE(id.empty());
  std::string top = bash_complete(env, {"amux", ""});
  for (auto c : {"attach", "logs", "capture", "agents", "daemon", "rename", "trust"})
    EXPECT_TRUE(has_line(top, c)) << c << "\n" << top;
  EXPECT_EQ(bash_complete(env, {"amux", "atta"}), "attach\n");
  std::string d = bash_complete(env, {"amux", "daemon", "st"});
  EXPECT_TRUE(has_line(d, "status")) << d;
  EXPECT_TRUE(has_line(d, "stop")) << d;
  EXPECT_EQ(bash_complete(env, {"amux", "agents", "--js"}), "--json\n");
  std::string opts = bash_complete(env, {"amux", "--"});
  EXPECT_TRUE(has_line(opts, "--exec")) << opts;
  EXPECT_TRUE(has_line(opts, "--dangerously-skip-permissions")) << opts;
  // Sessions: ids and names where a command takes a session.
  std::string s = bash_complete(env, {"amux", "attach", ""});
  EXPECT_TRUE(has_line(s, id)) << s;
  EXPECT_TRUE(has_line(s, "fox-tail")) << s;
  EXPECT_EQ(bash_complete(env, {"amux", "logs", "fox"}), "fox-tail\n");
  EXPECT_EQ(bash_complete(env, {"amux", "rename", id.substr(0, id.size() - 1)}), id + "\n");
  // An option's value: directories for DIR, nothing made up for free text.
  fs::create_directories(env.config_dir() + "/pick-me-dir");
  std::string dirs = bash_complete(env, {"amux", "--cwd", env.config_dir() + "/pick-me"});
  EXPECT_EQ(dirs, env.config_dir() + "/pick-me-dir\n");
  EXPECT_EQ(bash_complete(env, {"amux", "--name", "at"}), "");
}

TEST(CompletionZsh, TabCompletesInARealZsh) {
  AmuxEnv env;
  std::string id = env.bg_exec("echo hi; sleep 600", "owl-wing");
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(run_process({"zsh", "-n", source_dir() + "/completions/_amux"}).rc, 0);
  Tmux t(120, 30, "env " + env.env_prefix() + "PATH='" + bin_dir() + "':$PATH PS1='%% ' zsh -f");
  ASSERT_TRUE(t.wait_for("%"));
  t.send_text("fpath=('" + source_dir() + "/completions' $fpath); autoload -U compinit; compinit -u; echo ready-$((6*7))");
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("ready-42")) << t.capture();
  t.send_keys({"C-l"});
  ASSERT_TRUE(t.wait_gone("ready-42")) << t.capture();
  t.send_text("amux atta");
  t.send_keys({"Tab"});
  ASSERT_TRUE(t.wait_for("amux attach")) << t.capture();  // (the capture drops trailing blanks)
  t.send_text("owl");
  t.send_keys({"Tab"});
  ASSERT_TRUE(t.wait_for("amux attach owl-wing")) << t.capture();
  t.send_keys({"C-u"});
  t.send_text("amux agents --js");
  t.send_keys({"Tab"});
  ASSERT_TRUE(t.wait_for("amux agents --json")) << t.capture();
  t.send_keys({"C-u"});
  t.send_text("amux daemon sta");
  t.send_keys({"Tab"});
  ASSERT_TRUE(t.wait_for("amux daemon status")) << t.capture();
}
