// Render fidelity: where libvterm 0.1.4 drew a program's output differently
// from tmux 3.3a and the Screen now draws it as tmux does — erases with the
// background only, C1 controls sent as UTF-8, SGR 58 in both forms, colon
// RGB with an empty colour-space field, and every attribute tmux keeps
// (dim, italic, blink, reverse, conceal, strike, overline, five underline
// styles, underline colour) in the cells, in `capture -e` (dump_screen with
// SGR) and in what the redraw sends an attached client.
#include <gtest/gtest.h>

#include <string>

#include "render/pen_filter.h"
#include "render/redraw.h"
#include "render/screen.h"
#include "render/sgr.h"
#include "render/text_dump.h"

using namespace amux::render;

namespace {

Screen make(int rows, int cols) {
  Screen::Options o;
  o.rows = rows;
  o.cols = cols;
  return Screen(o);
}

std::string row_text(const Screen& s, int r) {
  std::string out;
  for (int c = 0; c < s.cols(); ++c) {
    const Cell& x = s.cell(r, c);
    out += x.ch == kBlank ? " " : s.cell_text(x);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

Pen pen_after(const std::string& sgr) {
  Screen s = make(1, 10);
  s.feed(sgr + "X");
  return s.pen_of(s.cell(0, 0));
}

}  // namespace

TEST(Fidelity, EraseUsesBackgroundOnly) {
  // Every erase, with attributes that show on a blank: the erased cells get
  // the background colour alone (tmux: grid_view_clear with bg).
  const std::string pens[] = {"\x1b[7m", "\x1b[4m", "\x1b[9m", "\x1b[53m", "\x1b[1;2;3;5;8;31;44m",
                              "\x1b[4:3;58:2::1:2:3m"};
  const std::string erases[] = {"\x1b[K", "\x1b[0K", "\x1b[1K", "\x1b[2K", "\x1b[5X",
                                "\x1b[J", "\x1b[1J", "\x1b[2J", "\x1b[2@", "\x1b[2P", "\x1b[L", "\x1b[M"};
  for (const std::string& p : pens) {
    for (const std::string& e : erases) {
      SCOPED_TRACE(p.substr(1) + " then " + e.substr(1));
      Screen s = make(3, 10);
      s.feed("abcdefghij\r\nabcdefghij\r\nabcdefghij\x1b[2;4H" + p + "X" + e + "\x1b[0m");
      Pen bg_only{};
      bg_only.bg = pen_after(p).bg;
      int erased = 0;
      for (int r = 0; r < 3; ++r) {
        for (int c = 0; c < 10; ++c) {
          const Cell& x = s.cell(r, c);
          if (x.ch != kBlank) continue;
          ++erased;
          EXPECT_EQ(s.pen_of(x), bg_only) << r << "," << c;
        }
      }
      EXPECT_GT(erased, 0);
    }
  }
  // The issue's example: the rest of the line is not reverse.
  Screen s = make(1, 10);
  s.feed("\x1b[7mX\x1b[K\x1b[0m");
  EXPECT_EQ(s.cell(0, 0).attrs, kReverse);
  EXPECT_EQ(s.cell(0, 5), Cell{});
}

TEST(Fidelity, C1AsUtf8DeletesNothing) {
  // U+009B, U+0085, U+009D sent as UTF-8 are dropped (tmux), never printed
  // with libvterm's width of -1 over the character before them.
  for (const char* c1 : {"\xc2\x9b", "\xc2\x85", "\xc2\x9d", "\xc2\x80", "\xc2\x9f"}) {
    Screen s = make(2, 20);
    s.feed(std::string("abc") + c1 + "def");
    EXPECT_EQ(row_text(s, 0), "abcdef") << int(static_cast<unsigned char>(c1[1]));
    EXPECT_EQ(s.cursor().col, 6);
  }
  // Split between feeds, and a combining mark after it still joins the
  // letter before.
  Screen s = make(1, 20);
  s.feed("ab\xc2");
  s.feed("\x9b" "c\xc2\x85\xcc\x81|");
  EXPECT_EQ(row_text(s, 0), "abc\u0301|");
}

TEST(Fidelity, UnderlineColourSemicolonForm) {
  // The issue's two cases: the pen before is kept, the colour is read.
  Pen a = pen_after("\x1b[1;31m\x1b[58;2;0;255;0m");
  EXPECT_EQ(a.attrs, kBold);
  EXPECT_EQ(a.fg, Color::indexed(1));
  EXPECT_EQ(a.ul, Color::rgb(0, 255, 0));
  Pen b = pen_after("\x1b[1;32m\x1b[58;5;196m");
  EXPECT_EQ(b.attrs, kBold);  // no blink
  EXPECT_EQ(b.fg, Color::indexed(2));
  EXPECT_EQ(b.ul, Color::indexed(196));
  // Colon forms, and 59 back to the default.
  EXPECT_EQ(pen_after("\x1b[58:2::10:20:30m").ul, Color::rgb(10, 20, 30));
  EXPECT_EQ(pen_after("\x1b[58:2:10:20:30m").ul, Color::rgb(10, 20, 30));
  EXPECT_EQ(pen_after("\x1b[58:5:9m").ul, Color::indexed(9));
  EXPECT_EQ(pen_after("\x1b[4;58;5;9;59m").ul, Color::def());
  EXPECT_EQ(pen_after("\x1b[58;5;9;0m"), Pen{});
  // In the same SGR as other attributes, both forms.
  Pen c = pen_after("\x1b[4;58;2;1;2;3;7m");
  EXPECT_EQ(c.attrs, kUnderline | kReverse);
  EXPECT_EQ(c.ul, Color::rgb(1, 2, 3));
}

TEST(Fidelity, ColonRgbEmptyColourSpace) {
  EXPECT_EQ(pen_after("\x1b[38:2::1:2:3m").fg, Color::rgb(1, 2, 3));
  EXPECT_EQ(pen_after("\x1b[48:2::1:2:3m").bg, Color::rgb(1, 2, 3));
  EXPECT_EQ(pen_after("\x1b[38:2:0:1:2:3m").fg, Color::rgb(1, 2, 3));
  EXPECT_EQ(pen_after("\x1b[38:2:1:2:3m").fg, Color::rgb(1, 2, 3));
  EXPECT_EQ(pen_after("\x1b[38:5:208m").fg, Color::indexed(208));
  // tmux's rules for what is not quite right: an invalid RGB in the
  // semicolon form leaves its numbers to be read as SGRs.
  EXPECT_EQ(pen_after("\x1b[1m\x1b[38;2;300;1;4m"), Pen({}, {}, kBold | kUnderline));
  EXPECT_EQ(pen_after("\x1b[31m\x1b[38;5m").fg, Color::def());
}

TEST(Fidelity, AttributesKeptInCellsCaptureAndRedraw) {
  struct Case {
    const char* sgr;
    uint16_t attrs;
    const char* capture;  // what capture -e writes for it
  };
  const Case cases[] = {
      {"2", kDim, "\x1b[0;2m"},
      {"3", kItalic, "\x1b[0;3m"},
      {"5", kBlink, "\x1b[0;5m"},
      {"6", kBlink, "\x1b[0;5m"},
      {"7", kReverse, "\x1b[0;7m"},
      {"8", kConceal, "\x1b[0;8m"},
      {"9", kStrike, "\x1b[0;9m"},
      {"53", kOverline, "\x1b[0;53m"},
      {"4", kUnderline, "\x1b[0;4m"},
      {"4:1", kUnderline, "\x1b[0;4m"},
      {"21", kDoubleUnderline, "\x1b[0;21m"},
      {"4:2", kDoubleUnderline, "\x1b[0;21m"},
      {"4:3", kCurlyUnderline, "\x1b[0;4:3m"},
      {"4:4", kDottedUnderline, "\x1b[0;4:4m"},
      {"4:5", kDashedUnderline, "\x1b[0;4:5m"},
      {"1;2", kBold | kDim, "\x1b[0;1;2m"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.sgr);
    Screen s = make(2, 10);
    s.feed(std::string("\x1b[") + c.sgr + "mX\x1b[0m");
    EXPECT_EQ(s.cell(0, 0).attrs, c.attrs);
    EXPECT_EQ(dump_screen(s, DumpOptions{.sgr = true}), std::string(c.capture) + "X\x1b[0m\n");
    // The attached client's terminal (a Screen here) gets the same pen.
    Screen client = make(2, 10);
    client.feed(redraw_full(s));
    EXPECT_EQ(client.pen_of(client.cell(0, 0)), s.pen_of(s.cell(0, 0)));
  }
  // Underline colour, in capture -e and through the redraw.
  Screen s = make(2, 10);
  s.feed("\x1b[4:3;58;2;255;0;0mE\x1b[58;5;33mF\x1b[0m");
  EXPECT_EQ(dump_screen(s, DumpOptions{.sgr = true}),
            "\x1b[0;4:3;58:2::255:0:0mE\x1b[0;4:3;58:5:33mF\x1b[0m\n");
  Screen client = make(2, 10);
  client.feed(redraw_full(s));
  for (int c = 0; c < 2; ++c) EXPECT_EQ(client.pen_of(client.cell(0, c)), s.pen_of(s.cell(0, c)));
  // 22 ends bold and dim; 24 any underline; 28 conceal; 55 overline.
  EXPECT_EQ(pen_after("\x1b[1;2;4:4;8;53m\x1b[22;24;28;55m"), Pen{});
}

TEST(Fidelity, SgrSplitAcrossFeedsAndAmongControls) {
  // Byte by byte, with a C0 control inside the SGR (executed in place).
  const std::string in = "a\x1b[1;\r3" "8;2;1;2;3mb\x1b[?25l\x1b[4mc\x1b[5p";
  Screen whole = make(1, 10), bytes = make(1, 10);
  whole.feed(in);
  for (char ch : in) bytes.feed(std::string(1, ch));
  for (Screen* s : {&whole, &bytes}) {
    EXPECT_EQ(row_text(*s, 0), "bc");
    EXPECT_EQ(s->cell(0, 0).attrs, kBold);
    EXPECT_EQ(s->cell(0, 0).fg, Color::rgb(1, 2, 3));
    EXPECT_EQ(s->cell(0, 1).attrs, kBold | kUnderline);
    EXPECT_FALSE(s->cursor().visible);
  }
  // An SGR longer than the filter holds is ignored, whole.
  Screen s = make(1, 10);
  s.feed("\x1b[1;" + std::string(300, '0') + "mZ");
  EXPECT_EQ(s.cell(0, 0).attrs, 0);
  EXPECT_EQ(row_text(s, 0), "Z");
}

TEST(Fidelity, SavedCursorKeepsThePen) {
  Screen s = make(2, 20);
  s.feed("\x1b[2;4:5;58;5;3m\x1b" "7\x1b[0mA\x1b" "8B");
  EXPECT_EQ(s.cell(0, 0).ch, U'B');
  EXPECT_EQ(s.cell(0, 0).attrs, kDim | kDashedUnderline);
  EXPECT_EQ(s.pen_of(s.cell(0, 0)).ul, Color::indexed(3));
  s.feed("\x1b[0;53m\x1b[?1049h\x1b[0mC\x1b[?1049lD");
  EXPECT_EQ(s.cell(0, 1).ch, U'D');
  EXPECT_EQ(s.cell(0, 1).attrs, kOverline);
}

TEST(Fidelity, AltScreenClearsWithTheDefaultBackground) {
  Screen s = make(2, 10);
  s.feed("\x1b[44m\x1b[?1049h");
  EXPECT_EQ(s.cell(1, 5), Cell{});
  s.feed("\x1b[K");  // an erase after it uses the pen's background again
  EXPECT_EQ(s.cell(0, 5).bg, Color::indexed(4));
}

TEST(Fidelity, ScrollbackKeepsUnderlineColourAndNewAttributes) {
  Screen s = make(2, 10);
  s.feed("\x1b[2;53;4:4;58:2::9:8:7mQ\x1b[0m\r\n\r\n\r\n");
  ASSERT_GE(s.scrollback_size(), 1u);
  ScrollbackLine l = s.scrollback_line(0);
  ASSERT_FALSE(l.cells.empty());
  EXPECT_EQ(s.pen_of(l.cells[0]), Pen(Color::def(), Color::def(), kDim | kOverline | kDottedUnderline,
                                      Color::rgb(9, 8, 7)));
  EXPECT_NE(dump_history(s, 0, DumpOptions{.sgr = true}).find("\x1b[0;2;4:4;53;58:2::9:8:7mQ"),
            std::string::npos);
}

TEST(Fidelity, PenFilterMarkersAreTheOnlyPCsi) {
  // A program's own `CSI ... p` never reaches libvterm as a marker.
  PenFilter f;
  std::string out;
  ASSERT_TRUE(f.filter("x\x1b[1p\x1b[?1$p\x1b[!p\x1b[31my", out));
  EXPECT_EQ(out, "x\x1b[?1$p\x1b[!p\x1b[1py");
  std::string params;
  Pen pen;
  bool is_pen = true;
  EXPECT_TRUE(f.take(1, params, pen, is_pen));
  EXPECT_FALSE(is_pen);
  EXPECT_EQ(params, "31");
  EXPECT_FALSE(f.take(1, params, pen, is_pen));
  // Nothing to change: untouched.
  EXPECT_FALSE(f.filter("plain \x1b[2J text", out));
}

TEST(Fidelity, Mode47SwitchesToTheAlternateScreen) {
  // CSI ? 47 h / l: the alternate screen without saving the cursor, as
  // tmux and xterm treat it (like 1047); libvterm 0.1.4 knows only 1047
  // and 1049 and left the text on the primary screen.
  Screen s = make(4, 20);
  s.feed("primary\r\n\x1b[?47h");
  EXPECT_TRUE(s.alt_screen());
  EXPECT_EQ(row_text(s, 0), "");  // the alternate screen, cleared
  EXPECT_EQ(s.cursor().row, 1);   // the cursor stays where it was
  // Lines scrolled off the alternate screen are not history.
  for (int i = 0; i < 10; ++i) s.feed("alt " + std::to_string(i) + "\r\n");
  EXPECT_EQ(s.scrollback_size(), 0u);
  s.feed("\x1b[?47lback");
  EXPECT_FALSE(s.alt_screen());
  EXPECT_EQ(row_text(s, 0), "primary");
  EXPECT_EQ(s.scrollback_size(), 0u);
  // Among other parameters, first or not.
  s.feed("\x1b[?1;47h");
  EXPECT_TRUE(s.alt_screen());
  EXPECT_TRUE(s.modes().app_cursor);
  s.feed("\x1b[?47;1l");
  EXPECT_FALSE(s.alt_screen());
  EXPECT_FALSE(s.modes().app_cursor);
  EXPECT_EQ(row_text(s, 0), "primary");
  // The redraw an attached client gets shows the alternate screen.
  s.feed("\x1b[?47hon alt");
  EXPECT_NE(redraw_full(s, RedrawOptions{}).find("on alt"), std::string::npos);
}

TEST(Fidelity, DecGraphicsLessAndGreaterEqual) {
  // DEC special graphics: `y` and `z` are ≤ and ≥ in xterm and tmux
  // (libvterm 0.1.4's table has ⩽ ⩾), through G0 and through SO/SI with
  // G1, in the cells, in capture and through the redraw; a program that
  // prints ⩽ ⩾ itself as UTF-8 still gets them.
  Screen s = make(4, 20);
  s.feed("\x1b(0xyz{\x1b(B yz\r\n\x1b)0a\x0eyz\x0fyz\r\n\xe2\xa9\xbd\xe2\xa9\xbe\x1b(0\xe2\xa9\xbd\x1b[Cy\x1b(B");
  EXPECT_EQ(row_text(s, 0), "\xe2\x94\x82\xe2\x89\xa4\xe2\x89\xa5\xcf\x80 yz");  // │≤≥π yz
  EXPECT_EQ(row_text(s, 1), "a\xe2\x89\xa4\xe2\x89\xa5yz");                      // a≤≥yz
  EXPECT_EQ(row_text(s, 2), "\xe2\xa9\xbd\xe2\xa9\xbe\xe2\xa9\xbd \xe2\x89\xa4");  // ⩽⩾⩽ ≤
  EXPECT_NE(dump_screen(s).find("\xe2\x94\x82\xe2\x89\xa4\xe2\x89\xa5"), std::string::npos);
  EXPECT_NE(redraw_full(s, RedrawOptions{}).find("\xe2\x89\xa4\xe2\x89\xa5"), std::string::npos);
  // REP repeats the graphics character as drawn.
  s.feed("\r\n\x1b(0y\x1b[2b\x1b(B");
  EXPECT_EQ(row_text(s, 3), "\xe2\x89\xa4\xe2\x89\xa4\xe2\x89\xa4");
}

TEST(Fidelity, DecrqssSgrAnswersFromTheScreensPen) {
  // DCS $ q m ST asks for the SGR in effect: answered from the Screen's
  // pen (libvterm's never sees an SGR, so it answered `1$rm`), as xterm
  // writes it: DCS 1 $ r 0;<attributes>;<colours> m ST.
  Screen s = make(2, 20);
  std::string replies;
  s.on_output = [&](std::string_view b) { replies.append(b); };
  s.feed("\x1b[1;3;31;48;5;200m\x1bP$qm\x1b\\");
  EXPECT_EQ(replies, "\x1bP1$r0;1;3;31;48;5;200m\x1b\\");
  replies.clear();
  s.feed("\x1b[0;2;4:3;58:2::1:2:3;38:2::10:20:30mX\x1bP$qm\x07");  // BEL ends it too
  EXPECT_EQ(replies, "\x1bP1$r0;2;4:3;38;2;10;20;30;58:2::1:2:3m\x1b\\");
  replies.clear();
  // Split across feeds, after a reset; and in order with other replies.
  s.feed("\x1b[m\x1b[5n\x1bP$");
  s.feed("qm\x1b\\\x1b[6n");
  EXPECT_EQ(replies, "\x1b[0n\x1bP1$r0m\x1b\\\x1b[1;2R");
  // The request leaves nothing on the screen and the parser in the ground state.
  EXPECT_EQ(row_text(s, 0), "X");
  // Other DECRQSS requests are still libvterm's (DECSTBM).
  replies.clear();
  s.feed("\x1bP$qr\x1b\\");
  EXPECT_EQ(replies, "\x1bP1$r1;2r\x1b\\");
}

// Many SGRs in one feed: each marker waits in the filter until libvterm
// reaches it (the queue grows and wraps), and every cell gets its own pen.
TEST(Fidelity, ManySgrInOneFeedEachCellItsPen) {
  for (size_t piece : {size_t(1), size_t(7), size_t(4096), size_t(1) << 20}) {
    Screen s = make(20, 100);
    std::string in;
    for (int i = 0; i < 2000; ++i)
      in += "\x1b[38;5;" + std::to_string(i % 256) + ";48;2;" + std::to_string(i % 7) + ";1;2mx";
    for (size_t i = 0; i < in.size(); i += piece) s.feed(std::string_view(in).substr(i, piece));
    // The last 20 rows of 100 cells: cells 0..1999 fill them exactly
    // (the last one waits in the last column).
    for (int i = 0; i < 2000; ++i) {
      const Cell& c = s.cell(i / 100, i % 100);
      ASSERT_EQ(c.fg, Color::indexed(uint8_t(i % 256))) << "cell " << i << " piece " << piece;
      ASSERT_EQ(c.bg, Color::rgb(uint8_t(i % 7), 1, 2)) << "cell " << i << " piece " << piece;
    }
  }
}

// The longest SGR the filter holds (kMaxParams bytes) applies; one byte
// more is ignored, wherever the feeds cut it.
TEST(Fidelity, SgrAtTheParameterLimit) {
  for (size_t extra : {size_t(0), size_t(1)}) {
    std::string params = std::string(PenFilter::kMaxParams - 1 + extra, ';') + "1";
    std::string in = "\x1b[" + params + "mZ";
    for (size_t cut = 0; cut <= in.size(); cut += 13) {
      Screen s = make(1, 10);
      s.feed(in.substr(0, cut));
      s.feed(in.substr(cut));
      EXPECT_EQ(s.cell(0, 0).attrs, extra ? 0 : kBold) << "extra " << extra << " cut " << cut;
      EXPECT_EQ(row_text(s, 0), "Z");
    }
  }
}
