// Terminal tests of the agent view: `amux agents` inside a private tmux,
// driven with send-keys and read with capture-pane, against a private
// supervisor (AmuxEnv). Each test is one behaviour a person relies on:
// grouping and counts, pin (surviving restarts), rename, stop then delete,
// find, peek and reply, dispatch, attach and detach back to the same row,
// the grid's live tiles, resizing, and that no session can send escape
// sequences to the person's terminal through the view.
//
// States: working/done/failed/stopped come from shell jobs; blocked and idle
// come from the host's state detection. Tests that need "blocked" skip with
// a clear message when the host does not report it.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/amux_env.h"

using namespace amux::test;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> v;
  std::istringstream in(s);
  std::string l;
  while (std::getline(in, l)) v.push_back(l);
  return v;
}

std::string trim_right(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// A tmux pane with a shell, where the view is started and restarted.
struct ViewPane {
  AmuxEnv& env;
  Tmux tmux;
  ViewPane(AmuxEnv& e, int cols = 120, int rows = 40, const std::string& extra_env = "")
      // Run from the instance's temporary directory, never from the source
      // tree: prompts dispatched from the view would get git worktrees there.
      // The shell has the instance's variables too, so nothing typed there
      // can reach a person's own ~/.amux.
      : env(e), tmux(cols, rows, "cd '" + e.config_dir() + "' && env PS1='$ ' TERM=tmux-256color " +
                                     e.env_prefix() + extra_env + " bash --norc --noprofile") {
    tmux.wait_for("$");
  }
  // The shell is the pane's foreground program again (what is typed now
  // reaches it, not a view that is still on its way out).
  bool shell_has_terminal() const {
    return wait_until([&] {
      return tmux.tmux({"display-message", "-p", "-t", "0", "#{pane_current_command}"}).out == "bash\n";
    }, 15000);
  }
  void run(const std::string& cmdline) {
    EXPECT_TRUE(shell_has_terminal()) << tmux.capture();
    tmux.send_text(env.env_prefix() + cmdline);
    tmux.send_keys({"Enter"});
  }
  // Open the view and wait for its prompt box.
  void open(const std::string& args = "") {
    run(amux_bin() + " agents " + args);
    ASSERT_TRUE(tmux.wait_for("describe a task", 15000) || tmux.wait_for("❯", 1000)) << tmux.capture();
  }
  void quit() {
    // Esc clears, closes, then quits: a few presses always leave.
    for (int i = 0; i < 4 && tmux.capture().find("$ ") == std::string::npos; i++) {
      tmux.send_keys({"Escape"});
      wait_until([&] { return tmux.capture().find(amux_bin() + " agents") == std::string::npos ||
                              tmux.capture().rfind("$") != std::string::npos; }, 500);
    }
    EXPECT_TRUE(shell_has_terminal()) << tmux.capture();
  }
  std::string screen() const { return tmux.capture(); }
  // Wait until the screen shows every string of `present` and none of `absent`.
  bool wait_screen(const std::vector<std::string>& present, const std::vector<std::string>& absent = {},
                   int ms = 10000) const {
    return wait_until([&] {
      std::string s = screen();
      for (auto& t : present)
        if (s.find(t) == std::string::npos) return false;
      for (auto& t : absent)
        if (s.find(t) != std::string::npos) return false;
      return true;
    }, ms);
  }
  // The list row showing `name` (the name starts at column 4: marker, icon).
  static bool is_row_of(const std::string& line, const std::string& name) {
    size_t pos = line.find(name);
    if (pos == std::string::npos) return false;
    int cps = 0;
    for (size_t i = 0; i < pos; i++)
      if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) cps++;
    return cps == 4;
  }
  int row_index(const std::string& name) const {
    auto ls = lines_of(screen());
    for (int k = 0; k < int(ls.size()); k++)
      if (is_row_of(ls[size_t(k)], name)) return k;
    return -1;
  }
  int selected_index() const {
    auto ls = lines_of(screen());
    for (int k = 0; k + 4 < int(ls.size()); k++)
      if (ls[size_t(k)].rfind("❯ ", 0) == 0) return k;
    return -1;
  }
  // The list row of `name` ("" when absent).
  std::string line_with(const std::string& name) const {
    for (auto& l : lines_of(screen()))
      if (is_row_of(l, name)) return l;
    return "";
  }
  bool selected(const std::string& name) const {
    auto ls = lines_of(screen());
    for (auto& l : ls)
      if (l.rfind("❯ ", 0) == 0 && is_row_of(l, name)) return true;
    return false;
  }
  // Move the selection to the row showing `name`.
  bool select(const std::string& name) {
    for (int i = 0; i < 40; i++) {
      int target = row_index(name), sel = selected_index();
      if (target >= 0 && sel == target) return true;
      tmux.send_keys({target >= 0 && sel > target ? "Up" : "Down"});
      wait_until([&] { return selected_index() != sel; }, 1000);
    }
    return false;
  }
};

bool wait_state(const AmuxEnv& env, const std::string& id, const std::string& state, int ms = 10000) {
  return wait_until([&] { return env.record_field(id, "state") == state; }, ms);
}

std::string pane_title(const Tmux& t) {
  auto r = t.tmux({"display-message", "-p", "-t", "0", "#{pane_title}"});
  return trim_right(r.out.substr(0, r.out.find('\n')));
}

}  // namespace

TEST(ViewTmux, GroupsRowsAndCounts) {
  AmuxEnv env;
  std::string w = env.bg_exec("sleep 600", "work-a");
  std::string d = env.bg_exec("echo all-good", "done-a");
  std::string f = env.bg_exec("echo oops; exit 3", "fail-a");
  std::string s = env.bg_exec("sleep 600", "stop-a");
  std::string b = env.bg_exec("read -p 'go ahead? ' x", "ask-a");
  ASSERT_TRUE(wait_state(env, b, "blocked"));
  ASSERT_TRUE(wait_state(env, d, "done"));
  ASSERT_TRUE(wait_state(env, f, "failed"));
  ASSERT_EQ(env.amux({"stop", s}).rc, 0);
  ASSERT_TRUE(wait_state(env, s, "stopped"));
  ViewPane p(env);
  p.open();
  ASSERT_TRUE(p.tmux.wait_for("1 awaiting input · 1 working · 3 completed")) << p.screen();
  std::string scr = p.screen();
  size_t ni = scr.find("\nNeeds input"), wk = scr.find("\nWorking"), cp = scr.find("\nCompleted");
  ASSERT_NE(ni, std::string::npos) << scr;
  EXPECT_LT(ni, wk);
  EXPECT_GT(scr.find("ask-a"), ni);
  EXPECT_LT(scr.find("ask-a"), wk);
  EXPECT_NE(p.line_with("ask-a").find("go ahead?"), std::string::npos) << scr;
  ASSERT_NE(wk, std::string::npos) << scr;
  ASSERT_NE(cp, std::string::npos) << scr;
  EXPECT_LT(wk, cp);
  EXPECT_LT(scr.find("work-a"), cp);
  EXPECT_GT(scr.find("done-a"), cp);
  EXPECT_NE(p.line_with("fail-a").find("exit 3"), std::string::npos) << scr;
  EXPECT_NE(p.line_with("done-a").find("∙"), std::string::npos);
  EXPECT_NE(p.line_with("stop-a").find("stopped"), std::string::npos) << scr;
  // The top row is selected on open.
  EXPECT_TRUE(p.selected("ask-a")) << scr;
  EXPECT_EQ(pane_title(p.tmux), "1 awaiting input · amux");
  // Directory grouping: rows begin with the state word, and the choice persists.
  p.tmux.send_keys({"C-s"});
  ASSERT_TRUE(p.tmux.wait_for("Failed · exit 3")) << p.screen();
  EXPECT_NE(p.screen().find("by directory"), std::string::npos);
  p.quit();
  p.open();
  ASSERT_TRUE(p.tmux.wait_for("by directory")) << p.screen();
  std::ifstream vj(env.config_dir() + "/view.json");
  std::string vs((std::istreambuf_iterator<char>(vj)), {});
  EXPECT_NE(vs.find("directory"), std::string::npos);
  (void)w;
}

TEST(ViewTmux, NeedsInputGroupAndWindowTitleWhenBlocked) {
  AmuxEnv env;
  std::string b = env.bg_exec("printf 'Continue? '; read x; sleep 600", "ask-a");
  env.bg_exec("sleep 600", "work-b");
  ASSERT_TRUE(wait_state(env, b, "blocked", 20000)) << env.amux({"agents", "--json"}).out;
  ViewPane p(env);
  p.open();
  ASSERT_TRUE(p.tmux.wait_for("1 awaiting input")) << p.screen();
  EXPECT_NE(p.screen().find("Needs input"), std::string::npos);
  EXPECT_TRUE(wait_until([&] { return pane_title(p.tmux) == "1 awaiting input · amux"; }, 5000))
      << pane_title(p.tmux);
  // Find s:blocked shows only the waiting session.
  p.tmux.send_keys({"C-f"});
  p.tmux.send_text("s:blocked");
  ASSERT_TRUE(p.tmux.wait_gone("work-b")) << p.screen();
  EXPECT_NE(p.screen().find("ask-a"), std::string::npos);
  // Peek shows the question; a reply unblocks it.
  p.tmux.send_keys({"Escape"});
  // (An Escape and the next key in one read would be Alt+key: wait.)
  ASSERT_TRUE(p.tmux.wait_gone("s:blocked")) << p.screen();
  ASSERT_TRUE(p.select("ask-a"));
  p.tmux.send_keys({"Space"});
  ASSERT_TRUE(p.tmux.wait_for("Continue?")) << p.screen();
  p.tmux.send_text("yes");
  p.tmux.send_keys({"Enter"});
  EXPECT_TRUE(wait_until([&] { return env.record_field(b, "state") != "blocked"; }, 10000))
      << env.capture(b) << "\n---\n" << p.screen();
}

TEST(ViewTmux, PinSurvivesRestartOfViewAndSupervisor) {
  AmuxEnv env;
  std::string a = env.bg_exec("sleep 600", "alpha-w");
  std::string d = env.bg_exec("echo fine", "pin-me");
  ASSERT_TRUE(wait_state(env, d, "done"));
  ViewPane p(env);
  p.open();
  ASSERT_TRUE(p.tmux.wait_for("pin-me"));
  ASSERT_TRUE(p.select("pin-me")) << p.screen();
  p.tmux.send_keys({"C-t"});
  ASSERT_TRUE(p.tmux.wait_for("Pinned")) << p.screen();
  auto pinned_first = [&] {
    std::string s = p.screen();
    size_t pin = s.find("\nPinned"), row = s.find("pin-me"), other = s.find("alpha-w");
    return pin != std::string::npos && row != std::string::npos && pin < row && row < other;
  };
  EXPECT_TRUE(wait_until(pinned_first, 5000)) << p.screen();
  ASSERT_TRUE(wait_until([&] {
    std::ifstream in(env.config_dir() + "/jobs/pins.json");
    std::string t((std::istreambuf_iterator<char>(in)), {});
    return t.find(d) != std::string::npos;
  }));
  // Restart the view.
  p.quit();
  p.open();
  EXPECT_TRUE(wait_until(pinned_first, 10000)) << p.screen();
  // Restart the supervisor under the open view (hosts kept).
  auto r = env.amux({"daemon", "stop", "--keep-workers"});
  EXPECT_EQ(r.rc, 0) << r.err;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_TRUE(wait_until([&] { return env.amux({"daemon", "status"}).rc == 0; }, 15000));
  EXPECT_TRUE(wait_until(pinned_first, 15000)) << p.screen();
  EXPECT_TRUE(p.tmux.wait_gone("reconnecting", 15000)) << p.screen();
  // Unpin.
  ASSERT_TRUE(p.select("pin-me"));
  p.tmux.send_keys({"C-t"});
  EXPECT_TRUE(p.tmux.wait_gone("Pinned")) << p.screen();
  (void)a;
}

TEST(ViewTmux, RenameInPlace) {
  AmuxEnv env;
  std::string id = env.bg_exec("sleep 600", "old-name");
  ViewPane p(env);
  p.open();
  ASSERT_TRUE(p.tmux.wait_for("old-name"));
  p.tmux.send_keys({"C-r"});
  ASSERT_TRUE(p.tmux.wait_for("to save")) << p.screen();
  p.tmux.send_keys({"C-u"});
  p.tmux.send_text("brand-new-name");
  p.tmux.send_keys({"Enter"});
  ASSERT_TRUE(p.tmux.wait_for("brand-new-name")) << p.screen();
  EXPECT_TRUE(wait_until([&] { return env.record_field(id, "name") == "brand-new-name"; }));
  // Esc cancels a rename.
  p.tmux.send_keys({"C-r"});
  p.tmux.send_text("zzz");
  p.tmux.send_keys({"Escape"});
  EXPECT_TRUE(p.tmux.wait_gone("zzz")) << p.screen();
  EXPECT_EQ(env.record_field(id, "name"), "brand-new-name");
}

TEST(ViewTmux, StopThenDelete) {
  AmuxEnv env;
  std::string v = env.bg_exec("sleep 600", "victim");
  std::string k = env.bg_exec("sleep 600", "keeper");
  ViewPane p(env);
  p.open();
  ASSERT_TRUE(p.tmux.wait_for("victim"));
  ASSERT_TRUE(p.select("victim"));
  p.tmux.send_keys({"C-x"});
  ASSERT_TRUE(p.tmux.wait_for("again to delete")) << p.screen();
  EXPECT_TRUE(wait_state(env, v, "stopped"));
  p.tmux.send_keys({"C-x"});
  EXPECT_TRUE(p.tmux.wait_gone("victim")) << p.screen();
  EXPECT_TRUE(wait_until([&] { return !fs::exists(env.config_dir() + "/jobs/" + v); }));
  // Esc cancels the arm: after it, one press only stops/arms again.
  ASSERT_TRUE(p.select("keeper"));
  p.tmux.send_keys({"C-x"});
  ASSERT_TRUE(p.tmux.wait_for("again to delete"));
  p.tmux.send_keys({"Escape"});
  ASSERT_TRUE(p.tmux.wait_gone("again to delete")) << p.screen();
  p.tmux.send_keys({"C-x"});
  ASSERT_TRUE(p.tmux.wait_for("again to delete"));
  // …and the arm lapses after 2 s.
  EXPECT_TRUE(p.tmux.wait_gone("again to delete", 6000));
  p.tmux.send_keys({"C-x"});
  // The barrier: that press was taken, and it armed again (not deleted).
  EXPECT_TRUE(p.tmux.wait_for("again to delete")) << p.screen();
  EXPECT_TRUE(fs::exists(env.config_dir() + "/jobs/" + k));
  EXPECT_NE(p.screen().find("keeper"), std::string::npos);
}

TEST(ViewTmux, FindFilters) {
  AmuxEnv env;
  env.bg_exec("sleep 600", "alpha-job");
  env.bg_exec("sleep 600", "beta-job #42");
  std::string g = env.bg_exec("echo done", "gamma-job");
  ASSERT_TRUE(wait_state(env, g, "done"));
  ViewPane p(env);
  p.open();
  ASSERT_TRUE(p.tmux.wait_for("gamma-job"));
  p.tmux.send_keys({"C-f"});
  ASSERT_TRUE(p.tmux.wait_for("⌕")) << p.screen();
  p.tmux.send_text("s:done");
  EXPECT_TRUE(p.wait_screen({"gamma-job"}, {"alpha-job", "beta-job"})) << p.screen();
  p.tmux.send_keys({"C-u"});
  p.tmux.send_text("#42");
  EXPECT_TRUE(p.wait_screen({"beta-job"}, {"alpha-job", "gamma-job"})) << p.screen();
  p.tmux.send_keys({"C-u"});
  p.tmux.send_text("ALPHA");
  EXPECT_TRUE(p.wait_screen({"alpha-job"}, {"beta-job", "gamma-job"})) << p.screen();
  p.tmux.send_keys({"C-u"});
  p.tmux.send_text("a:shell s:working");
  EXPECT_TRUE(p.wait_screen({"alpha-job", "beta-job"}, {"gamma-job"})) << p.screen();
  p.tmux.send_keys({"C-u"});
  p.tmux.send_text("s:blocked");
  ASSERT_TRUE(p.tmux.wait_for("No sessions match \"s:blocked\"")) << p.screen();
  p.tmux.send_keys({"C-u"});
  p.tmux.send_text("nothing-here");
  ASSERT_TRUE(p.tmux.wait_for("No sessions match \"nothing-here\"")) << p.screen();
  p.tmux.send_keys({"Escape"});
  EXPECT_TRUE(p.wait_screen({"alpha-job", "beta-job", "gamma-job"}, {"⌕"})) << p.screen();
  // Typing a filter term into the prompt switches to find.
  p.tmux.send_text("s:done");
  EXPECT_TRUE(p.wait_screen({"⌕", "gamma-job"}, {"alpha-job"})) << p.screen();
}

TEST(ViewTmux, PeekAndReply) {
  AmuxEnv env;
  std::string id = env.bg_exec("printf 'Your name? '; read x; echo \"hello $x\"; sleep 600", "asker");
  ASSERT_TRUE(env.wait_capture(id, "Your name?"));
  ViewPane p(env, 100, 30);
  p.open();
  ASSERT_TRUE(p.tmux.wait_for("asker"));
  p.tmux.send_keys({"Space"});
  ASSERT_TRUE(p.tmux.wait_for("Your name?")) << p.screen();
  ASSERT_TRUE(p.tmux.wait_for("type a reply")) << p.screen();
  p.tmux.send_text("Alice");
  p.tmux.send_keys({"Enter"});
  ASSERT_TRUE(env.wait_capture(id, "hello Alice")) << env.capture(id);
  EXPECT_TRUE(p.tmux.wait_for("hello Alice")) << p.screen();  // the overlay is live
  p.tmux.send_keys({"Escape"});
  EXPECT_TRUE(p.tmux.wait_gone("type a reply")) << p.screen();
}

TEST(ViewTmux, DispatchShellJobAndPrompt) {
  AmuxEnv env;
  // The fake agent stands in for claude (first on PATH), so a prompt never
  // reaches a real agent here.
  std::string bin = "/tmp/amux-fakebin-d-" + std::to_string(getpid());
  fs::create_directories(bin);
  fs::copy_file(source_dir() + "/tests/fixtures/fake-claude", bin + "/claude",
                fs::copy_options::overwrite_existing);
  chmod((bin + "/claude").c_str(), 0755);
  ViewPane p(env, 120, 40, "PATH=" + bin + ":/usr/bin:/bin");
  p.open();
  p.tmux.send_text("!echo dispatched-$((6*7)); sleep 600");
  p.tmux.send_keys({"Enter"});
  ASSERT_TRUE(p.tmux.wait_for("echo dispatched-")) << p.screen();
  std::string id;
  ASSERT_TRUE(wait_until([&] {
    auto r = env.amux({"agents", "--json"});
    auto pos = r.out.find("\"id\": \"");
    if (pos == std::string::npos) return false;
    id = r.out.substr(pos + 7, 8);
    return true;
  }));
  EXPECT_TRUE(env.wait_capture(id, "dispatched-42"));
  EXPECT_EQ(env.record_field(id, "kind"), "shell");
  // A prompt under four characters is refused.
  p.tmux.send_text("abc");
  p.tmux.send_keys({"Enter"});
  ASSERT_TRUE(p.tmux.wait_for("Too short")) << p.screen();
  p.tmux.send_keys({"C-u"});
  // A prompt goes to the default agent: the first profile on PATH.
  p.tmux.send_text("explain the build please");
  p.tmux.send_keys({"Enter"});
  EXPECT_TRUE(p.tmux.wait_for("explain", 15000)) << p.screen();
  EXPECT_TRUE(wait_until([&] { return env.amux({"agents", "--json"}).out.find("\"agent\": \"claude\"") != std::string::npos; }))
      << env.amux({"agents", "--json"}).out;
  fs::remove_all(bin);
}

TEST(ViewTmux, DispatchPromptToFakeAgent) {
  std::string fake = source_dir() + "/tests/fixtures/fake-claude";
  ASSERT_TRUE(fs::exists(fake)) << fake;
  AmuxEnv env;
  std::string bin = "/tmp/amux-fakebin-" + std::to_string(getpid());
  fs::create_directories(bin);
  fs::copy_file(fake, bin + "/claude", fs::copy_options::overwrite_existing);
  chmod((bin + "/claude").c_str(), 0755);
  ViewPane p(env, 120, 40, "PATH=" + bin + ":/usr/bin:/bin");
  p.open("--agent claude");
  p.tmux.send_text("write a haiku about tests");
  p.tmux.send_keys({"Enter"});
  EXPECT_TRUE(p.tmux.wait_for("write a haiku about tests", 15000)) << p.screen();
  fs::remove_all(bin);
}

TEST(ViewTmux, AttachAndDetachBackToTheSameRow) {
  AmuxEnv env;
  env.bg_exec("echo screen-one; sleep 600", "row-one");
  std::string two = env.bg_exec("echo screen-two; sleep 600", "row-two");
  env.bg_exec("echo screen-three; sleep 600", "row-three");
  ASSERT_TRUE(env.wait_capture(two, "screen-two"));
  ViewPane p(env, 100, 30);
  p.open();
  ASSERT_TRUE(p.tmux.wait_for("row-three"));
  ASSERT_TRUE(p.select("row-two"));
  p.tmux.send_keys({"Enter"});
  ASSERT_TRUE(p.tmux.wait_for("screen-two")) << p.screen();
  ASSERT_TRUE(p.tmux.wait_gone("describe a task")) << p.screen();
  p.tmux.send_keys({"C-\\"});
  ASSERT_TRUE(p.tmux.wait_for("describe a task")) << p.screen();
  EXPECT_TRUE(wait_until([&] { return p.selected("row-two"); }, 5000)) << p.screen();
  EXPECT_TRUE(p.tmux.wait_for("to return")) << p.screen();
  // alt+1 opens the first listed session; C-b d also comes back.
  // (The preview pane may show a session's screen too: attached is when
  // the view's prompt is gone.)
  auto attached_to = [&](const std::string& text) {
    return wait_until([&] {
      std::string s = p.screen();
      return s.find(text) != std::string::npos && s.find("describe a task") == std::string::npos;
    });
  };
  p.tmux.send_keys({"M-1"});
  ASSERT_TRUE(attached_to("screen-one")) << p.screen();
  p.tmux.send_keys({"C-b", "d"});
  ASSERT_TRUE(p.tmux.wait_for("describe a task")) << p.screen();
  EXPECT_TRUE(wait_until([&] { return p.selected("row-one"); }, 5000)) << p.screen();
  // A double click on a row attaches too (SGR mouse report typed as input).
  auto ls = lines_of(p.screen());
  int y = -1;
  for (int i = 0; i < int(ls.size()); i++)
    if (ls[size_t(i)].find("row-three") != std::string::npos) y = i;
  ASSERT_GE(y, 0);
  std::string click = "\x1b[<0;10;" + std::to_string(y + 1) + "M\x1b[<0;10;" + std::to_string(y + 1) + "m";
  p.tmux.send_text(click + click);
  ASSERT_TRUE(attached_to("screen-three")) << p.screen();
  p.tmux.send_keys({"C-\\"});
  ASSERT_TRUE(p.tmux.wait_for("describe a task")) << p.screen();
  EXPECT_TRUE(wait_until([&] { return p.selected("row-three"); }, 5000)) << p.screen();
}

TEST(ViewTmux, GridTilesAreLive) {
  AmuxEnv env;
  env.bg_exec("i=0; while true; do i=$((i+1)); echo tick-$i; sleep 0.2; done", "ticker");
  env.bg_exec("echo still-screen; sleep 600", "quiet");
  std::string sizer = env.bg_exec("while true; do echo size-$(stty size | tr ' ' x); sleep 0.3; done", "sizer");
  ViewPane p(env, 160, 40);
  p.open();
  ASSERT_TRUE(p.tmux.wait_for("ticker"));
  p.tmux.send_keys({"Tab"});
  ASSERT_TRUE(p.tmux.wait_for("grid")) << p.screen();
  ASSERT_TRUE(p.tmux.wait_for("tick-")) << p.screen();
  ASSERT_TRUE(p.tmux.wait_for("still-screen")) << p.screen();
  auto last_tick = [&] {
    int best = 0;
    std::string s = p.screen();
    for (size_t pos = s.find("tick-"); pos != std::string::npos; pos = s.find("tick-", pos + 1))
      best = std::max(best, atoi(s.c_str() + pos + 5));
    return best;
  };
  int first = last_tick();
  EXPECT_TRUE(wait_until([&] { return last_tick() >= first + 3; }, 10000)) << p.screen();
  // The session's PTY keeps its size while tiles show it: every size line
  // the sizer printed is the detached default.
  std::string seen = env.amux({"capture", sizer}).out;
  std::istringstream lines(seen);
  int sizes = 0;
  for (std::string l; std::getline(lines, l);) {
    if (l.rfind("size-", 0) != 0) continue;
    sizes++;
    EXPECT_EQ(l.substr(0, l.find_last_not_of(' ') + 1), "size-50x200") << seen;
  }
  EXPECT_GT(sizes, 0) << seen;
  // Tab goes back to rows.
  p.tmux.send_keys({"Tab"});
  EXPECT_TRUE(p.tmux.wait_for("rows")) << p.screen();
}

TEST(ViewTmux, ResizeWithoutGarbage) {
  AmuxEnv env;
  for (int i = 0; i < 6; i++) {
    std::string id = env.bg_exec("echo out-" + std::to_string(i), "done-" + std::to_string(i));
    ASSERT_TRUE(wait_state(env, id, "done"));
  }
  ViewPane p(env, 200, 50);
  p.open();
  ASSERT_TRUE(p.tmux.wait_for("6 completed"));
  std::string big = p.screen();
  auto same_as_fresh = [&](int cols, int rows) {
    ViewPane fresh(env, cols, rows);
    fresh.open();
    fresh.tmux.wait_for("6 completed");
    std::string want, got;
    bool ok = wait_until([&] {
      want = fresh.screen();
      got = p.screen();
      return want == got;
    }, 10000);
    EXPECT_TRUE(ok) << "resized to " << cols << "x" << rows << "\n--- resized\n" << got << "\n--- fresh\n" << want;
    fresh.quit();
  };
  p.tmux.resize(80, 24);
  same_as_fresh(80, 24);
  for (auto& l : lines_of(p.screen())) EXPECT_LE(l.size(), 80u * 4);
  p.tmux.resize(200, 50);
  same_as_fresh(200, 50);
  // Quick successive resizes end in a clean frame too.
  for (auto [c, r] : {std::pair{120, 30}, {60, 20}, {150, 45}, {80, 24}}) p.tmux.resize(c, r);
  same_as_fresh(80, 24);
  (void)big;
}

TEST(ViewTmux, SessionEscapesCannotReachTheTerminal) {
  AmuxEnv env;
  // Output with a title change, the alternate screen, a clipboard write, a
  // bell, and a cursor jump; a name carrying a title change too.
  std::string id = env.bg_exec(
      "printf '\\033]2;PWNED-TITLE\\007\\033]0;PWNED-ICON\\007\\033]52;c;cHduZWQ=\\007\\033[?1049h"
      "\\033[2J\\033[Hevil-output\\033[5;5H\\a\\n'; sleep 600",
      "n\x1b]2;PWNED-NAME\x07me");
  ASSERT_TRUE(env.wait_capture(id, "evil-output"));
  ViewPane p(env, 200, 50);
  // An OSC 52 that reached tmux would become a paste buffer.
  p.tmux.tmux({"set-option", "-g", "set-clipboard", "on"});
  p.open();
  ASSERT_TRUE(p.tmux.wait_for("evil-output")) << p.screen();  // in the preview pane
  // The name shows as plain text: its escape characters are gone.
  EXPECT_TRUE(p.tmux.wait_for("n]2;PWNED-NAMEme")) << p.screen();
  p.tmux.send_keys({"Tab"});
  ASSERT_TRUE(p.tmux.wait_for("grid"));
  ASSERT_TRUE(p.tmux.wait_for("evil-output")) << p.screen();
  p.tmux.send_keys({"Space"});
  ASSERT_TRUE(p.tmux.wait_for("type a reply")) << p.screen();
  // The barrier: text typed into the reply line shows only in a frame drawn
  // after the peek's, so once it is on the screen tmux has taken in every
  // byte the view wrote while showing the session.
  p.tmux.send_text("barrier-typed");
  ASSERT_TRUE(p.tmux.wait_for("barrier-typed")) << p.screen();
  // The view may set its own title ("N awaiting input · amux": the bell
  // made a session wait for attention); the session's titles never reach it.
  EXPECT_TRUE(wait_until([&] { return pane_title(p.tmux).find("amux") != std::string::npos; }))
      << pane_title(p.tmux);
  EXPECT_EQ(pane_title(p.tmux).find("PWNED"), std::string::npos) << pane_title(p.tmux);
  auto bufs = p.tmux.tmux({"list-buffers"});
  EXPECT_EQ(bufs.out, "") << bufs.out;
  EXPECT_EQ(p.screen().find("\x1b"), std::string::npos);
  // The typed text erased again, the reply line shows its hint.
  for (size_t i = 0; i < std::string("barrier-typed").size(); i++) p.tmux.send_keys({"BSpace"});
  ASSERT_TRUE(p.tmux.wait_for("type a reply")) << p.screen();
  // The view still lays out: its prompt rule and hint line are where they belong.
  auto ls = lines_of(p.screen());
  ASSERT_GE(ls.size(), 3u);
  EXPECT_NE(ls[ls.size() - 1].find("to close"), std::string::npos) << p.screen();
  p.tmux.send_keys({"Escape"});
  p.quit();
}

TEST(ViewTmux, NoColorAndTurningTheViewOff) {
  AmuxEnv env;
  std::string f = env.bg_exec("exit 3", "failing");
  ASSERT_TRUE(wait_state(env, f, "failed"));
  ViewPane p(env, 100, 30, "NO_COLOR=1");
  p.open();
  ASSERT_TRUE(p.tmux.wait_for("failing"));
  std::string esc = p.tmux.capture(true);
  EXPECT_EQ(esc.find("38;5;"), std::string::npos) << esc;
  EXPECT_EQ(esc.find("[31m"), std::string::npos) << esc;
  p.quit();
  ASSERT_TRUE(p.tmux.wait_for("$ "));
  p.run("AMUX_DISABLE_AGENT_VIEW=1 " + amux_bin() + " agents; echo rc=$?");
  ASSERT_TRUE(p.tmux.wait_for("rc=1")) << p.screen();
  EXPECT_NE(p.screen().find("turned off"), std::string::npos);
  env.write_config("[view]\ndisable_agent_view = true\n");
  p.run(amux_bin() + "; echo rc2=$?");
  ASSERT_TRUE(p.tmux.wait_for("rc2=1")) << p.screen();
  EXPECT_NE(p.screen().find("disable_agent_view"), std::string::npos);
}
