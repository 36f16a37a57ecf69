// Unit tests for the client's terminfo lookups: a known TERM gives what
// terminfo holds for it (as tput prints it), an unknown TERM gives the xterm
// strings amux wrote before, and ncurses' current terminal is left alone.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include <ncursesw/term.h>

#include "view/term_caps.h"

using amux::view::load_term_caps;
using amux::view::TermCaps;
using amux::view::xterm_caps;

namespace {

// What `tput -T <term> <args>` prints (its exit status must be 0).
std::string tput(const std::string& term, const std::string& args) {
  std::string cmd = "tput -T " + term + " " + args;
  FILE* p = popen(cmd.c_str(), "r");
  EXPECT_NE(p, nullptr) << cmd;
  if (!p) return "";
  std::string out;
  char buf[256];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  EXPECT_EQ(pclose(p), 0) << cmd;
  return out;
}

}  // namespace

TEST(TermCaps, XtermEntryGivesTerminfoStrings) {
  const std::string t = "xterm-256color";
  TermCaps c = load_term_caps(t.c_str(), 1);
  EXPECT_EQ(c.alt_enter, tput(t, "smcup"));
  EXPECT_EQ(c.alt_leave, tput(t, "rmcup"));
  EXPECT_EQ(c.home_clear, tput(t, "-x clear"));  // -x: without clearing scrollback
  EXPECT_EQ(c.hide_cursor, tput(t, "civis"));
  EXPECT_EQ(c.reverse, tput(t, "rev"));
  EXPECT_EQ(c.plain, tput(t, "sgr0"));
  EXPECT_EQ(c.erase_eol, tput(t, "el"));
  EXPECT_EQ(c.cursor_shape_reset, tput(t, "Ss 0"));
  EXPECT_EQ(c.cursor_to(4, 0), tput(t, "cup 4 0"));
  EXPECT_EQ(c.cursor_to(23, 79), tput(t, "cup 23 79"));
  // terminfo's sgr0 differs from the fallback's, so this is not the fallback.
  EXPECT_NE(c.plain, xterm_caps().plain);
  // xterm's smcup/rmcup save and restore the title: not written twice.
  ASSERT_NE(c.alt_enter.find("\x1b[22;"), std::string::npos);
  EXPECT_EQ(c.title_save, "");
  EXPECT_EQ(c.title_restore, "");
}

TEST(TermCaps, TmuxEntryKeepsTheTitleStack) {
  const std::string t = "tmux-256color";
  TermCaps c = load_term_caps(t.c_str(), 1);
  EXPECT_EQ(c.alt_enter, tput(t, "smcup"));
  EXPECT_EQ(c.home_clear, tput(t, "-x clear"));
  EXPECT_EQ(c.plain, tput(t, "sgr0"));
  EXPECT_EQ(c.cursor_to(0, 0), tput(t, "cup 0 0"));
  // tmux's smcup does not touch the title: the xterm pair is written.
  EXPECT_EQ(c.title_save, "\x1b[22;0t");
  EXPECT_EQ(c.title_restore, "\x1b[23;0t");
}

TEST(TermCaps, UnknownTermFallsBackToXterm) {
  TermCaps c = load_term_caps("amux-no-such-terminal", 1);
  EXPECT_EQ(c.alt_enter, "\x1b[?1049h");
  EXPECT_EQ(c.alt_leave, "\x1b[?1049l");
  EXPECT_EQ(c.home_clear, "\x1b[H\x1b[2J");
  EXPECT_EQ(c.hide_cursor, "\x1b[?25l");
  EXPECT_EQ(c.reverse, "\x1b[7m");
  EXPECT_EQ(c.plain, "\x1b[0m");
  EXPECT_EQ(c.erase_eol, "\x1b[K");
  EXPECT_EQ(c.cursor_shape_reset, "\x1b[0 q");
  EXPECT_EQ(c.title_save, "\x1b[22;0t");
  EXPECT_EQ(c.title_restore, "\x1b[23;0t");
  EXPECT_EQ(c.cursor_to(4, 0), "\x1b[5;1H");
  EXPECT_EQ(c.cursor_to(23, 79), "\x1b[24;80H");
}

TEST(TermCaps, LookupLeavesTheCurrentTerminalAlone) {
  TERMINAL* before = cur_term;
  (void)load_term_caps("xterm-256color", 1);
  EXPECT_EQ(cur_term, before);
  (void)load_term_caps("amux-no-such-terminal", 1);
  EXPECT_EQ(cur_term, before);
}

// Synchronized output is taken from terminfo's Sync (an extended
// capability): tmux's and xterm's entries lack it; an entry that has it
// (compiled here with tic, as terminals such as foot or kitty ship it) says so.
TEST(TermCaps, SyncFromTerminfo) {
  EXPECT_FALSE(load_term_caps("tmux-256color", 1).sync);
  EXPECT_FALSE(load_term_caps("xterm-256color", 1).sync);
  EXPECT_FALSE(xterm_caps().sync);
  char dir[] = "/tmp/amux-terminfo-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string src = std::string(dir) + "/sync.ti";
  FILE* f = std::fopen(src.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("amux-sync-test|a terminal with Sync,\n\tSync=\\E[?2026%?%p1%{1}%-%tl%eh%;,\n\tuse=xterm-256color,\n", f);
  std::fclose(f);
  ASSERT_EQ(std::system(("tic -x -o " + std::string(dir) + " " + src).c_str()), 0);
  setenv("TERMINFO", dir, 1);
  TermCaps c = load_term_caps("amux-sync-test", 1);
  unsetenv("TERMINFO");
  std::system(("rm -rf " + std::string(dir)).c_str());
  EXPECT_TRUE(c.sync);
  EXPECT_EQ(c.plain, load_term_caps("xterm-256color", 1).plain);  // the rest is xterm-256color's
}
