// Terminal tests of notifications (`notify`, `notify_command`): the agent
// view runs in a private tmux as a person keeps it open, and another
// terminal is attached to one session; sessions change state around them.
// A notify_command that appends "<name> <state>" to a file records what the
// person was told (once per change by each of the two clients).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/amux_env.h"

using namespace amux::test;

namespace {

size_t count_of(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t p = 0; (p = hay.find(needle, p)) != std::string::npos; p += needle.size()) n++;
  return n;
}

}  // namespace

TEST(NotifyTmux, OncePerChangeNeverForWhatThePersonSees) {
  AmuxEnv env;
  const std::string log = env.config_dir() + "/told.log";
  env.write_config("state_hold_ms = 300\nnotify = \"off\"\n"
                   "notify_command = [\"/bin/sh\", \"-c\", \"echo \\\"$1 $2\\\" >> " + log +
                   "\", \"sh\", \"{name}\", \"{state}\"]\n");
  // The row the person has selected: the only one when the view opens.
  std::string sel = env.bg_exec("sleep 3; read -p 'S? ' x; sleep 600", "sel");
  ASSERT_TRUE(env.wait_state(sel, "working"));
  Tmux view(120, 40, "cd '" + env.config_dir() + "' && " + env.env_prefix() + "TERM=tmux-256color " + amux_bin() +
                         " agents");
  ASSERT_TRUE(view.wait_for("sel", 15000)) << view.capture();

  // Someone is attached to gamma when it starts waiting.
  std::string gamma = env.bg_exec("sleep 3; read -p 'G? ' x; sleep 600", "gamma");
  Tmux attached(100, 30, env.env_prefix() + amux_bin() + " attach " + gamma);
  ASSERT_TRUE(wait_until([&] { return env.session(gamma).value("attached", 0) == 1; }, 15000))
      << env.session(gamma).dump();

  std::string alpha = env.bg_exec("read -p 'A? ' x; echo got-$x; sleep 1; read -p 'A2? ' y; sleep 600", "alpha");
  ASSERT_TRUE(wait_until([&] { return read_text(log).find("alpha blocked") != std::string::npos; }, 20000))
      << read_text(log) << view.capture();
  ASSERT_TRUE(env.wait_state(gamma, "blocked", 20000));
  ASSERT_TRUE(env.wait_state(sel, "blocked", 20000));
  // The barrier: a later session's notification, after gamma's and sel's
  // changes have held long enough to be told if they were to be.
  std::string beta = env.bg_exec("sleep 1", "beta");
  // Two clients tell the person: the view and the client attached to gamma.
  ASSERT_TRUE(wait_until([&] { return count_of(read_text(log), "beta done") == 2; }, 20000)) << read_text(log);
  std::string told = read_text(log);
  EXPECT_EQ(count_of(told, "alpha blocked"), 2u) << told;
  EXPECT_EQ(told.find("gamma"), std::string::npos) << told;  // attached
  // sel is the view's selected row: the view does not tell it; the client
  // attached to gamma (which cannot see the view's selection) does.
  EXPECT_EQ(count_of(told, "sel blocked"), 1u) << told;
  // Answered and asked again: a new change, told again.
  ASSERT_EQ(env.amux({"reply", alpha, "y"}).rc, 0);
  ASSERT_TRUE(env.wait_capture(alpha, "got-y", 15000));
  EXPECT_TRUE(wait_until([&] { return count_of(read_text(log), "alpha blocked") == 4; }, 20000)) << read_text(log);
}
