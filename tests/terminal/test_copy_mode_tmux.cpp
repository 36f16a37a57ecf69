// Terminal tests: copy mode (C-b [) while attached inside a real tmux, as a
// person uses it: 500 numbered lines printed, C-b [, PgUp, a search, a
// selection copied to the amux buffer (the search's matches marked) and, with clipboard = "osc52", to the
// terminal's clipboard (the outer tmux has set-clipboard on, so it keeps
// what OSC 52 carried as its own buffer), q back to the live screen with
// the output that arrived meanwhile. Both key readers are tried: the host
// reading the client's terminal (the default) and the client relaying keys
// (AMUX_ATTACH_RELAY=1).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <algorithm>

#include "support/amux_env.h"

using namespace amux::test;
namespace fs = std::filesystem;

namespace {

// 500 numbered lines, then a line of its own once the go file appears.
const char* kLines = R"(import os, sys, time
go = sys.argv[1]
for i in range(1, 501):
    print("line-%04d the quick brown fox" % i)
print("printed-all", flush=True)
while not os.path.exists(go):
    time.sleep(0.02)
print("LIVE-AFTER-COPY", flush=True)
time.sleep(3600)
)";

struct CopySession {
  AmuxEnv env;
  std::string go, id;
  Tmux tmux{100, 30, "env PS1='$ ' TERM=tmux-256color bash --norc --noprofile"};

  explicit CopySession(bool relay) {
    env.write_config("clipboard = \"osc52\"\n");
    go = env.config_dir() + "/go";
    std::ofstream(env.config_dir() + "/lines.py") << kLines;
    id = env.bg_exec("python3 " + env.config_dir() + "/lines.py " + go);
    EXPECT_TRUE(env.wait_capture(id, "printed-all", 15000)) << env.capture(id);
    tmux.tmux({"set-option", "-g", "set-clipboard", "on"});
    EXPECT_TRUE(tmux.wait_for("$"));
    tmux.send_text(env.env_prefix() + (relay ? "AMUX_ATTACH_RELAY=1 " : "") + amux_bin() + " attach " + id);
    tmux.send_keys({"Enter"});
    EXPECT_TRUE(tmux.wait_for("printed-all", 15000)) << tmux.capture();
  }

  // The "[N/M]" indicator on the pane, or "" when none.
  std::string indicator() const {
    std::smatch m;
    std::string pane = tmux.capture();
    static const std::regex re(R"(\[(\d+)/(\d+)\])");
    return std::regex_search(pane, m, re) ? m.str(0) : "";
  }

  bool wait_indicator(const std::function<bool(long, long)>& ok) const {
    return wait_until([&] {
      std::string s = indicator();
      long n = 0, m = 0;
      return !s.empty() && std::sscanf(s.c_str(), "[%ld/%ld]", &n, &m) == 2 && ok(n, m);
    }, 15000);
  }
};

// The SGR parameters tmux's escaped capture (capture-pane -e) puts right
// before `text`, as a set ("4", "30", "45"); empty when there are none.
std::set<std::string> pen_before(const std::string& pane, const std::string& text) {
  std::set<std::string> out;
  size_t end = pane.find(text);
  if (end == std::string::npos) return {"text not on the pane"};
  static const std::regex sgr("\x1b\\[([0-9;:]*)m$");
  std::smatch m;
  std::string head = pane.substr(0, end);
  while (std::regex_search(head, m, sgr)) {  // each SGR of the run, from the last back
    std::stringstream params(m.str(1));
    for (std::string p; std::getline(params, p, ';');) out.insert(p);
    head.resize(size_t(m.position(0)));
  }
  return out;
}

void walk_through(bool relay) {
  CopySession s(relay);
  const Tmux& t = s.tmux;
  // C-b [: copy mode over the screen as it is, at the bottom of the history.
  t.send_keys({"C-b", "["});
  ASSERT_TRUE(s.wait_indicator([](long n, long m) { return n == 0 && m > 400; })) << t.capture();
  // PgUp: a page back; line 470-ish is now on top.
  t.send_keys({"PPage"});
  ASSERT_TRUE(s.wait_indicator([](long n, long) { return n >= 20 && n <= 40; })) << t.capture();
  // Search up for line 123, then select it and the next line, and copy.
  t.send_keys({"?"});
  ASSERT_TRUE(t.wait_for("Search up:")) << t.capture();
  t.send_text("line-0123 ");
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("line-0123 the quick")) << t.capture();
  EXPECT_FALSE(t.capture().find("Search up:") != std::string::npos);
  // n repeats the search (upwards): no other match, it wraps to the same line.
  t.send_keys({"n"});
  t.send_keys({"v", "j", "$"});
  ASSERT_TRUE(wait_until([&] { return t.capture(true).find("\x1b[7m") != std::string::npos; }))
      << t.capture(true);
  t.send_keys({"y"});
  // y leaves copy mode: the live screen is back.
  ASSERT_TRUE(wait_until([&] { return s.indicator().empty(); }, 15000)) << t.capture();
  ASSERT_TRUE(t.wait_for("printed-all")) << t.capture();
  const std::string want = "line-0123 the quick brown fox\nline-0124 the quick brown fox";
  ASSERT_TRUE(wait_until([&] { return s.env.amux({"show-buffer"}).out == want; }))
      << s.env.amux({"show-buffer"}).out;
  // OSC 52 reached the outer terminal's clipboard (tmux's buffer).
  EXPECT_TRUE(wait_until([&] { return t.tmux({"show-buffer"}).out == want; }))
      << t.tmux({"show-buffer"}).out;

  // Again, g goes to the top of the history, G to the bottom; / searches down.
  t.send_keys({"C-b", "["});
  ASSERT_TRUE(s.wait_indicator([](long n, long) { return n == 0; })) << t.capture();
  t.send_keys({"g"});
  ASSERT_TRUE(s.wait_indicator([](long n, long m) { return n == m && m > 0; })) << t.capture();
  ASSERT_TRUE(t.wait_for("line-0001 the quick")) << t.capture();
  t.send_keys({"/"});
  ASSERT_TRUE(t.wait_for("Search down:")) << t.capture();
  t.send_text("line-0077");
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("line-0077 the")) << t.capture();
  // The match is marked as the current one (black on magenta, underlined),
  // the rest of its line is not.
  const std::set<std::string> current{"4", "30", "45"};
  EXPECT_TRUE(wait_until([&] {
    auto pen = pen_before(t.capture(true), "line-0077");
    return std::includes(pen.begin(), pen.end(), current.begin(), current.end());
  })) << t.capture(true);
  EXPECT_EQ(t.capture(true).find("line-0077 the"), std::string::npos);  // a pen change after the match
  t.send_keys({"G"});
  ASSERT_TRUE(s.wait_indicator([](long n, long) { return n == 0; })) << t.capture();
  t.send_keys({"PPage", "PPage"});
  ASSERT_TRUE(s.wait_indicator([](long n, long) { return n > 40; })) << t.capture();
  // Output that arrives meanwhile is kept but not shown.
  std::ofstream(s.go).close();
  ASSERT_TRUE(s.env.wait_capture(s.id, "LIVE-AFTER-COPY", 15000));  // the host has it
  EXPECT_EQ(t.capture().find("LIVE-AFTER-COPY"), std::string::npos) << t.capture();
  EXPECT_FALSE(s.indicator().empty());
  // q: the live screen, with what came meanwhile.
  t.send_keys({"q"});
  ASSERT_TRUE(t.wait_for("LIVE-AFTER-COPY", 15000)) << t.capture();
  EXPECT_TRUE(s.indicator().empty()) << t.capture();
  // Keys reach the program again (and not copy mode): typing shows nothing
  // of copy mode, and the session keeps running.
  EXPECT_TRUE(t.alive());
}

TEST(CopyMode, PersonWalkThroughHostReadsKeys) { walk_through(false); }

TEST(CopyMode, PersonWalkThroughClientRelaysKeys) { walk_through(true); }

// Escape leaves too; copy mode's keys never reach the program.
TEST(CopyMode, EscapeLeavesAndKeysStayOut) {
  AmuxEnv env;
  const std::string log = env.config_dir() + "/typed";
  std::ofstream(env.config_dir() + "/cat.py")
      << "import os, sys, tty\ntty.setraw(0)\nlog = open(sys.argv[1], 'ab', buffering=0)\n"
         "os.write(1, b'cat-ready\\r\\n')\nwhile True:\n    b = os.read(0, 100)\n    log.write(b)\n";
  std::string id = env.bg_exec("python3 " + env.config_dir() + "/cat.py " + log);
  ASSERT_TRUE(env.wait_capture(id, "cat-ready", 15000));
  Tmux t(100, 30, "env PS1='$ ' TERM=tmux-256color bash --norc --noprofile");
  ASSERT_TRUE(t.wait_for("$"));
  t.send_text(env.env_prefix() + amux_bin() + " attach " + id);
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("cat-ready", 15000)) << t.capture();
  t.send_keys({"C-b", "["});
  ASSERT_TRUE(t.wait_for("[0/")) << t.capture();
  t.send_keys({"k", "j", "v", "x", "/"});
  ASSERT_TRUE(t.wait_for("Search down:")) << t.capture();
  t.send_keys({"Escape"});
  ASSERT_TRUE(t.wait_gone("Search down:")) << t.capture();
  t.send_keys({"Escape"});
  ASSERT_TRUE(t.wait_gone("[0/")) << t.capture();
  // A key typed now reaches the program; nothing typed in copy mode did.
  t.send_text("Z");
  ASSERT_TRUE(wait_until([&] {
    std::ifstream in(log);
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return s.find('Z') != std::string::npos;
  }, 15000));
  std::ifstream in(log);
  std::string typed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(typed, "Z");
}

// The wheel (as the terminal reports it: SGR mouse, which amux turned on
// because the program did not ask for the mouse) scrolls into copy mode;
// a wheel-down at the bottom stays, q leaves.
TEST(CopyMode, WheelUpEntersWhenTheProgramHasNoMouse) {
  CopySession s(false);
  const Tmux& t = s.tmux;
  t.send_keys({"-l", "\x1b[<64;10;10M"});
  ASSERT_TRUE(s.wait_indicator([](long n, long m) { return n == 3 && m > 400; })) << t.capture();
  t.send_keys({"-l", "\x1b[<64;10;10M\x1b[<64;10;10M"});
  ASSERT_TRUE(s.wait_indicator([](long n, long) { return n == 9; })) << t.capture();
  t.send_keys({"-l", "\x1b[<65;10;10M"});
  ASSERT_TRUE(s.wait_indicator([](long n, long) { return n == 6; })) << t.capture();
  t.send_keys({"q"});
  ASSERT_TRUE(wait_until([&] { return s.indicator().empty(); })) << t.capture();
}

// A program that asked for the mouse gets the wheel itself, and no copy mode.
TEST(CopyMode, ProgramWithMouseGetsTheWheel) {
  AmuxEnv env;
  const std::string log = env.config_dir() + "/typed";
  std::ofstream(env.config_dir() + "/mouse.py")
      << "import os, sys, tty\ntty.setraw(0)\nlog = open(sys.argv[1], 'ab', buffering=0)\n"
         "os.write(1, b'\\x1b[?1000h\\x1b[?1006hmouse-ready\\r\\n')\n"
         "while True:\n    b = os.read(0, 100)\n    log.write(b)\n";
  std::string id = env.bg_exec("python3 " + env.config_dir() + "/mouse.py " + log);
  ASSERT_TRUE(env.wait_capture(id, "mouse-ready", 15000));
  Tmux t(100, 30, "env PS1='$ ' TERM=tmux-256color bash --norc --noprofile");
  ASSERT_TRUE(t.wait_for("$"));
  t.send_text(env.env_prefix() + amux_bin() + " attach " + id);
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("mouse-ready", 15000)) << t.capture();
  t.send_keys({"-l", "\x1b[<64;10;10M"});
  ASSERT_TRUE(wait_until([&] {
    std::ifstream in(log);
    std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return got == "\x1b[<64;10;10M";
  }, 15000));
  EXPECT_EQ(t.capture().find("[3/"), std::string::npos) << t.capture();
}

}  // namespace
