// Tests for text dumps of a Screen (src/render/text_dump.cpp): capture of
// the visible screen, history with soft-wrapped lines joined, SGR output.
#include <gtest/gtest.h>

#include <string>

#include "render/screen.h"
#include "render/text_dump.h"

using namespace amux::render;

namespace {
Screen::Options opts(int rows, int cols) {
  Screen::Options o;
  o.rows = rows;
  o.cols = cols;
  return o;
}
}  // namespace

TEST(TextDump, PlainScreen) {
  Screen s(opts(5, 20));
  s.feed("hello   \r\n\r\n  indented\x1b[4;1H\xe4\xbd\xa0\xe5\xa5\xbd wide");
  EXPECT_EQ(dump_screen(s), "hello\n\n  indented\n\xe4\xbd\xa0\xe5\xa5\xbd wide\n");
  DumpOptions keep;
  keep.trim_trailing_blank_lines = false;
  EXPECT_EQ(dump_screen(s, keep), "hello\n\n  indented\n\xe4\xbd\xa0\xe5\xa5\xbd wide\n\n");
}

TEST(TextDump, EmptyScreen) {
  Screen s(opts(3, 10));
  EXPECT_EQ(dump_screen(s), "");
  EXPECT_EQ(dump_history(s), "");
  EXPECT_EQ(last_meaningful_line(s), "");
}

TEST(TextDump, CombiningMarksAndBlanksInside) {
  Screen s(opts(2, 20));
  s.feed("cafe\xcc\x81\tx");  // a tab leaves never-written cells
  EXPECT_EQ(dump_screen(s), "cafe\xcc\x81    x\n");
}

TEST(TextDump, Sgr) {
  Screen s(opts(3, 20));
  s.feed("\x1b[1;31mred\x1b[0m plain \x1b[38;5;200;48;2;1;2;3mX\x1b[m\r\n\x1b[4;7mul\x1b[m");
  DumpOptions o;
  o.sgr = true;
  EXPECT_EQ(dump_screen(s, o),
            "\x1b[0;1;31mred\x1b[0m plain \x1b[0;38;5;200;48;2;1;2;3mX\x1b[0m\n"
            "\x1b[0;4;7mul\x1b[0m\n");
  // Trailing cells with a background colour are kept with sgr.
  Screen t(opts(2, 6));
  t.feed("a\x1b[44m\x1b[K\x1b[m");
  EXPECT_EQ(dump_screen(t, o), "a\x1b[0;44m     \x1b[0m\n");
  EXPECT_EQ(dump_screen(t), "a\n");
}

TEST(TextDump, HistoryJoinsSoftWraps) {
  Screen s(opts(3, 10));
  s.feed("first\r\n0123456789abcdef\r\nthird\r\nfourth\r\nfifth");
  // Scrolled off: "first", "0123456789" (wrapped), "abcdef".
  EXPECT_EQ(dump_history(s), "first\n0123456789abcdef\nthird\nfourth\nfifth\n");
  EXPECT_EQ(dump_history(s, 2), "fourth\nfifth\n");
  EXPECT_EQ(dump_screen(s), "third\nfourth\nfifth\n");
}

TEST(TextDump, HistoryKeepsSpacesAtAWrap) {
  Screen s(opts(2, 5));
  s.feed("abcd efgh\r\nz\r\n\r\n");  // wraps right after the space
  EXPECT_EQ(dump_history(s), "abcd efgh\nz\n");
}

TEST(TextDump, HistorySgr) {
  Screen s(opts(2, 10));
  s.feed("\x1b[32mgreen\x1b[m\r\nx\r\ny");
  DumpOptions o;
  o.sgr = true;
  EXPECT_EQ(dump_history(s, 0, o), "\x1b[0;32mgreen\x1b[0m\nx\ny\n");
}

TEST(TextDump, LastMeaningfulLine) {
  Screen s(opts(6, 30));
  s.feed("build output\r\n   \xe2\x9c\xbb Thinking...   \r\n\r\n\r\n");
  EXPECT_EQ(last_meaningful_line(s), "\xe2\x9c\xbb Thinking...");
}

TEST(TextDump, NoBidiOverrideOrC1FromTheProgramReachesTheDump) {
  Screen s(opts(2, 30));
  // U+202E (right-to-left override), U+2066 (isolate), U+009B as UTF-8.
  s.feed("ab\xe2\x80\xae" "cd\xe2\x81\xa6" "ef\xc2\x9b" "gh");
  const std::string d = dump_screen(s);
  EXPECT_EQ(d.find("\xe2\x80\xae"), std::string::npos) << d;
  EXPECT_EQ(d.find("\xe2\x81\xa6"), std::string::npos) << d;
  EXPECT_EQ(d.find("\xc2\x9b"), std::string::npos) << d;
  EXPECT_NE(d.find("ab"), std::string::npos) << d;
  EXPECT_NE(d.find("gh"), std::string::npos) << d;
}
