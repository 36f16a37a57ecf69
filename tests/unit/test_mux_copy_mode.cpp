// Unit tests for copy mode's logic over a real Screen: moving, paging,
// searching both ways, selecting and copying, the indicator, and the
// picture staying put while output arrives.
#include <gtest/gtest.h>

#include <cstdio>

#include "mux/host/copy_mode.h"
#include "render/screen.h"

using amux::mux::CopyMode;
using amux::render::Screen;
using R = CopyMode::Result;

namespace {

std::unique_ptr<Screen> screen_with_lines(int n, int rows = 10, int cols = 40) {
  auto s = std::make_unique<Screen>(Screen::Options{rows, cols, 1000});
  std::string out;
  char buf[64];
  for (int i = 1; i <= n; ++i) {
    std::snprintf(buf, sizeof buf, "line-%04d text\r\n", i);
    out += buf;
  }
  s->feed(out);
  return s;
}

std::string row_text(const std::vector<amux::render::Cell>& cells) {
  std::string t;
  for (const auto& c : cells) t += c.ch == 0 ? ' ' : char(c.ch < 0x80 ? c.ch : '?');
  while (!t.empty() && t.back() == ' ') t.pop_back();
  return t;
}

TEST(CopyMode, StartsAtTheLiveScreenWithIndicator) {
  auto s = screen_with_lines(100);
  CopyMode cm(*s, 10, 40);
  EXPECT_EQ(cm.indicator(), "[0/91]");  // 101 lines (a blank last), 10 on screen
  amux::render::Cursor cur;
  auto lines = cm.lines(&cur);
  ASSERT_EQ(lines.size(), 10u);
  EXPECT_EQ(row_text(lines[0]).substr(0, 9), "line-0092");
  EXPECT_NE(row_text(lines[0]).find("[0/91]"), std::string::npos);
  EXPECT_EQ(cur.row, 9);
}

TEST(CopyMode, PagingAndTopBottom) {
  auto s = screen_with_lines(100);
  CopyMode cm(*s, 10, 40);
  EXPECT_EQ(cm.input("\x1b[5~"), R::Redraw);  // PgUp
  EXPECT_EQ(cm.indicator(), "[9/91]");
  EXPECT_EQ(cm.input("g"), R::Redraw);
  EXPECT_EQ(cm.indicator(), "[91/91]");
  EXPECT_EQ(cm.line_text(cm.cursor_line()).substr(0, 9), "line-0001");
  EXPECT_EQ(cm.input("G"), R::Redraw);
  EXPECT_EQ(cm.indicator(), "[0/91]");
  EXPECT_EQ(cm.input("\x1b[6~"), R::Redraw);  // PgDn at the bottom stays
  EXPECT_EQ(cm.indicator(), "[0/91]");
}

TEST(CopyMode, SearchBothWaysAndRepeat) {
  auto s = screen_with_lines(100);
  CopyMode cm(*s, 10, 40);
  EXPECT_EQ(cm.input("?line-0050"), R::Redraw);
  EXPECT_EQ(cm.input("\r"), R::Redraw);
  EXPECT_EQ(cm.line_text(cm.cursor_line()).substr(0, 9), "line-0050");
  EXPECT_EQ(cm.input("?line-00"), R::Redraw);
  cm.input("\r");
  EXPECT_EQ(cm.line_text(cm.cursor_line()).substr(0, 9), "line-0049");
  cm.input("n");  // up again
  EXPECT_EQ(cm.line_text(cm.cursor_line()).substr(0, 9), "line-0048");
  cm.input("N");  // the other way
  EXPECT_EQ(cm.line_text(cm.cursor_line()).substr(0, 9), "line-0049");
  cm.input("/line-0099\r");
  EXPECT_EQ(cm.line_text(cm.cursor_line()).substr(0, 9), "line-0099");
  // Not found: a message, the cursor stays.
  cm.input("/nowhere\r");
  EXPECT_EQ(cm.line_text(cm.cursor_line()).substr(0, 9), "line-0099");
  amux::render::Cursor cur;
  auto lines = cm.lines(&cur);
  EXPECT_NE(row_text(lines.back()).find("not found"), std::string::npos);
}

TEST(CopyMode, SearchMatchesAreMarkedTheCurrentOneApart) {
  using amux::render::Color;
  auto s = screen_with_lines(100);
  CopyMode cm(*s, 10, 40);
  amux::render::Cursor cur;
  auto lines = cm.lines(&cur);
  for (const auto& row : lines)
    for (const auto& c : row) ASSERT_EQ(c.bg, Color::def());  // nothing marked before a search
  cm.input("?text\r");
  lines = cm.lines(&cur);
  ASSERT_GE(cur.row, 0);
  int current = 0, others = 0;
  for (int r = 0; r < 9; ++r) {  // (the last row is the live screen's blank line)
    const auto& row = lines[size_t(r)];
    const Color want = r == cur.row ? Color::indexed(5) : Color::indexed(6);
    for (int c = 10; c < 14; ++c) {
      EXPECT_EQ(row[size_t(c)].bg, want) << "row " << r << " col " << c;
      EXPECT_EQ(row[size_t(c)].fg, Color::indexed(0));
      EXPECT_TRUE(row[size_t(c)].attrs & amux::render::kUnderline);
    }
    EXPECT_EQ(row[9].bg, Color::def());   // the space before "text"
    EXPECT_EQ(row[14].bg, Color::def());  // and after it
    (r == cur.row ? current : others)++;
  }
  EXPECT_EQ(current, 1);
  EXPECT_EQ(others, 8);
  // A new search marks only its own matches; leaving ends the marks with the mode.
  cm.input("/0095\r");
  lines = cm.lines(&cur);
  int marked = 0;
  for (const auto& row : lines)
    for (const auto& c : row) marked += c.bg != Color::def();
  EXPECT_EQ(marked, 4);
}

TEST(CopyMode, SelectAndCopy) {
  auto s = screen_with_lines(100);
  CopyMode cm(*s, 10, 40);
  cm.input("?line-0042\r");
  EXPECT_EQ(cm.input("vj$"), R::Redraw);
  EXPECT_EQ(cm.input("y"), R::CopyAndLeave);
  EXPECT_EQ(cm.copied(), "line-0042 text\nline-0043 text");
  // Backwards, part of a line.
  CopyMode b(*s, 10, 40);
  b.input("?line-0010\r");
  b.input("lllv");  // from column 3
  b.input("hhh");
  EXPECT_EQ(b.input("\r"), R::CopyAndLeave);
  EXPECT_EQ(b.copied(), "line");
}

TEST(CopyMode, LeaveKeysAndUnknownKeys) {
  auto s = screen_with_lines(5);
  CopyMode cm(*s, 10, 40);
  EXPECT_EQ(cm.input("x"), R::Nothing);
  EXPECT_EQ(cm.input("q"), R::Leave);
  CopyMode e(*s, 10, 40);
  EXPECT_EQ(e.input("\x1b"), R::Leave);
  // Escape in the prompt closes only the prompt.
  CopyMode p(*s, 10, 40);
  EXPECT_EQ(p.input("/ab"), R::Redraw);
  EXPECT_EQ(p.input("\x1b"), R::Redraw);
  EXPECT_EQ(p.input("\x1b"), R::Leave);
}

TEST(CopyMode, OutputMeanwhileDoesNotMoveThePicture) {
  auto s = screen_with_lines(100);
  CopyMode cm(*s, 10, 40);
  cm.input("\x1b[5~");
  amux::render::Cursor cur;
  std::string before = row_text(cm.lines(&cur)[1]);
  s->feed("more-1\r\nmore-2\r\nmore-3\r\n");
  cm.resize(10, 40);
  EXPECT_EQ(row_text(cm.lines(&cur)[1]), before);
  EXPECT_EQ(cm.indicator(), "[12/94]");
}

TEST(CopyMode, MouseWheelScrolls) {
  auto s = screen_with_lines(100);
  CopyMode cm(*s, 10, 40);
  EXPECT_EQ(cm.input("\x1b[<64;5;5M"), R::Redraw);
  EXPECT_EQ(cm.indicator(), "[3/91]");
  EXPECT_EQ(cm.input("\x1b[<65;5;5M"), R::Redraw);
  EXPECT_EQ(cm.indicator(), "[0/91]");
}

TEST(CopyMode, ControlsNeverInThePicture) {
  auto s = std::make_unique<Screen>(Screen::Options{5, 20, 100});
  s->feed("ok\r\n");
  CopyMode cm(*s, 5, 20);
  cm.input("/\x01\x1b[31m");  // a control and a sequence typed into the prompt
  amux::render::Cursor cur;
  for (const auto& row : cm.lines(&cur))
    for (const auto& c : row) EXPECT_FALSE(c.ch != 0 && c.ch < 0x20) << int(c.ch);
}

// Mouse reports the terminal sends for amux alone never reach the program.
TEST(CopyMode, TakeMouseReports) {
  int up = 0;
  EXPECT_EQ(amux::mux::take_mouse_reports("a\x1b[<64;1;2Mb\x1b[<0;3;4m\x1b[<64;1;1Mc", &up), "abc");
  EXPECT_EQ(up, 2);
  up = 0;
  EXPECT_EQ(amux::mux::take_mouse_reports("\x1b[A\x1b[<65;1;1M", &up), "\x1b[A");
  EXPECT_EQ(up, 0);
  EXPECT_EQ(amux::mux::take_mouse_reports("\x1b[<1x", &up), "\x1b[<1x");
}

}  // namespace
