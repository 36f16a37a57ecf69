// test_render_widths.cpp — character widths in the Screen's cells come from
// utf8proc (Unicode 15, what terminals and tmux use), not from libvterm
// 0.1.4's older table; and libvterm only ever gets well-formed UTF-8
// (guard 12). WidthFilter (render/width_filter.h) does both.
#include <gtest/gtest.h>

#include <string>

#include "render/redraw.h"
#include "render/safe_text.h"
#include "render/screen.h"
#include "render/text_dump.h"
#include "render/utf8.h"
#include "render/width_filter.h"

using namespace amux::render;

namespace {

Screen::Options opts(int rows, int cols, bool fast = true) {
  Screen::Options o;
  o.rows = rows;
  o.cols = cols;
  o.fast_text = fast;
  return o;
}

std::string u8(char32_t cp) {
  std::string s;
  utf8::append(s, cp);
  return s;
}

// Emoji from Unicode 10 to 14 that libvterm 0.1.4 calls one column wide.
constexpr char32_t kNewEmoji[] = {0x1F9D1, 0x1F9E0, 0x1F970, 0x1FAE0, 0x1FA90, 0x1F6F8, 0x1F7E0};

}  // namespace

TEST(Widths, LibvtermsOwnTableIsOlder) {
  // What the filter works around: libvterm says 1, terminals say 2.
  for (char32_t cp : kNewEmoji) {
    EXPECT_EQ(WidthFilter::libvterm_width(cp), 1) << std::hex << uint32_t(cp);
    EXPECT_EQ(terminal_width(cp), 2) << std::hex << uint32_t(cp);
  }
  EXPECT_EQ(WidthFilter::libvterm_width(0x4E00), 2);
  EXPECT_EQ(WidthFilter::libvterm_width(0x301), 0);
  // The stand-in ranges have the width they stand for in libvterm.
  EXPECT_EQ(WidthFilter::libvterm_width(WidthFilter::kWide0), 2);
  EXPECT_EQ(WidthFilter::libvterm_width(WidthFilter::kWide1), 2);
  EXPECT_EQ(WidthFilter::libvterm_width(WidthFilter::kNarrow0), 1);
  EXPECT_EQ(WidthFilter::libvterm_width(WidthFilter::kNarrow1), 1);
  EXPECT_EQ(WidthFilter::libvterm_width(WidthFilter::kZero0), 0);
  EXPECT_EQ(WidthFilter::libvterm_width(WidthFilter::kZero1), 0);
}

TEST(Widths, NewEmojiAreTwoColumnsWide) {
  for (bool fast : {true, false}) {
    Screen s(opts(5, 40, fast));
    std::string line = "|";
    for (char32_t cp : kNewEmoji) line += u8(cp) + "|";
    s.feed(line);
    int col = 0;
    EXPECT_EQ(uint32_t(s.cell(0, col++).ch), uint32_t(U'|'));
    for (char32_t cp : kNewEmoji) {
      EXPECT_EQ(uint32_t(s.cell(0, col).ch), uint32_t(cp)) << col;
      EXPECT_EQ(s.cell(0, col).width, 2) << col;
      EXPECT_EQ(uint32_t(s.cell(0, col + 1).ch), uint32_t(kWideTail)) << col;
      EXPECT_EQ(uint32_t(s.cell(0, col + 2).ch), uint32_t(U'|')) << col;
      col += 3;
    }
    EXPECT_EQ(s.cursor().col, 1 + 3 * int(std::size(kNewEmoji)));
    EXPECT_EQ(dump_screen(s), line + "\n");
  }
}

TEST(Widths, IssueExampleAndTextAfterIt) {
  Screen s(opts(5, 40));
  s.feed("|\U0001F9E0|\U0001FAE0|\r\nnext line plain text after it");
  EXPECT_EQ(s.cursor().row, 1);
  EXPECT_EQ(uint32_t(s.cell(0, 3).ch), uint32_t(U'|'));
  EXPECT_EQ(uint32_t(s.cell(0, 6).ch), uint32_t(U'|'));
  EXPECT_EQ(dump_screen(s), "|\U0001F9E0|\U0001FAE0|\nnext line plain text after it\n");
}

TEST(Widths, CjkAndOldEmojiUnchanged) {
  Screen s(opts(5, 40));
  s.feed("中文\U0001F600x");
  EXPECT_EQ(uint32_t(s.cell(0, 0).ch), uint32_t(U'中'));
  EXPECT_EQ(s.cell(0, 0).width, 2);
  EXPECT_EQ(uint32_t(s.cell(0, 2).ch), uint32_t(U'文'));
  EXPECT_EQ(uint32_t(s.cell(0, 4).ch), uint32_t(0x1F600u));
  EXPECT_EQ(uint32_t(s.cell(0, 6).ch), uint32_t(U'x'));
  EXPECT_EQ(s.cursor().col, 7);
}

TEST(Widths, WideAtTheRightMarginWraps) {
  Screen s(opts(3, 5));
  s.feed("abcd\U0001F9E0z");
  EXPECT_EQ(uint32_t(s.cell(0, 4).ch), uint32_t(kBlank));
  EXPECT_EQ(uint32_t(s.cell(1, 0).ch), uint32_t(0x1F9E0u));
  EXPECT_EQ(s.cell(1, 0).width, 2);
  EXPECT_EQ(uint32_t(s.cell(1, 2).ch), uint32_t(U'z'));
  EXPECT_EQ(s.cursor().row, 1);
  EXPECT_EQ(s.cursor().col, 3);
  // Pending wrap after a wide glyph ending in the last column.
  Screen t(opts(3, 5));
  t.feed("abc\U0001F9E0");
  EXPECT_EQ(uint32_t(t.cell(0, 3).ch), uint32_t(0x1F9E0u));
  t.feed("q");
  EXPECT_EQ(uint32_t(t.cell(1, 0).ch), uint32_t(U'q'));
  EXPECT_TRUE(t.row(0).wrapped);
}

TEST(Widths, CombiningMarkAfterAStandIn) {
  Screen s(opts(3, 20));
  s.feed("\U0001F9E0\u0301x");
  EXPECT_TRUE(s.cell_chars(s.cell(0, 0)) == std::u32string(U"\U0001F9E0\u0301"));
  EXPECT_EQ(uint32_t(s.cell(0, 2).ch), uint32_t(U'x'));
}

TEST(Widths, ZwjSequenceIsOneCellAsInTmux) {
  // tmux 3.3a: a wide character after a joiner that followed a glyph joins
  // its cell; a narrow one does not; a lone joiner stays where it is.
  Screen s(opts(3, 20));
  s.feed("\U0001F9D1\u200D\U0001F9E0|a\u200Db|\U0001F9D1\u200D\u4E2D|");
  EXPECT_TRUE(s.cell_chars(s.cell(0, 0)) == std::u32string(U"\U0001F9D1\u200D\U0001F9E0"));
  EXPECT_EQ(s.cell(0, 0).width, 2);
  EXPECT_EQ(uint32_t(s.cell(0, 2).ch), uint32_t(U'|'));
  EXPECT_TRUE(s.cell_chars(s.cell(0, 3)) == std::u32string(U"a\u200D"));
  EXPECT_EQ(uint32_t(s.cell(0, 4).ch), uint32_t(U'b'));
  EXPECT_TRUE(s.cell_chars(s.cell(0, 6)) == std::u32string(U"\U0001F9D1\u200D\u4E2D"));
  EXPECT_EQ(uint32_t(s.cell(0, 8).ch), uint32_t(U'|'));
  EXPECT_EQ(s.cursor().col, 9);
  // The emoji alone still gets its own two-column cell afterwards.
  s.feed("\U0001F9E0|");
  EXPECT_EQ(uint32_t(s.cell(0, 9).ch), 0x1F9E0u);
  EXPECT_EQ(uint32_t(s.cell(0, 11).ch), uint32_t(U'|'));
}

TEST(Widths, HangulConjoiningJamoJoinTheSyllable) {
  Screen s(opts(3, 20));
  s.feed("\u1100\u1161|");
  EXPECT_TRUE(s.cell_chars(s.cell(0, 0)) == std::u32string(U"\u1100\u1161"));
  EXPECT_EQ(uint32_t(s.cell(0, 2).ch), uint32_t(U'|'));
}

TEST(Widths, RepRepeatsAStandInAsAWideCharacter) {
  // libvterm 0.1.4 repeats a wide glyph by columns (CSI 2 b after 中 adds
  // one 中); an emoji given to it as a wide stand-in does the same, and the
  // cells hold the emoji. (tmux 3.3a repeats no wide character at all.)
  Screen cjk(opts(3, 20)), emoji(opts(3, 20));
  cjk.feed("\u4E2D\x1b[4b|");
  emoji.feed("\U0001F9E0\x1b[4b|");
  for (int c = 0; c < 8; ++c) {
    EXPECT_EQ(emoji.cell(0, c).width, cjk.cell(0, c).width) << c;
    uint32_t want = cjk.cell(0, c).ch == U'\u4E2D' ? 0x1F9E0u : uint32_t(cjk.cell(0, c).ch);
    EXPECT_EQ(uint32_t(emoji.cell(0, c).ch), want) << c;
  }
  EXPECT_EQ(uint32_t(emoji.cell(0, 2).ch), 0x1F9E0u);
  EXPECT_EQ(emoji.cursor().col, cjk.cursor().col);
}

TEST(Widths, SplitAcrossFeedsByteByByte) {
  std::string text = "a\U0001F9E0b\u00e9\U0001FAE0中\u0301c";
  Screen whole(opts(3, 30)), bytes(opts(3, 30));
  whole.feed(text);
  for (char c : text) bytes.feed(std::string_view(&c, 1));
  EXPECT_EQ(dump_screen(whole), dump_screen(bytes));
  EXPECT_EQ(dump_screen(whole), text + "\n");
  EXPECT_EQ(whole.cursor().col, bytes.cursor().col);
  EXPECT_EQ(whole.cursor().col, 10);
}

TEST(Widths, StandInRangesInTheInputStayThemselves) {
  Screen s(opts(3, 30));
  std::string text = u8(WidthFilter::kNarrow0 + 1) + "|" + u8(WidthFilter::kWide0) + "|" +
                     u8(WidthFilter::kZero0) + "|" + "\U0001F9E0|";
  s.feed(text);
  EXPECT_EQ(uint32_t(s.cell(0, 0).ch), uint32_t(WidthFilter::kNarrow0 + 1));
  EXPECT_EQ(uint32_t(s.cell(0, 1).ch), uint32_t(U'|'));
  EXPECT_EQ(uint32_t(s.cell(0, 2).ch), uint32_t(WidthFilter::kWide0));  // unassigned: one column in utf8proc
  EXPECT_EQ(s.cell(0, 2).width, terminal_width(WidthFilter::kWide0));
  EXPECT_EQ(dump_screen(s), text + "\n");
}

TEST(Widths, OscStringTextIsNotTouched) {
  Screen s(opts(3, 30));
  s.feed("\x1b]2;brain \U0001F9E0\x07ok");
  EXPECT_EQ(s.title(), "brain \U0001F9E0");
  EXPECT_EQ(uint32_t(s.cell(0, 0).ch), uint32_t(U'o'));
}

TEST(Widths, RedrawEmitsTheRealCharacter) {
  Screen s(opts(3, 20));
  s.feed("x\U0001F9E0y");
  Screen copy(opts(3, 20));
  copy.feed(redraw_full(s));
  EXPECT_EQ(dump_screen(copy), "x\U0001F9E0y\n");
  EXPECT_EQ(uint32_t(copy.cell(0, 3).ch), uint32_t(U'y'));
}

// Guard 12: libvterm 0.1.4's decoder gives U+FFFD and the byte for an ASCII
// byte that cuts a sequence short, and after a DEL the run can decode to more
// code points than it has bytes: on_text then writes past its stack array
// and a cell holds a random value. Now ill-formed UTF-8 is dropped before
// libvterm sees it, as tmux drops it.
TEST(Widths, Guard12IllFormedUtf8IsDropped) {
  for (bool fast : {true, false}) {
    for (int i = 0; i < 20; ++i) {
      Screen s(opts(3, 20, fast));
      s.feed(std::string_view("[\xe4\x7f:9\xc3;", 7));
      EXPECT_EQ(dump_screen(s), "[:9;\n");
    }
  }
  Screen s(opts(3, 40));
  // Overlong, surrogate, beyond U+10FFFF, stray continuation, cut by ESC.
  s.feed(std::string_view("\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\x80|\xe4\xbd\x1b[m|", 21));
  EXPECT_EQ(dump_screen(s), "|||||\n");
}

// libvterm 0.1.4 keeps five combining marks per cell; the Screen keeps up
// to WidthFilter::kMaxMarks (tmux 3.3a keeps all seven here).
TEST(Widths, SevenCombiningMarksAreKept) {
  const std::u32string want = U"a\u0301\u0302\u0303\u0304\u0305\u0306\u0307";
  for (bool split : {false, true}) {
    Screen s(opts(3, 20));
    std::string text = "a\u0301\u0302\u0303\u0304\u0305\u0306\u0307c";
    if (split) {
      for (char c : text) s.feed(std::string_view(&c, 1));
    } else {
      s.feed(text);
    }
    EXPECT_TRUE(s.cell_chars(s.cell(0, 0)) == want) << split;
    EXPECT_EQ(uint32_t(s.cell(0, 1).ch), uint32_t(U'c'));
    EXPECT_EQ(dump_screen(s), text + "\n");
  }
  // Two such cells in one feed keep their own marks; past the limit the
  // rest are dropped.
  Screen s(opts(3, 40));
  std::string many = "x";
  for (int i = 0; i < 30; ++i) many += "\u0308";
  s.feed("a\u0301\u0302\u0303\u0304\u0305\u0306b\u0311\u0312\u0313\u0314\u0315\u0316\u0317|" + many + "|");
  EXPECT_TRUE(s.cell_chars(s.cell(0, 0)) == std::u32string(U"a\u0301\u0302\u0303\u0304\u0305\u0306"));
  EXPECT_TRUE(s.cell_chars(s.cell(0, 1)) == std::u32string(U"b\u0311\u0312\u0313\u0314\u0315\u0316\u0317"));
  EXPECT_EQ(s.cell_chars(s.cell(0, 3)).size(), size_t(WidthFilter::kMaxMarks + 1));
  EXPECT_EQ(uint32_t(s.cell(0, 4).ch), uint32_t(U'|'));
  // A REP after a cell with a tail and a resize do not lose track.
  s.feed("\r\n\u00e9\u0301\u0302\u0303\u0304\u0305\x1b[1b.");
  EXPECT_EQ(uint32_t(s.cell(1, 2).ch), uint32_t(U'.'));
}

TEST(Widths, NoJoinAcrossAControl) {
  // After a CR the joiner has no glyph before it: the emoji gets its own
  // cell, as in tmux.
  Screen s(opts(3, 20));
  s.feed("ab\r\u200D\U0001F9E0|");
  EXPECT_EQ(uint32_t(s.cell(0, 0).ch), 0x1F9E0u);
  EXPECT_EQ(uint32_t(s.cell(0, 2).ch), uint32_t(U'|'));
}
