// Character widths, tmux 3.3a as the oracle: the same bytes printed in a
// private tmux pane and fed to a Screen of the same size must give the same
// text (where each character stands shows its width) and the same cursor:
// emoji from Unicode 10 on, CJK, combining runs, ZWJ sequences, conjoining
// jamo, a wide character at the right margin and ill-formed UTF-8.
// (Where tmux 3.3a is wrong it is left out: it crashes on U+2764 U+FE0F and
// on a narrow character after an emoji and a joiner, and a joiner after a
// CR takes the character after it into a cell earlier in the row.)
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "render/screen.h"
#include "render/text_dump.h"
#include "support/amux_env.h"

using namespace amux::test;
using amux::render::Screen;
namespace fs = std::filesystem;

namespace {

constexpr int kRows = 6, kCols = 40;

struct Case {
  const char* name;
  std::string bytes;
  // tmux 3.3a drops a joiner between letters from the cell (amux keeps it
  // with the letter before it, as it keeps any zero-width character): the
  // texts are compared without it.
  bool strip_zwj = false;
};

std::vector<Case> cases() {
  return {
      {"issue example", "|\U0001F9E0|\U0001FAE0|\r\nafter"},
      {"Unicode 10+ emoji", "\U0001F9D1 \U0001F9E0 \U0001F970 \U0001FAE0 \U0001FA90 \U0001F6F8 \U0001F7E0|"},
      {"older emoji and CJK", "\U0001F600\u4E2D\u6587\uFF21|\u00E9|"},
      {"combining run", "a\u0301\u0302\u0303\u0304b|e\u0301|"},
      {"seven combining marks", "a\u0301\u0302\u0303\u0304\u0305\u0306\u0307c|"},
      {"combining after a new emoji", "\U0001F9E0\u0301|"},
      {"ZWJ sequence", "\U0001F9D1\u200D\U0001F9E0|\U0001F468\u200D\U0001F469\u200D\U0001F467|"},
      {"ZWJ between letters", "a\u200Db|", true},
      {"skin tone", "\U0001F44D\U0001F3FB|"},
      {"flag", "\U0001F1E9\U0001F1EA|"},
      {"conjoining jamo", "\u1100\u1161\u11A8|"},
      {"wide at the right margin", std::string(39, 'x') + "\U0001F9E0|"},
      {"wide in the last two columns", std::string(38, 'y') + "\U0001F9E0|"},
      {"ill-formed UTF-8", "[\xe4\x7f:9\xc3;|\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\x80|\xe4\xbdz|"},
      {"private use", "\U000F0001|\uE000|"},
  };
}

std::string trim_lines(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> lines;
  std::string l;
  while (std::getline(in, l)) {
    while (!l.empty() && l.back() == ' ') l.pop_back();
    lines.push_back(l);
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  std::string out;
  for (const std::string& x : lines) out += x + "\n";
  return out;
}

}  // namespace

TEST(WidthsTmux, ScreenMatchesTmuxPane) {
  char tmpl[] = "/tmp/amux-widths-XXXXXX";
  fs::path dir = mkdtemp(tmpl);
  int n = 0;
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    fs::path file = dir / ("case" + std::to_string(n++));
    std::ofstream(file, std::ios::binary) << c.bytes;
    // The title is the barrier: it is set after the case without moving
    // the cursor; `exec cat` keeps the pane as it is.
    Tmux t(kCols, kRows,
           "sh -c 'stty -opost; cat " + file.string() + "; printf \"\\033]2;WDONE\\007\"; exec cat'");
    ASSERT_TRUE(wait_until([&] { return t.tmux({"display", "-p", "#{pane_title}"}).out == "WDONE\n"; }, 20000));
    std::string tmux_text = trim_lines(t.capture());
    std::string pos = t.tmux({"display", "-p", "#{cursor_x},#{cursor_y}"}).out;

    Screen::Options o;
    o.rows = kRows;
    o.cols = kCols;
    Screen s(o);
    s.feed(c.bytes);
    std::string text = trim_lines(amux::render::dump_screen(s));
    for (size_t p; c.strip_zwj && (p = text.find("\u200D")) != std::string::npos;) text.erase(p, 3);
    EXPECT_EQ(text, tmux_text);
    EXPECT_EQ(std::to_string(s.cursor().col) + "," + std::to_string(s.cursor().row) + "\n", pos);
  }
  fs::remove_all(dir);
}
