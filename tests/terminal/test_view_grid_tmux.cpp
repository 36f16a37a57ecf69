// Terminal tests of the agent view's grid inside a private tmux: the grid
// fills the screen (1 session = the whole body, 2 = halves, 4 = 2x2, many =
// pages of minimum-size tiles), each tile shows the bottom of its session's
// screen under a title bar, and the mouse (SGR reports typed into the pane,
// as a terminal sends them) selects, attaches and scrolls; the mouse is off
// while a session is attached.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "support/amux_env.h"

using namespace amux::test;

namespace {

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> v;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

// Column (in characters; the view draws no double-width text here) of byte offset pos.
int column_of(const std::string& line, size_t pos) {
  int cps = 0;
  for (size_t i = 0; i < pos && i < line.size(); i++)
    if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) cps++;
  return cps;
}

struct Spot {
  int y = -1, x = -1;
};

// Where `text` first shows on the screen.
Spot find_on(const std::string& screen, const std::string& text) {
  auto ls = lines_of(screen);
  for (int y = 0; y < int(ls.size()); y++) {
    size_t p = ls[size_t(y)].find(text);
    if (p != std::string::npos) return {y, column_of(ls[size_t(y)], p)};
  }
  return {};
}

// Where `text` last shows (a tile's own lines, below the title bars that may
// quote the session's last line).
Spot find_last(const std::string& screen, const std::string& text) {
  auto ls = lines_of(screen);
  for (int y = int(ls.size()) - 1; y >= 0; y--) {
    size_t p = ls[size_t(y)].rfind(text);
    if (p != std::string::npos) return {y, column_of(ls[size_t(y)], p)};
  }
  return {};
}

struct GridPane {
  AmuxEnv& env;
  Tmux tmux;
  GridPane(AmuxEnv& e, int cols, int rows)
      : env(e), tmux(cols, rows, "cd '" + e.config_dir() + "' && env PS1='$ ' TERM=tmux-256color bash --norc --noprofile") {
    tmux.wait_for("$");
  }
  // Open the view and switch it to the grid.
  void open_grid() {
    tmux.send_text(env.env_prefix() + amux_bin() + " agents");
    tmux.send_keys({"Enter"});
    ASSERT_TRUE(tmux.wait_for("describe a task", 15000)) << tmux.capture();
    tmux.send_keys({"Tab"});
    ASSERT_TRUE(tmux.wait_for("· grid")) << tmux.capture();
  }
  std::string screen() const { return tmux.capture(); }
  std::string pane_flag(const std::string& fmt) const {
    auto r = tmux.tmux({"display-message", "-p", "-t", "0", fmt});
    return r.out.substr(0, r.out.find('\n'));
  }
  // An SGR mouse report at 0-based screen (y, x): press and release.
  void click(int y, int x) const {
    std::string at = std::to_string(x + 1) + ";" + std::to_string(y + 1);
    tmux.send_text("\x1b[<0;" + at + "M\x1b[<0;" + at + "m");
  }
  void wheel(int y, int x, bool down) const {
    tmux.send_text(std::string("\x1b[<") + (down ? "65;" : "64;") + std::to_string(x + 1) + ";" +
                   std::to_string(y + 1) + "M");
  }
};

// Sessions whose screen is `rows` numbered lines "<name>-NN" then a wait.
std::string numbered(AmuxEnv& env, const std::string& name, int rows) {
  std::string id = env.bg_exec("for i in $(seq -w 1 " + std::to_string(rows) + "); do echo " + name +
                                   "-$i; done; sleep 600",
                               name);
  EXPECT_TRUE(env.wait_capture(id, name + "-" + std::to_string(rows)));
  return id;
}

}  // namespace

// 160x40: header 3 + gap 1, prompt box 3, hint line 1: the body is lines 4-35.
TEST(ViewGridTmux, OneSessionFillsTheBody) {
  AmuxEnv env;
  numbered(env, "solo", 25);
  GridPane p(env, 160, 40);
  p.open_grid();
  // All 25 lines show: the tile is the whole body (31 lines under its bar).
  ASSERT_TRUE(p.tmux.wait_for("solo-25")) << p.screen();
  ASSERT_TRUE(wait_until([&] { return find_on(p.screen(), "solo-01").y == 5; }, 10000)) << p.screen();
  std::string s = p.screen();
  Spot name = find_on(s, "solo ");
  EXPECT_EQ(name.y, 4) << s;
  EXPECT_EQ(name.x, 4) << s;
  EXPECT_EQ(find_last(s, "solo-25").y, 29) << s;
  // The title bar has the state and the age at the right edge.
  std::string bar = lines_of(s)[4];
  EXPECT_NE(bar.find("Working"), std::string::npos) << bar;
  EXPECT_GE(column_of(bar, bar.find_last_not_of(' ') + 1), 157) << bar;
}

TEST(ViewGridTmux, TwoSessionsSideBySideFourInTwoByTwo) {
  AmuxEnv env;
  // The attach client's own mouse (the wheel into copy mode) off, so the
  // flags read while attached are what the view left.
  env.write_config("mouse = false\n");
  numbered(env, "aa", 20);
  numbered(env, "bb", 20);
  GridPane p(env, 160, 40);
  p.open_grid();
  ASSERT_TRUE(wait_until([&] {
    std::string s = p.screen();
    return find_on(s, "aa-01").y == 5 && find_on(s, "bb-01").y == 5;
  }, 10000)) << p.screen();
  std::string s = p.screen();
  Spot a = find_on(s, "aa "), b = find_on(s, "bb ");
  EXPECT_EQ(a.y, 4) << s;
  EXPECT_EQ(b.y, 4) << s;
  std::set<int> xs{a.x, b.x};
  EXPECT_EQ(xs, (std::set<int>{4, 84})) << s;
  EXPECT_EQ(find_last(s, "aa-20").y, 24) << s;  // the halves are the body's full height

  numbered(env, "cc", 20);
  numbered(env, "dd", 20);
  ASSERT_TRUE(wait_until([&] {
    std::string t = p.screen();
    return find_on(t, "cc ").y >= 0 && find_on(t, "dd ").y >= 0;
  }, 15000)) << p.screen();
  // 2x2: bars on lines 4 and 20, at columns 4 and 84; each tile 15 lines under its bar.
  ASSERT_TRUE(wait_until([&] {
    std::string t = p.screen();
    std::set<std::pair<int, int>> at;
    for (auto n : {"aa ", "bb ", "cc ", "dd "}) at.insert({find_on(t, n).y, find_on(t, n).x});
    return at == std::set<std::pair<int, int>>{{4, 4}, {4, 84}, {20, 4}, {20, 84}};
  }, 10000)) << p.screen();
  // Each tile shows the bottom of its session's screen: the last line, not the first.
  ASSERT_TRUE(wait_until([&] {
    std::string t = p.screen();
    for (auto n : {"aa", "bb", "cc", "dd"})
      if (find_last(t, std::string(n) + "-20").y != (find_on(t, std::string(n) + " ").y == 4 ? 18 : 34)) return false;  // the cursor's blank line below
    return true;
  }, 10000)) << p.screen();
  s = p.screen();
  for (auto n : {"aa", "bb", "cc", "dd"}) EXPECT_LT(find_on(s, std::string(n) + "-01").y, 0) << s;
  // A click on a tile selects it.
  Spot d = find_on(s, "dd ");
  p.click(d.y + 6, d.x + 10);
  EXPECT_TRUE(wait_until([&] {
    auto ls = lines_of(p.screen());
    Spot dd = find_on(p.screen(), "dd ");
    return dd.y >= 0 && ls[size_t(dd.y)].find("❯ ") != std::string::npos &&
           column_of(ls[size_t(dd.y)], ls[size_t(dd.y)].find("❯ ")) == dd.x - 4;
  }, 10000)) << p.screen();
  // A double click attaches; the view turns the mouse off while attached
  // and on again when back.
  EXPECT_EQ(p.pane_flag("#{mouse_standard_flag}"), "1");
  p.click(d.y + 6, d.x + 10);
  p.click(d.y + 6, d.x + 10);
  ASSERT_TRUE(p.tmux.wait_gone("describe a task")) << p.screen();
  ASSERT_TRUE(p.tmux.wait_for("dd-01")) << p.screen();
  EXPECT_TRUE(wait_until([&] { return p.pane_flag("#{mouse_standard_flag}") == "0"; }, 10000));
  EXPECT_EQ(p.pane_flag("#{mouse_sgr_flag}"), "0");
  p.tmux.send_keys({"C-\\"});
  ASSERT_TRUE(p.tmux.wait_for("describe a task")) << p.screen();
  EXPECT_TRUE(wait_until([&] { return p.pane_flag("#{mouse_standard_flag}") == "1"; }, 10000));
}

// 100x24: the body is 16 lines by 100 columns: at most 3 tiles across and 2
// down; 8 sessions make two pages, and the wheel moves through them.
TEST(ViewGridTmux, ManySessionsPageAndTheWheelScrolls) {
  AmuxEnv env;
  std::vector<std::string> names;
  for (int i = 0; i < 8; i++) {
    names.push_back("s" + std::to_string(i) + "x");
    env.bg_exec("echo tile-" + names.back() + "; sleep 600", names.back());
  }
  GridPane p(env, 100, 24);
  p.open_grid();
  ASSERT_TRUE(p.tmux.wait_for("page 1/2")) << p.screen();
  auto shown = [&] {
    std::string s = p.screen();
    int n = 0;
    for (auto& nm : names) n += find_on(s, nm + " ").y >= 0;
    return n;
  };
  EXPECT_TRUE(wait_until([&] { return shown() == 6; }, 10000)) << p.screen();
  std::string s = p.screen();
  std::set<int> ys, xs;
  for (auto& nm : names) {
    Spot at = find_on(s, nm + " ");
    if (at.y >= 0) ys.insert(at.y), xs.insert(at.x);
  }
  EXPECT_EQ(ys, (std::set<int>{4, 12})) << s;
  EXPECT_EQ(xs, (std::set<int>{4, 37, 70})) << s;
  // The wheel moves the selection; past the page, the next page shows.
  for (int i = 0; i < 7; i++) p.wheel(10, 50, true);
  ASSERT_TRUE(p.tmux.wait_for("page 2/2")) << p.screen();
  EXPECT_TRUE(wait_until([&] { return shown() == 2; }, 10000)) << p.screen();
  for (int i = 0; i < 7; i++) p.wheel(10, 50, false);
  ASSERT_TRUE(p.tmux.wait_for("page 1/2")) << p.screen();
}
