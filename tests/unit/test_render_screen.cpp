// Tests for the Screen (src/render/screen*.cpp): libvterm's state layer over
// amux's own row store. The differential tests at the end feed the same
// bytes to libvterm's own screen layer and compare every cell.
#include <gtest/gtest.h>
#include <vterm.h>

#include <algorithm>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "render/cluster_table.h"
#include "render/scrollback.h"
#include "render/screen.h"
#include "support/screen_text.h"

using namespace amux::render;
using amux::test::row_text;
using amux::test::screen_opts;
Screen::Options opts(int rows, int cols, size_t sb = 10000) { return screen_opts(rows, cols, sb); }

namespace {



std::string line_text(const Screen& s, const ScrollbackLine& l) {
  std::string out;
  for (const Cell& cell : l.cells) {
    if (cell.ch == kWideTail) continue;
    out += cell.ch == kBlank ? std::string(" ") : s.cell_text(cell);
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------
// Basic text and cursor

TEST(Screen, PlainTextAndCursor) {
  Screen s(opts(5, 20));
  s.feed("hello");
  EXPECT_EQ(row_text(s, 0), "hello");
  EXPECT_EQ(s.cursor().row, 0);
  EXPECT_EQ(s.cursor().col, 5);
  s.feed("\r\nworld");
  EXPECT_EQ(row_text(s, 1), "world");
  EXPECT_EQ(s.cursor().row, 1);
  s.feed("\x1b[3;7Hxy");
  EXPECT_EQ(row_text(s, 2), "      xy");
  EXPECT_EQ(s.cursor().row, 2);
  EXPECT_EQ(s.cursor().col, 8);
  s.feed("\rA");
  EXPECT_EQ(row_text(s, 2), "A     xy");
  s.feed("\n");  // LF alone keeps the column
  EXPECT_EQ(s.cursor().row, 3);
  EXPECT_EQ(s.cursor().col, 1);
  s.feed("\x1b[2A\x1b[3C");  // up 2, right 3
  EXPECT_EQ(s.cursor().row, 1);
  EXPECT_EQ(s.cursor().col, 4);
}

TEST(Screen, CursorVisibilityAndShape) {
  Screen s(opts(5, 20));
  EXPECT_TRUE(s.cursor().visible);
  uint64_t m = s.meta_seq();
  s.feed("\x1b[?25l");
  EXPECT_FALSE(s.cursor().visible);
  EXPECT_GT(s.meta_seq(), m);
  s.feed("\x1b[?25h\x1b[6 q");  // DECSCUSR steady bar
  EXPECT_TRUE(s.cursor().visible);
  EXPECT_EQ(s.cursor().shape, 3);
  EXPECT_FALSE(s.cursor().blink);
}

TEST(Screen, Autowrap) {
  Screen s(opts(4, 10));
  s.feed("0123456789abc");
  EXPECT_EQ(row_text(s, 0), "0123456789");
  EXPECT_EQ(row_text(s, 1), "abc");
  EXPECT_TRUE(s.row(0).wrapped);
  EXPECT_FALSE(s.row(1).wrapped);
  // Exactly full width followed by CRLF is not a wrap.
  s.feed("\r\n0123456789\r\nx");
  EXPECT_FALSE(s.row(2).wrapped);
  // Wrap carried across two feeds (the phantom column).
  s.feed("\x1b[H\x1b[2J0123456789");
  s.feed("Z");
  EXPECT_TRUE(s.row(0).wrapped);
  EXPECT_EQ(row_text(s, 1), "Z");
}

TEST(Screen, EraseUsesPenBackground) {
  Screen s(opts(4, 10));
  s.feed("abcdefghij\r\nklmnopqrst");
  s.feed("\x1b[1;5H\x1b[41m\x1b[K");  // EL 0 with red background
  EXPECT_EQ(row_text(s, 0), "abcd");
  EXPECT_EQ(s.cell(0, 4).bg, Color::indexed(1));
  EXPECT_EQ(s.cell(0, 9).bg, Color::indexed(1));
  EXPECT_EQ(s.cell(0, 3).bg, Color::def());
  s.feed("\x1b[2;3H\x1b[44m\x1b[1K");  // EL 1
  EXPECT_EQ(row_text(s, 1), "   nopqrst");
  EXPECT_EQ(s.cell(1, 2).bg, Color::indexed(4));
  EXPECT_EQ(s.cell(1, 3).bg, Color::def());
  s.feed("\x1b[42m\x1b[2J");
  for (int r = 0; r < 4; ++r) {
    EXPECT_EQ(row_text(s, r), "");
    EXPECT_EQ(s.cell(r, 7).bg, Color::indexed(2));
  }
  s.feed("\x1b[m\x1b[2J");
  EXPECT_EQ(s.cell(3, 9), Cell{});
}

TEST(Screen, InsertDeleteLinesAndChars) {
  Screen s(opts(5, 10));
  s.feed("1\r\n2\r\n3\r\n4\r\n5");
  s.feed("\x1b[2;1H\x1b[L");  // IL at row 2
  EXPECT_EQ(row_text(s, 0), "1");
  EXPECT_EQ(row_text(s, 1), "");
  EXPECT_EQ(row_text(s, 2), "2");
  EXPECT_EQ(row_text(s, 4), "4");
  s.feed("\x1b[2M");  // DL 2 at row 2
  EXPECT_EQ(row_text(s, 1), "3");
  EXPECT_EQ(row_text(s, 2), "4");
  EXPECT_EQ(row_text(s, 3), "");
  s.feed("\x1b[1;1Habcdef\x1b[1;3H\x1b[2@");  // ICH 2
  EXPECT_EQ(row_text(s, 0), "ab  cdef");
  s.feed("\x1b[3P");  // DCH 3
  EXPECT_EQ(row_text(s, 0), "abdef");
  s.feed("\x1b[1;2H\x1b[2X");  // ECH 2
  EXPECT_EQ(row_text(s, 0), "a  ef");
  EXPECT_EQ(s.scrollback_size(), 0u);
}

TEST(Screen, ScrollRegionDoesNotReachScrollback) {
  Screen s(opts(6, 10));
  s.feed("top\r\n\x1b[3;5r");  // region rows 3..5
  s.feed("\x1b[3;1Ha\r\nb\r\nc\r\nd\r\ne\r\nf");
  EXPECT_EQ(row_text(s, 0), "top");
  EXPECT_EQ(row_text(s, 2), "d");
  EXPECT_EQ(row_text(s, 3), "e");
  EXPECT_EQ(row_text(s, 4), "f");
  EXPECT_EQ(row_text(s, 5), "");
  EXPECT_EQ(s.scrollback_size(), 0u);
  // Reverse index at the region top scrolls the region down.
  s.feed("\x1b[3;1H\x1bM");
  EXPECT_EQ(row_text(s, 2), "");
  EXPECT_EQ(row_text(s, 3), "d");
  EXPECT_EQ(row_text(s, 4), "e");
  // SU / SD inside the region.
  s.feed("\x1b[2S");
  EXPECT_EQ(row_text(s, 2), "e");
  EXPECT_EQ(row_text(s, 3), "");
  EXPECT_EQ(s.scrollback_size(), 0u);
  // A region that starts at the top sends lines to the scrollback (as
  // xterm and libvterm's screen layer do); the rows below stay put.
  s.feed("\x1b[r\x1b[H\x1b[2JA\r\nB\r\nC\r\nD\r\nE\r\nstatus\x1b[1;5r\x1b[5;1H\n\n");
  EXPECT_EQ(s.scrollback_size(), 2u);
  EXPECT_EQ(line_text(s, s.scrollback_line(0)), "A");
  EXPECT_EQ(row_text(s, 0), "C");
  EXPECT_EQ(row_text(s, 5), "status");
}

TEST(Screen, ScrollbackContentOrderAndCapacity) {
  Screen s(opts(3, 20, 5));
  for (int i = 1; i <= 10; ++i) s.feed("line " + std::to_string(i) + "\r\n");
  // Rows: "line 9", "line 10", "" — lines 1..8 scrolled off, 5 kept.
  EXPECT_EQ(row_text(s, 0), "line 9");
  EXPECT_EQ(s.scrollback_capacity(), 5u);
  ASSERT_EQ(s.scrollback_size(), 5u);
  EXPECT_EQ(s.total_lines_scrolled(), 8u);
  for (size_t i = 0; i < 5; ++i)
    EXPECT_EQ(line_text(s, s.scrollback_line(i)), "line " + std::to_string(i + 4));
  EXPECT_GT(s.scrollback_bytes(), 0u);
}

TEST(Screen, ScrollbackKeepsPensAndWideChars) {
  Screen s(opts(2, 20));
  s.feed("\x1b[1;31mred\x1b[0m \x1b[38;2;1;2;3mrgb\x1b[m \xe4\xbd\xa0" "e\xcc\x81\r\n\r\n\r\n");
  ASSERT_GE(s.scrollback_size(), 1u);
  ScrollbackLine l = s.scrollback_line(0);
  ASSERT_EQ(l.cells.size(), 11u);
  EXPECT_EQ(l.cells[0].ch, U'r');
  EXPECT_EQ(l.cells[0].attrs, kBold);
  EXPECT_EQ(l.cells[0].fg, Color::indexed(1));
  EXPECT_EQ(l.cells[3].fg, Color::def());
  EXPECT_EQ(l.cells[4].fg, Color::rgb(1, 2, 3));
  EXPECT_EQ(l.cells[8].ch, U'\u4f60');
  EXPECT_EQ(l.cells[8].width, 2);
  EXPECT_EQ(l.cells[9].ch, kWideTail);
  EXPECT_EQ(s.cell_text(l.cells[10]), "e\xcc\x81");
  EXPECT_EQ(line_text(s, l), "red rgb \xe4\xbd\xa0" "e\xcc\x81");
}

TEST(Scrollback, EncodingIsCompact) {
  std::vector<Cell> cells(80);
  std::string text = "just a plain line of text";
  for (size_t i = 0; i < text.size(); ++i) cells[i].ch = char32_t(text[i]);
  std::string enc;
  Scrollback::encode(cells.data(), cells.size(), false, enc);
  EXPECT_EQ(enc.size(), text.size() + 1);  // header byte + text
  ScrollbackLine back = Scrollback::decode(reinterpret_cast<const uint8_t*>(enc.data()), enc.size());
  ASSERT_EQ(back.cells.size(), text.size());
  for (size_t i = 0; i < text.size(); ++i) EXPECT_EQ(back.cells[i], cells[i]);
}

TEST(Scrollback, RoundTripOddCells) {
  std::vector<Cell> cells(12);
  cells[0] = Cell{U'a', Color::indexed(200), Color::rgb(9, 8, 7), kBold | kCurlyUnderline, 1, 0};
  cells[1] = Cell{kBlank, Color::def(), Color::indexed(3), 0, 1, 0};
  cells[2] = Cell{U'\U0001F600', Color::def(), Color::def(), kItalic, 2, 0};
  cells[3] = Cell{kWideTail, Color::def(), Color::def(), kItalic, 1, 0};
  cells[4] = Cell{kClusterBase + 70000, Color::def(), Color::def(), 0, 1, 0};
  cells[5] = Cell{U'\x05', Color::def(), Color::def(), 0, 1, 0};
  cells[6] = Cell{U'z', Color::def(), Color::def(), kReverse, 1, 0};
  std::string enc;
  Scrollback::encode(cells.data(), cells.size(), true, enc);
  ScrollbackLine back = Scrollback::decode(reinterpret_cast<const uint8_t*>(enc.data()), enc.size());
  EXPECT_TRUE(back.wrapped);
  ASSERT_EQ(back.cells.size(), cells.size());  // wrapped lines are not trimmed
  for (size_t i = 0; i < cells.size(); ++i) EXPECT_EQ(back.cells[i], cells[i]) << i;
}

TEST(Scrollback, RingEvictsAndPops) {
  Scrollback sb(100);
  std::vector<Cell> cells(200);
  for (int i = 0; i < 1000; ++i) {
    std::string t = "row " + std::to_string(i) + std::string(size_t(i % 150), 'x');
    for (size_t k = 0; k < cells.size(); ++k) cells[k].ch = k < t.size() ? char32_t(t[k]) : kBlank;
    sb.push(cells.data(), cells.size(), false);
  }
  ASSERT_EQ(sb.size(), 100u);
  EXPECT_EQ(sb.total_pushed(), 1000u);
  EXPECT_EQ(sb.line(0).cells[4].ch, U'9');  // "row 900"
  EXPECT_LT(sb.bytes(), 100u * 160 + 64 * 1024);
  ScrollbackLine l;
  ASSERT_TRUE(sb.pop_newest(l));
  EXPECT_EQ(l.cells[6].ch, U'9');  // "row 999"
  EXPECT_EQ(sb.size(), 99u);
  while (sb.pop_newest(l)) {
  }
  EXPECT_EQ(sb.size(), 0u);
  sb.push(cells.data(), 3, false);
  EXPECT_EQ(sb.size(), 1u);
}

TEST(Screen, ScrollbackIsCompact) {
  // 10,000 lines of 80 printable characters: about their length each.
  Screen s(opts(50, 200));
  std::string text;
  for (int i = 0; i < 10050; ++i) {
    for (int k = 0; k < 80; ++k) text.push_back(char('!' + (i * 7 + k) % 94));
    text += "\r\n";
  }
  s.feed(text);
  EXPECT_EQ(s.scrollback_size(), 10000u);
  EXPECT_LT(s.scrollback_bytes(), 1000u * 1000);
  // `seq`-like output.
  Screen q(opts(50, 200));
  std::string seq;
  for (int i = 1; i <= 10050; ++i) seq += std::to_string(i) + "\r\n";
  q.feed(seq);
  EXPECT_LT(q.scrollback_bytes(), 200u * 1000);
  EXPECT_EQ(line_text(q, q.scrollback_line(9999)), "10001");
}

TEST(ClusterTable, InternsAndCaps) {
  ClusterTable t(2);
  const uint32_t a[] = {U'e', 0x301}, b[] = {U'a', 0x308}, c[] = {U'o', 0x302};
  char32_t ca = t.intern(a, 2);
  EXPECT_EQ(ca, kClusterBase);
  EXPECT_EQ(t.intern(a, 2), ca);
  EXPECT_EQ(t.intern(b, 2), kClusterBase + 1);
  EXPECT_EQ(t.intern(c, 2), char32_t(U'o'));  // full: base character only
  EXPECT_EQ(t.get(ca), (std::u32string{U'e', 0x301}));
  EXPECT_EQ(t.base(ca), char32_t(U'e'));
  EXPECT_EQ(t.intern(a, 1), char32_t(U'e'));
  EXPECT_TRUE(t.get(kClusterBase + 5).empty());
}

TEST(Screen, ScrollbackCapacityZero) {
  Screen s(opts(2, 10, 0));
  s.feed("a\r\nb\r\nc\r\nd");
  EXPECT_EQ(s.scrollback_size(), 0u);
  EXPECT_EQ(row_text(s, 1), "d");
}

// ---------------------------------------------------------------------------
// Alternate screen, title, bell, notifications

TEST(Screen, AltScreenKeepsPrimaryAndSkipsScrollback) {
  Screen s(opts(3, 10));
  s.feed("one\r\ntwo\r\nthree");
  uint64_t layout = s.layout_seq();
  s.feed("\x1b[?1049h");
  EXPECT_TRUE(s.alt_screen());
  EXPECT_GT(s.layout_seq(), layout);
  EXPECT_EQ(row_text(s, 0), "");
  s.feed("\x1b[Halt1\r\nalt2\r\nalt3\r\nalt4\r\nalt5");
  EXPECT_EQ(row_text(s, 2), "alt5");
  EXPECT_EQ(s.scrollback_size(), 0u);
  s.feed("\x1b[?1049l");
  EXPECT_FALSE(s.alt_screen());
  EXPECT_EQ(row_text(s, 0), "one");
  EXPECT_EQ(row_text(s, 2), "three");
  EXPECT_EQ(s.cursor().row, 2);
  EXPECT_EQ(s.cursor().col, 5);
  // Entering again starts from a clear alternate screen.
  s.feed("\x1b[?1049h");
  EXPECT_EQ(row_text(s, 2), "");
}

TEST(Screen, TitleViaOsc0AndOsc2) {
  Screen s(opts(3, 10));
  std::vector<std::string> titles;
  s.on_title = [&](const std::string& t) { titles.push_back(t); };
  s.feed("\x1b]0;first title\x07");
  EXPECT_EQ(s.title(), "first title");
  EXPECT_EQ(s.icon_name(), "first title");
  s.feed("\x1b]2;second\x1b\\");
  EXPECT_EQ(s.title(), "second");
  EXPECT_EQ(s.icon_name(), "first title");
  ASSERT_EQ(titles.size(), 2u);
  EXPECT_EQ(titles[1], "second");
}

TEST(Screen, Bell) {
  Screen s(opts(3, 10));
  int bells = 0;
  s.on_bell = [&] { ++bells; };
  s.feed("a\x07");
  EXPECT_EQ(bells, 1);
  s.feed("\x07\x07");  // coalesced within one feed
  EXPECT_EQ(bells, 2);
  s.feed("\x1b]2;t\x07");  // BEL as OSC terminator is no bell
  EXPECT_EQ(bells, 2);
}

TEST(Screen, Notifications) {
  Screen s(opts(3, 40));
  std::vector<Notification> got;
  s.on_notification = [&](const Notification& n) { got.push_back(n); };
  s.feed("\x1b]9;Build finished\x07");
  s.feed("\x1b]777;notify;Claude;Needs your input\x1b\\");
  s.feed("\x1b]99;i=1:d=0;Title part\x1b\\");
  EXPECT_EQ(got.size(), 2u);
  s.feed("\x1b]99;i=1:d=1:p=body;The body\x1b\\");
  s.feed("\x1b]99;;aGVsbG8=\x1b\\");  // plain payload, not base64 (no e=1)
  s.feed("\x1b]99;e=1;aGVsbG8=\x1b\\");
  s.feed("\x1b]9;4;1;50\x07");  // ConEmu progress: not a notification
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].osc, 9);
  EXPECT_EQ(got[0].body, "Build finished");
  EXPECT_EQ(got[1].osc, 777);
  EXPECT_EQ(got[1].title, "Claude");
  EXPECT_EQ(got[1].body, "Needs your input");
  EXPECT_EQ(got[2].osc, 99);
  EXPECT_EQ(got[2].title, "Title part");
  EXPECT_EQ(got[2].body, "The body");
  EXPECT_EQ(got[3].title, "aGVsbG8=");
  EXPECT_EQ(got[4].title, "hello");
  // Text around the OSC strings is untouched.
  EXPECT_EQ(row_text(s, 0), "");
}

// ---------------------------------------------------------------------------
// Colours, wide characters, combining marks

TEST(Screen, ColoursAndAttributes) {
  Screen s(opts(3, 20));
  s.feed("\x1b[1;3;4;5;7;9;31;42mA\x1b[0m");
  s.feed("\x1b[38;5;208;48;5;17mB\x1b[m");
  s.feed("\x1b[38;2;10;20;30;48;2;40;50;60mC\x1b[m");
  s.feed("\x1b[94;103mD\x1b[21mE\x1b[4:3mF\x1b[24mG\x1b[39;49mH");
  const Cell& a = s.cell(0, 0);
  EXPECT_EQ(a.attrs, kBold | kItalic | kUnderline | kBlink | kReverse | kStrike);
  EXPECT_EQ(a.fg, Color::indexed(1));
  EXPECT_EQ(a.bg, Color::indexed(2));
  EXPECT_EQ(s.cell(0, 1).fg, Color::indexed(208));
  EXPECT_EQ(s.cell(0, 1).bg, Color::indexed(17));
  EXPECT_EQ(s.cell(0, 1).attrs, 0);
  EXPECT_EQ(s.cell(0, 2).fg, Color::rgb(10, 20, 30));
  EXPECT_EQ(s.cell(0, 2).bg, Color::rgb(40, 50, 60));
  EXPECT_EQ(s.cell(0, 3).fg, Color::indexed(12));
  EXPECT_EQ(s.cell(0, 3).bg, Color::indexed(11));
  EXPECT_EQ(s.cell(0, 4).attrs, kDoubleUnderline);
  EXPECT_EQ(s.cell(0, 5).attrs, kCurlyUnderline);
  EXPECT_EQ(s.cell(0, 6).attrs, 0);
  EXPECT_EQ(s.cell(0, 7).fg, Color::def());
  EXPECT_EQ(s.cell(0, 7).bg, Color::def());
}

TEST(Screen, WideCharacters) {
  Screen s(opts(3, 10));
  s.feed("\xe4\xbd\xa0\xe5\xa5\xbd!\xf0\x9f\x98\x80");  // 你好!😀
  EXPECT_EQ(s.cell(0, 0).ch, U'\u4f60');
  EXPECT_EQ(s.cell(0, 0).width, 2);
  EXPECT_EQ(s.cell(0, 1).ch, kWideTail);
  EXPECT_EQ(s.cell(0, 2).ch, U'\u597d');
  EXPECT_EQ(s.cell(0, 4).ch, U'!');
  EXPECT_EQ(s.cell(0, 5).ch, U'\U0001F600');
  EXPECT_EQ(s.cell(0, 5).width, 2);
  EXPECT_EQ(s.cell(0, 6).ch, kWideTail);
  EXPECT_EQ(s.cursor().col, 7);
  EXPECT_EQ(row_text(s, 0), "\xe4\xbd\xa0\xe5\xa5\xbd!\xf0\x9f\x98\x80");
  // A wide character that does not fit in the last column wraps whole.
  s.feed("\x1b[2;10H\xe4\xbd\xa0");
  EXPECT_EQ(s.cell(1, 9).ch, kBlank);
  EXPECT_EQ(s.cell(2, 0).ch, U'\u4f60');
}

TEST(Screen, OverwritingHalfAWideCharBlanksTheOtherHalf) {
  Screen s(opts(2, 10));
  s.feed("\xe4\xbd\xa0\xe5\xa5\xbd");  // cols 0-1, 2-3
  s.feed("\x1b[1;2Hx");                 // over the tail of the first
  EXPECT_EQ(s.cell(0, 0).ch, kBlank);
  EXPECT_EQ(s.cell(0, 0).width, 1);
  EXPECT_EQ(s.cell(0, 1).ch, U'x');
  s.feed("\x1b[1;3Hy");  // over the head of the second
  EXPECT_EQ(s.cell(0, 2).ch, U'y');
  EXPECT_EQ(s.cell(0, 3).ch, kBlank);
  // Erasing half of a wide character.
  s.feed("\x1b[2;1H\xe4\xbd\xa0\xe5\xa5\xbd\x1b[2;2H\x1b[K");
  EXPECT_EQ(s.cell(1, 0).ch, kBlank);
  EXPECT_EQ(s.cell(1, 0).width, 1);
  // Deleting a character so a tail lands at the cursor.
  s.feed("\x1b[2;1Hab\xe5\xa5\xbd" "c\x1b[2;3H\x1b[P");
  EXPECT_EQ(s.cell(1, 2).ch, kBlank);
  EXPECT_EQ(s.cell(1, 3).ch, U'c');
}

TEST(Screen, CombiningMarks) {
  Screen s(opts(2, 10));
  s.feed("e\xcc\x81x");
  const Cell& c = s.cell(0, 0);
  EXPECT_GE(c.ch, kClusterBase);
  EXPECT_EQ(s.cell_chars(c), (std::u32string{U'e', U'\u0301'}));
  EXPECT_EQ(s.cell_text(c), "e\xcc\x81");
  EXPECT_EQ(s.cell(0, 1).ch, U'x');
  // The same cluster is interned once.
  s.feed("\r\ne\xcc\x81");
  EXPECT_EQ(s.cell(1, 0).ch, c.ch);
  // A mark arriving in the next feed still combines.
  s.feed("a");
  s.feed("\xcc\x88");
  EXPECT_EQ(s.cell_text(s.cell(1, 1)), "a\xcc\x88");
}

TEST(Screen, Utf8SplitAcrossFeeds) {
  Screen s(opts(2, 10));
  std::string text = "a\xe4\xbd\xa0" "b\xf0\x9f\x98\x80" "c\xc3\xa9";
  for (char ch : text) s.feed(std::string_view(&ch, 1));
  EXPECT_EQ(row_text(s, 0), text);
}

// ---------------------------------------------------------------------------
// Replies through on_output

TEST(Screen, DeviceAttributesReply) {
  Screen s(opts(5, 20));
  std::string out;
  s.on_output = [&](std::string_view b) { out.append(b); };
  s.feed("\x1b[c");
  ASSERT_GE(out.size(), 4u);
  EXPECT_EQ(out.substr(0, 3), "\x1b[?");
  EXPECT_EQ(out.back(), 'c');
}

TEST(Screen, CursorPositionReport) {
  Screen s(opts(5, 20));
  std::string out;
  s.on_output = [&](std::string_view b) { out.append(b); };
  s.feed("\x1b[3;7H\x1b[6n");
  EXPECT_EQ(out, "\x1b[3;7R");
}

TEST(Screen, SendTextAndPaste) {
  Screen s(opts(5, 20));
  std::string out;
  s.on_output = [&](std::string_view b) { out.append(b); };
  s.send_text("hi \xc3\xa9\r");
  EXPECT_EQ(out, "hi \xc3\xa9\r");
  out.clear();
  s.send_paste("a\nb");
  EXPECT_EQ(out, "a\rb");
  out.clear();
  s.feed("\x1b[?2004h");
  EXPECT_TRUE(s.modes().bracketed_paste);
  s.send_paste("x\r\ny\x1b[201~z");
  EXPECT_EQ(out, "\x1b[200~x\ry" "z\x1b[201~");
}

// ---------------------------------------------------------------------------
// Modes

TEST(Screen, ModesScanner) {
  Screen s(opts(5, 20));
  EXPECT_EQ(s.modes(), Modes{});
  s.feed("\x1b[?1h\x1b=\x1b[?2004;1004h\x1b[?1002h\x1b[?1006h\x1b[?5h");
  Modes m = s.modes();
  EXPECT_TRUE(m.app_cursor);
  EXPECT_TRUE(m.app_keypad);
  EXPECT_TRUE(m.bracketed_paste);
  EXPECT_TRUE(m.focus_events);
  EXPECT_EQ(m.mouse, 1002);
  EXPECT_EQ(m.mouse_encoding, 1006);
  EXPECT_TRUE(m.reverse_video);
  s.feed("\x1b[?1l\x1b>\x1b[?1000l\x1b[?1006l");
  m = s.modes();
  EXPECT_FALSE(m.app_cursor);
  EXPECT_FALSE(m.app_keypad);
  EXPECT_EQ(m.mouse, 0);
  EXPECT_EQ(m.mouse_encoding, 0);
  EXPECT_TRUE(m.bracketed_paste);
  s.feed("\x1b" "c");  // RIS
  EXPECT_EQ(s.modes(), Modes{});
  // DECSTR is not implemented by libvterm 0.1.4 (it keeps bracketed paste
  // and DECCKM), so the modes stay as they are.
  s.feed("\x1b[?1003;2004h\x1b[!p");
  EXPECT_EQ(s.modes().mouse, 1003);
  EXPECT_TRUE(s.modes().bracketed_paste);
  s.feed("\x1b" "c");
  // Non-private and intermediate forms are not DECSET.
  s.feed("\x1b[1h\x1b[?1$p\x1b[>1h");
  EXPECT_EQ(s.modes(), Modes{});
}

TEST(Screen, ModesScannerSplitAcrossFeeds) {
  Screen s(opts(5, 20));
  s.feed("text\x1b[?20");
  EXPECT_FALSE(s.modes().bracketed_paste);
  s.feed("04h more");
  EXPECT_TRUE(s.modes().bracketed_paste);
  s.feed("\x1b");
  s.feed("=");
  EXPECT_TRUE(s.modes().app_keypad);
  std::string seq = "\x1b[?1;1000;1015h";
  for (char c : seq) s.feed(std::string_view(&c, 1));
  EXPECT_TRUE(s.modes().app_cursor);
  EXPECT_EQ(s.modes().mouse, 1000);
  EXPECT_EQ(s.modes().mouse_encoding, 1015);
  EXPECT_EQ(row_text(s, 0), "text more");
}

// ---------------------------------------------------------------------------
// Change tracking

TEST(Screen, ChangeTrackingOneLine) {
  Screen s(opts(10, 20));
  s.feed("\x1b[5;1H");
  uint64_t since = s.seq();
  s.feed("only row five");
  EXPECT_EQ(s.rows_changed_since(since), std::vector<int>{4});
  EXPECT_GT(s.seq(), since);
  EXPECT_GT(s.row(4).version, since);
  EXPECT_LE(s.row(3).version, since);
  uint64_t since2 = s.seq();
  EXPECT_TRUE(s.rows_changed_since(since2).empty());
  EXPECT_EQ(s.layout_seq() <= since, true);
}

TEST(Screen, ChangeTrackingScrollTouchesAllRows) {
  Screen s(opts(10, 20));
  s.feed("\x1b[10;1Hbottom");
  uint64_t since = s.seq();
  s.feed("\r\n");
  EXPECT_EQ(s.rows_changed_since(since).size(), 10u);
  // A scroll region scroll touches only the region.
  s.feed("\x1b[3;5r\x1b[5;1H");
  since = s.seq();
  s.feed("\n");
  EXPECT_EQ(s.rows_changed_since(since), (std::vector<int>{2, 3, 4}));
}

TEST(Screen, ChangeTrackingMetaAndLayout) {
  Screen s(opts(10, 20));
  uint64_t m = s.meta_seq();
  s.feed("\x1b[3;3H");
  EXPECT_GT(s.meta_seq(), m);
  m = s.meta_seq();
  s.feed("\x1b]2;title\x07");
  EXPECT_GT(s.meta_seq(), m);
  m = s.meta_seq();
  s.feed("\x1b[?2004h");
  EXPECT_GT(s.meta_seq(), m);
  uint64_t since = s.seq();
  s.resize(12, 30);
  EXPECT_GT(s.layout_seq(), since);
  EXPECT_EQ(s.rows_changed_since(since).size(), 12u);
}

// ---------------------------------------------------------------------------
// Resize

TEST(Screen, ResizeBiggerAndSmaller) {
  Screen s(opts(5, 10));
  s.feed("1\r\n2\r\n3\r\n4\r\n5");
  s.resize(8, 20);
  EXPECT_EQ(s.rows(), 8);
  EXPECT_EQ(s.cols(), 20);
  EXPECT_EQ(row_text(s, 0), "1");
  EXPECT_EQ(row_text(s, 4), "5");
  EXPECT_EQ(s.cursor().row, 4);
  s.feed("\x1b[1;15Hwide\x1b[5;2H");
  EXPECT_EQ(row_text(s, 0), "1             wide");
  // Shrinking rows with the cursor at the bottom scrolls the top into the
  // scrollback so the cursor line survives.
  s.resize(3, 20);
  EXPECT_EQ(row_text(s, 0), "3");
  EXPECT_EQ(row_text(s, 2), "5");
  EXPECT_EQ(s.cursor().row, 2);
  ASSERT_EQ(s.scrollback_size(), 2u);
  EXPECT_EQ(line_text(s, s.scrollback_line(0)), "1             wide");
  // Growing again pulls the lines back.
  s.resize(5, 20);
  EXPECT_EQ(s.scrollback_size(), 0u);
  EXPECT_EQ(row_text(s, 0), "1             wide");
  EXPECT_EQ(row_text(s, 4), "5");
  EXPECT_EQ(s.cursor().row, 4);
  // Narrower truncates (no reflow).
  s.resize(5, 4);
  EXPECT_EQ(row_text(s, 0), "1");
  s.feed("\x1b[3;1Habcdefgh");
  EXPECT_EQ(row_text(s, 2), "abcd");
  EXPECT_EQ(row_text(s, 3), "efgh");
}

TEST(Screen, ResizeInAltScreen) {
  Screen s(opts(5, 10));
  s.feed("primary\x1b[?1049h\x1b[5;1Halt");
  s.resize(3, 10);
  EXPECT_TRUE(s.alt_screen());
  EXPECT_EQ(s.cursor().row, 2);
  s.feed("\x1b[?1049l");
  EXPECT_EQ(row_text(s, 0), "primary");
  EXPECT_EQ(s.scrollback_size(), 0u);
}

// ---------------------------------------------------------------------------
// Differential: our Screen vs libvterm's own screen layer

namespace {

// libvterm's screen layer with a scrollback so that resizes behave like
// ours (lines pushed on shrink, pulled back on grow).
class RefTerm {
 public:
  RefTerm(int rows, int cols) : vt_(vterm_new(rows, cols)) {
    vterm_set_utf8(vt_, 1);
    vterm_output_set_callback(vt_, [](const char*, size_t, void*) {}, nullptr);
    vs_ = vterm_obtain_screen(vt_);
    static const VTermScreenCallbacks cbs = {
        nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, &RefTerm::push, &RefTerm::pop,
    };
    vterm_screen_set_callbacks(vs_, &cbs, this);
    vterm_screen_enable_altscreen(vs_, 1);
    vterm_screen_set_damage_merge(vs_, VTERM_DAMAGE_SCROLL);
    vterm_screen_reset(vs_, 1);
    vterm_screen_get_cell(vs_, VTermPos{0, 0}, &blank_);
  }
  ~RefTerm() { vterm_free(vt_); }
  RefTerm(const RefTerm&) = delete;
  RefTerm& operator=(const RefTerm&) = delete;

  // With the Screen's guards 1, 7 and 8 (the cursor is put back inside the
  // screen); callers feed one cursor-restoring sequence at a time.
  void feed(std::string_view b) {
    vterm_input_write(vt_, b.data(), b.size());
    clamp();
    vterm_screen_flush_damage(vs_);
  }
  void resize(int rows, int cols) {
    int old_rows, old_cols;
    vterm_get_size(vt_, &old_rows, &old_cols);
    if (rows == old_rows && cols == old_cols) return;  // as Screen::resize
    vterm_set_size(vt_, rows, cols);
    clamp();
    VTermPos p = cursor();  // guard 8: reset the margins, keep the cursor
    std::string fix = "\x1b[r\x1b[s\x1b[" + std::to_string(p.row + 1) + ";" + std::to_string(p.col + 1) + "H";
    vterm_input_write(vt_, fix.data(), fix.size());
  }
  VTermScreenCell cell(int r, int c) const {
    VTermScreenCell cell;
    vterm_screen_get_cell(vs_, VTermPos{r, c}, &cell);
    return cell;
  }
  VTermPos cursor() const {
    VTermPos p;
    vterm_state_get_cursorpos(vterm_obtain_state(vt_), &p);
    return p;
  }

 private:
  void clamp() {
    int rows, cols;
    vterm_get_size(vt_, &rows, &cols);
    VTermPos p = cursor();
    if (p.row >= 0 && p.row < rows && p.col >= 0 && p.col < cols) return;
    std::string fix = "\x1b[" + std::to_string(std::clamp(p.row, 0, rows - 1) + 1) + ";" +
                      std::to_string(std::clamp(p.col, 0, cols - 1) + 1) + "H";
    vterm_input_write(vt_, fix.data(), fix.size());
  }
  static int push(int cols, const VTermScreenCell* cells, void* u) {
    static_cast<RefTerm*>(u)->sb_.emplace_back(cells, cells + cols);
    return 1;
  }
  static int pop(int cols, VTermScreenCell* cells, void* u) {
    auto* self = static_cast<RefTerm*>(u);
    if (self->sb_.empty()) return 0;
    std::vector<VTermScreenCell> line = std::move(self->sb_.back());
    self->sb_.pop_back();
    for (int c = 0; c < cols; ++c) {
      cells[c] = c < int(line.size()) ? line[size_t(c)] : self->blank_;
      if (cells[c].width < 1) cells[c].width = 1;  // docs/libvterm.md, guard 2
    }
    if (cells[cols - 1].width == 2) cells[cols - 1].width = 1;
    return 1;
  }

  VTerm* vt_;
  VTermScreen* vs_;
  VTermScreenCell blank_{};
  std::deque<std::vector<VTermScreenCell>> sb_;
};

Color ref_color(const VTermColor& c) {
  if (c.type & VTERM_COLOR_DEFAULT_MASK) return Color::def();
  if (VTERM_COLOR_IS_INDEXED(&c)) return Color::indexed(c.indexed.idx);
  return Color::rgb(c.rgb.red, c.rgb.green, c.rgb.blue);
}

// Compares every cell and the cursor; returns a description of the first
// few differences ("" when identical).
std::string diff(const Screen& s, const RefTerm& ref) {
  std::string out;
  int n = 0;
  auto note = [&](int r, int c, const std::string& what) {
    if (n++ < 8) out += "(" + std::to_string(r) + "," + std::to_string(c) + ") " + what + "\n";
  };
  for (int r = 0; r < s.rows(); ++r) {
    for (int c = 0; c < s.cols(); ++c) {
      VTermScreenCell vc = ref.cell(r, c);
      const Cell& ours = s.cell(r, c);
      if (vc.chars[0] == uint32_t(-1)) {
        if (ours.ch != kWideTail) note(r, c, "expected wide tail");
        continue;
      }
      std::u32string want;
      for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && vc.chars[i]; ++i) want.push_back(vc.chars[i]);
      if (s.cell_chars(ours) != want)
        note(r, c, "chars: ours U+" + std::to_string(uint32_t(ours.ch)) + " ref U+" +
                       std::to_string(want.empty() ? 0 : uint32_t(want[0])));
      if (ours.width != vc.width) note(r, c, "width");
      if (want.empty()) {
        // An erased cell: libvterm's screen layer copies the whole pen into
        // it, terminals (and tmux, and the Screen) the background alone.
        if (ours.attrs != 0 || ours.fg != Color::def()) note(r, c, "erased cell with a pen");
        if (ours.bg != ref_color(vc.bg)) note(r, c, "bg " + std::to_string(ours.bg.v));
        continue;
      }
      uint16_t a = ours.attrs;
      int ul = (a & kUnderline) ? 1 : (a & kDoubleUnderline) ? 2 : (a & kCurlyUnderline) ? 3 : 0;
      if (bool(a & kBold) != bool(vc.attrs.bold)) note(r, c, "bold");
      if (ul != int(vc.attrs.underline)) note(r, c, "underline");
      if (bool(a & kItalic) != bool(vc.attrs.italic)) note(r, c, "italic");
      if (bool(a & kBlink) != bool(vc.attrs.blink)) note(r, c, "blink");
      if (bool(a & kReverse) != bool(vc.attrs.reverse)) note(r, c, "reverse");
      if (bool(a & kStrike) != bool(vc.attrs.strike)) note(r, c, "strike");
      if (ours.fg != ref_color(vc.fg)) note(r, c, "fg " + std::to_string(ours.fg.v));
      if (ours.bg != ref_color(vc.bg)) note(r, c, "bg " + std::to_string(ours.bg.v));
    }
  }
  VTermPos p = ref.cursor();
  if (p.row != s.cursor().row || p.col != s.cursor().col)
    out += "cursor ours " + std::to_string(s.cursor().row) + "," + std::to_string(s.cursor().col) +
           " ref " + std::to_string(p.row) + "," + std::to_string(p.col) + "\n";
  if (n > 8) out += std::to_string(n) + " differences in all\n";
  return out;
}

// Feeds `input` to both (ours in uneven pieces) and compares.
void check_same(int rows, int cols, const std::string& input, const std::string& label) {
  Screen s(opts(rows, cols));
  RefTerm ref(rows, cols);
  ref.feed(input);
  std::mt19937 rng(7);
  for (size_t i = 0; i < input.size();) {
    size_t n = std::min(input.size() - i, size_t(1 + rng() % 97));
    s.feed(std::string_view(input).substr(i, n));
    i += n;
  }
  EXPECT_EQ(diff(s, ref), "") << label;
}

std::string ls_like(int lines) {
  std::string out;
  for (int i = 0; i < lines; ++i) {
    out += "\x1b[0m\x1b[01;34mdir" + std::to_string(i) + "\x1b[0m  \x1b[01;32mrun.sh\x1b[0m  "
           "notes.txt  \x1b[38;5;208mimage.png\x1b[0m  \x1b[30;42mshared\x1b[0m\r\n";
  }
  return out;
}

}  // namespace

TEST(ScreenDiff, ColourLsOutput) { check_same(24, 80, ls_like(60), "ls"); }

TEST(ScreenDiff, ScrollingText) {
  std::string in;
  for (int i = 0; i < 500; ++i) in += std::to_string(i * 7919) + " the quick brown fox\r\n";
  check_same(10, 30, in, "seq");
  // Long lines that autowrap.
  std::string wrap;
  for (int i = 0; i < 50; ++i) wrap += std::string(size_t(37 + i), char('a' + i % 26)) + "\r\n";
  check_same(8, 20, wrap, "wrap");
}

TEST(ScreenDiff, ScrollRegions) {
  std::string in = "header\r\n\x1b[3;8r\x1b[3;1H";
  for (int i = 0; i < 30; ++i) in += "\x1b[4" + std::to_string(i % 8) + "mregion line " + std::to_string(i) + "\r\n";
  in += "\x1b[m\x1b[3;1H\x1bM\x1bM\x1b[2T\x1b[3S\x1b[1;5r\x1b[5;1H\n\n\nX\x1b[r\x1b[10;1Hbottom";
  // Left/right margins (DECLRMM + DECSLRM) with scrolling.
  in += "\x1b[?69h\x1b[5;20s\x1b[2;9r\x1b[9;5H" + std::string(60, 'm') + "\n\n\x1b[?69l\x1b[r";
  check_same(12, 40, in, "regions");
}

TEST(ScreenDiff, InsertDelete) {
  std::string in;
  for (int i = 0; i < 10; ++i) in += "row" + std::to_string(i) + " abcdefghijklmnopqrstuvwxyz\r\n";
  in += "\x1b[3;1H\x1b[2L\x1b[5;1H\x1b[3M\x1b[1;5H\x1b[4@\x1b[2;5H\x1b[44m\x1b[6P\x1b[3;2H\x1b[5X";
  in += "\x1b[4;8r\x1b[6;1H\x1b[41m\x1b[2L\x1b[7;1H\x1b[M\x1b[r\x1b[m";
  in += "\x1b[4h\x1b[2;3HINS\x1b[4l";  // insert mode
  check_same(12, 40, in, "insdel");
}

TEST(ScreenDiff, EraseWithColours) {
  std::string in = "some text on the first line\r\nsecond line of text here\r\nthird\r\nfourth line";
  in += "\x1b[1;7;41m\x1b[1;10H\x1b[K\x1b[44m\x1b[2;8H\x1b[1K\x1b[45m\x1b[3;1H\x1b[2K";
  in += "\x1b[0;46m\x1b[4;3H\x1b[J\x1b[3;31;43m\x1b[2;5H\x1b[1J\x1b[m after";
  in += "\x1b[48;2;1;2;3m\x1b[5;1H\x1b[K\n\n\n\n\n\x1b[m";  // scrolled-in rows get the pen
  check_same(8, 40, in, "erase");
}

TEST(ScreenDiff, WideAndCombining) {
  std::string in;
  for (int i = 0; i < 12; ++i)
    in += "\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xb8\x96\xe7\x95\x8c " + std::to_string(i) +
          " \xf0\x9f\x98\x80\xf0\x9f\x8e\x89 caf\x65\xcc\x81 n\xcc\x83\r\n";
  in += "\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xb8\x96\xe7\x95\x8c\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xb8\x96\xe7\x95\x8c"
        "\xe4\xbd\xa0";  // wraps early at an odd width
  check_same(8, 15, in, "wide");
}

TEST(ScreenDiff, VimLikeRedraw) {
  std::string in = "$ vim file\r\n\x1b[?1049h\x1b[?1h\x1b=\x1b[H\x1b[2J";
  for (int r = 1; r <= 22; ++r)
    in += "\x1b[" + std::to_string(r) + ";1H\x1b[33m" + std::to_string(r) + "\x1b[m  \x1b[1mint\x1b[m x" +
          std::to_string(r) + " = \x1b[31m\"str\"\x1b[m;\x1b[K";
  in += "\x1b[23;1H\x1b[7m file.c [+]                         \x1b[m\x1b[24;1H-- INSERT --";
  in += "\x1b[1;22r\x1b[22;1H\n\n\x1b[21;1Hnew line\x1b[1;24r\x1b[5;10H";
  in += "\x1b[2;22r\x1b[2;1H\x1bM\x1b[r\x1b[10;3H";
  check_same(24, 80, in, "vim");
  check_same(24, 80, in + "\x1b[?1049l\x1b[?1l\x1b>after vim\r\n", "vim exit");
}

TEST(ScreenDiff, AltScreenUse) {
  std::string in = ls_like(30) + "\x1b[?1049h\x1b[44m\x1b[2Jin alt\r\n" + ls_like(5) +
                   "\x1b[m\x1b[?1049lback\r\n\x1b[?47h";
  check_same(10, 80, in, "alt");
}

TEST(ScreenDiff, RandomAsciiOperations) {
  std::mt19937 rng(12345);
  auto num = [&](int n) { return std::to_string(1 + int(rng() % unsigned(n))); };
  for (int round = 0; round < 20; ++round) {
    std::string in;
    for (int op = 0; op < 400; ++op) {
      switch (rng() % 14) {
        case 0: in += "\x1b[" + num(12) + ";" + num(40) + "H"; break;
        case 1: {
          // SGR 6 (rapid blink) is blink in tmux and the Screen; libvterm
          // ignores it.
          unsigned code = rng() % 108;
          if (code == 38 || code == 48 || code == 6) ++code;  // (see below)
          in += "\x1b[" + std::to_string(code) + "m";
          break;
        }
        case 2: in += "\x1b[38;5;" + std::to_string(rng() % 256) + "m"; break;
        case 3: in += "\x1b[" + std::to_string(rng() % 3) + "K"; break;
        case 4: in += "\x1b[" + std::to_string(rng() % 3) + "J"; break;
        case 5: in += "\x1b[" + num(3) + (rng() % 2 ? "L" : "M"); break;
        case 6: in += "\x1b[" + num(5) + (rng() % 2 ? "@" : "P"); break;
        case 7: in += "\x1b[" + num(6) + ";" + std::to_string(6 + rng() % 7) + "r"; break;
        case 8: in += "\r\n"; break;
        case 9: in += "\x1b[" + num(3) + (rng() % 2 ? "S" : "T"); break;
        case 10: in += "\x1bM"; break;
        case 11: in += "\x1b[" + num(8) + "X"; break;
        default: {
          size_t len = rng() % 50;
          for (size_t i = 0; i < len; ++i) in.push_back(char(' ' + rng() % 95));
        }
      }
    }
    check_same(12, 40, in, "random round " + std::to_string(round));
  }
}

TEST(ScreenDiff, Resize) {
  Screen s(opts(10, 30));
  RefTerm ref(10, 30);
  auto both = [&](const std::string& in) {
    s.feed(in);
    ref.feed(in);
  };
  auto resize = [&](int r, int c) {
    s.resize(r, c);
    ref.resize(r, c);
  };
  both(ls_like(3) + "line a\r\nline b\r\nline c\r\nline d\r\nline e\r\nline f");
  EXPECT_EQ(diff(s, ref), "");
  resize(6, 30);
  EXPECT_EQ(diff(s, ref), "") << "shrink rows";
  resize(12, 30);
  EXPECT_EQ(diff(s, ref), "") << "grow rows";
  resize(12, 20);
  EXPECT_EQ(diff(s, ref), "") << "narrower";
  resize(12, 50);
  EXPECT_EQ(diff(s, ref), "") << "wider";
  both("\x1b[3;1Hafter resize\x1b[K\r\nmore text here\x1b[12;1H\r\n\r\n");
  EXPECT_EQ(diff(s, ref), "") << "text after resize";
  // Cursor at the top with text below: the case of guard 1.
  both("\x1b[12;1Hbottom text\x1b[1;4H");
  resize(5, 50);
  both("\x1b[2J\x1b[Kxyz");
  EXPECT_EQ(diff(s, ref), "") << "shrink with text below the cursor";
  // In the alternate screen.
  both("\x1b[?1049hALT\x1b[5;1Hbottom");
  resize(3, 40);
  EXPECT_EQ(diff(s, ref), "") << "alt shrink";
  resize(7, 45);
  both("\x1b[?1049l");
  EXPECT_EQ(diff(s, ref), "") << "alt grow and leave";
}

TEST(ScreenDiff, RandomWithResizeAltAndModes) {
  std::mt19937 rng(777);
  auto num = [&](int n) { return std::to_string(1 + int(rng() % unsigned(n))); };
  for (int round = 0; round < 30; ++round) {
    int rows = 4 + int(rng() % 12), cols = 10 + int(rng() % 40);
    Screen s(opts(rows, cols));
    RefTerm ref(rows, cols);
    // A restore with nothing saved gives libvterm's pen a black background
    // (its saved copy is all zeros); the Screen's is the default pen.
    s.feed("\x1b" "7");
    ref.feed("\x1b" "7");
    std::string log;
    bool origin = false;
    for (int op = 0; op < 300; ++op) {
      std::string in;
      switch (rng() % 22) {
        case 0:
          if (rng() % 4 == 0) {
            rows = 4 + int(rng() % 12);
            cols = 10 + int(rng() % 40);
            s.resize(rows, cols);
            ref.resize(rows, cols);
            log += "[resize " + std::to_string(rows) + "x" + std::to_string(cols) + "]";
          }
          break;
        // (The Screen clears the alternate screen with the default
        // background, as tmux does; libvterm with the pen's.)
        case 1: in = rng() % 2 ? "\x1b[49m\x1b[?1049h" : "\x1b[?1049l"; break;
        case 2: in = "\x1b[" + num(16) + ";" + num(50) + "H"; break;
        case 3: {
          // A lone 38 or 48: libvterm reads a colour past the parameters,
          // tmux and the Screen ignore it. SGR 6: blink in tmux and the
          // Screen, nothing in libvterm.
          unsigned code = rng() % 50;
          if (code == 38 || code == 48 || code == 6) ++code;
          in = "\x1b[" + std::to_string(code) + "m";
          break;
        }
        case 4: in = "\x1b[4" + std::to_string(rng() % 8) + "m"; break;
        case 5: in = "\x1b[" + std::to_string(rng() % 3) + (rng() % 2 ? "K" : "J"); break;
        case 6: in = "\x1b[" + num(3) + (rng() % 2 ? "L" : "M"); break;
        case 7: in = "\x1b[" + num(5) + (rng() % 2 ? "@" : "P"); break;
        case 8: in = "\x1b[" + num(6) + ";" + std::to_string(4 + rng() % 12) + "r"; break;
        case 9: in = rng() % 2 ? "\x1b[?7l" : "\x1b[?7h"; break;  // autowrap
        case 10: in = rng() % 2 ? "\x1b[4h" : "\x1b[4l"; break;    // insert mode
        // DECSC / DECRC. In origin mode libvterm's restore may leave the
        // cursor outside the scroll region until the next CSI it knows
        // clamps it; an SGR was one, the Screen's SGR marker is not (the
        // Screen's cursor stays where the restore put it): no DECRC then.
        case 11: in = rng() % 2 || origin ? "\x1b" "7" : "\x1b" "8"; break;
        case 12: in = "\t\b"; break;
        case 13: in = "\x1b[" + num(3) + (rng() % 2 ? "S" : "T"); break;
        case 14: in = rng() % 3 ? "\x1bM" : "\x1b" "D"; break;
        case 15: in = "\x1b[" + num(8) + "X"; break;
        case 16:  // origin mode
          origin = rng() % 2;
          in = origin ? "\x1b[?6h" : "\x1b[?6l";
          break;
        case 17: in = "\r\n"; break;
        default: {
          size_t len = rng() % 60;
          for (size_t i = 0; i < len; ++i) in.push_back(char(' ' + rng() % 95));
        }
      }
      if (!in.empty()) {
        s.feed(in);
        ref.feed(in);
        log += in;
      }
      std::string d = diff(s, ref);
      if (!d.empty()) {
        std::string tail = log.substr(log.size() > 300 ? log.size() - 300 : 0);
        for (char& ch : tail)
          if (ch == '\x1b') ch = '~';
        ADD_FAILURE() << "round " << round << " op " << op << ":\n" << d << "input tail: " << tail;
        return;
      }
    }
  }
}

// Wide characters are where our cells deliberately differ from libvterm's
// (no orphaned halves), so instead of a differential check this verifies
// the pairing invariant after every operation of a random run.
TEST(Screen, WideCharPairsStayConsistent) {
  static const char* kGlyphs[] = {"\xe4\xbd\xa0", "\xf0\x9f\x98\x80", "a", "e\xcc\x81",
                                  "\xe5\xa5\xbd", " ", "\xef\xbc\xa1", "\xe2\x9d\xa4\xef\xb8\x8f"};
  std::mt19937 rng(99);
  for (int round = 0; round < 40; ++round) {
    Screen s(opts(6, 11, 20));
    for (int op = 0; op < 300; ++op) {
      std::string in;
      switch (rng() % 12) {
        case 0: in = "\x1b[" + std::to_string(1 + rng() % 7) + ";" + std::to_string(1 + rng() % 12) + "H"; break;
        case 1: in = "\x1b[" + std::to_string(1 + rng() % 4) + (rng() % 2 ? "@" : "P"); break;
        case 2: in = "\x1b[" + std::to_string(rng() % 3) + "K"; break;
        case 3: in = "\x1b[" + std::to_string(1 + rng() % 4) + "X"; break;
        case 4: s.resize(3 + int(rng() % 6), 5 + int(rng() % 10)); break;
        case 5: in = "\r\n"; break;
        case 6: in = rng() % 2 ? "\x1b[4h" : "\x1b[4l"; break;
        default:
          for (int k = 0; k < 1 + int(rng() % 8); ++k) in += kGlyphs[rng() % 8];
      }
      if (!in.empty()) s.feed(in);
      for (int r = 0; r < s.rows(); ++r) {
        for (int c = 0; c < s.cols(); ++c) {
          const Cell& cell = s.cell(r, c);
          if (cell.width == 2) {
            ASSERT_LT(c + 1, s.cols()) << "wide head in the last column, round " << round;
            ASSERT_EQ(s.cell(r, c + 1).ch, kWideTail) << "round " << round << " op " << op;
          }
          if (cell.ch == kWideTail) {
            ASSERT_GT(c, 0);
            ASSERT_EQ(s.cell(r, c - 1).width, 2) << "orphan tail, round " << round << " op " << op;
          }
        }
      }
    }
  }
}
