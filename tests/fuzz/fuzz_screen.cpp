// fuzz_screen.cpp — arbitrary program output through render::Screen, with
// resizes, and what a client is sent of the result.
//
// Why: any program a session runs can print any bytes, and libvterm 0.1.4
// crashes, hangs or reads out of bounds on some of them (the guards of
// Screen::feed and Screen::resize). The input is cut into pieces as PTY
// reads would cut it; "\xff\xfe" R C in it (two bytes that never occur in
// UTF-8) resizes the screen to 1+R%40 rows and 1+C%100 columns instead. After
// every piece the rows, the cursor and the scrollback must be inside their
// bounds (the cells after every few pieces); a client Screen gets redraw
// frames as an attached client would (a full redraw, then redraw_since)
// after every few pieces, every frame must be safe for a libvterm-0.1.4
// terminal (no raw control byte, no CSI with more than 16
// parameters), and at the end the client and a fresh Screen fed one full
// redraw both show the host's cells and cursor. The text dumps (capture,
// logs) and the tile crop run over the result too.
//
// Input: [rows] [cols] [flags] [cut seed] then the output bytes.
//   flags bit 0: fast_text off; 1: no truecolor; 2: no colours; 3: client
//   keeps ClientMeta; bits 4-7: scrollback lines / 4.
#include <algorithm>
#include <memory>
#include <string>

#include "fuzz/fuzz_check.h"
#include "render/redraw.h"
#include "render/safe_text.h"
#include "render/screen.h"
#include "render/text_dump.h"
#include "render/utf8.h"
#include "render/tile.h"

namespace fuzz_screen {

using namespace amux::render;

std::string at(const char* what, int r, int c) {
  return std::string(what) + " at " + std::to_string(r) + "," + std::to_string(c);
}

void check_bounds(const Screen& s, int rows, int cols, size_t sb_cap, bool cells = true) {
  FUZZ_CHECK(s.rows() == rows && s.cols() == cols, "size is not the one asked for");
  const Cursor cu = s.cursor();
  FUZZ_CHECK(cu.row >= 0 && cu.row < rows && cu.col >= 0 && cu.col < cols,
             at("cursor outside the screen", cu.row, cu.col));
  FUZZ_CHECK(s.scrollback_size() <= sb_cap, "scrollback over its capacity");
  if (!cells) return;
  for (int r = 0; r < rows; ++r) {
    const Row& row = s.row(r);
    FUZZ_CHECK(int(row.cells.size()) >= cols, at("short row", r, int(row.cells.size())));
    for (int c = 0; c < cols; ++c) {
      const Cell& x = row.cells[size_t(c)];
      FUZZ_CHECK(x.width == 1 || x.width == 2, at("cell width", r, c));
      (void)s.cell_text(x);
    }
  }
  for (int r : s.rows_changed_since(0)) FUZZ_CHECK(r >= 0 && r < rows, at("changed row", r, 0));
  FUZZ_CHECK(s.scrollback_size() <= sb_cap, "scrollback over its capacity");
  FUZZ_CHECK(s.scrollback_capacity() == sb_cap, "scrollback capacity changed");
}

// What a frame must never hold (a client terminal may be libvterm 0.1.4
// too): a raw control byte other than ESC (and BEL ending an OSC), a C1
// control, a CSI with more than 16 parameters.
void check_frame(const std::string& f) {
  for (size_t i = 0; i < f.size(); ++i) {
    const auto b = static_cast<unsigned char>(f[i]);
    if (b == 0x1b) {
      if (i + 1 < f.size() && f[i + 1] == '[') {
        int params = 1;
        size_t k = i + 2;
        for (; k < f.size() && ((f[k] >= '0' && f[k] <= '?')); ++k)
          if (f[k] == ';' || f[k] == ':') ++params;
        FUZZ_CHECK(params <= 16, "a CSI with more than 16 parameters in a frame");
      }
      continue;
    }
    if (b == 0x07) continue;  // ends the title's OSC
    FUZZ_CHECK(b >= 0x20 && b != 0x7f, "control byte " + std::to_string(b) + " in a frame");
    FUZZ_CHECK(!(b == 0xC2 && i + 1 < f.size() && static_cast<unsigned char>(f[i + 1]) < 0xA0),
               "C1 control in a frame");
  }
}

Color shown(Color c, const RedrawOptions& o) {
  if (!o.colors) return Color::def();
  if (c.kind() == Color::Rgb && !o.truecolor) return Color::indexed(rgb_to_xterm256(c.r(), c.g(), c.b()));
  return c;
}

// A cell's text as the redraw sends it: a control code point (C0, DEL,
// C1, which libvterm stores as glyphs) as "?" or U+FFFD.
std::string shown_text(const Screen& a, const Cell& x) {
  auto control = [](char32_t cp) { return cp < 0x20 || (cp >= 0x7f && cp < 0xa0); };
  if (x.ch < 0x80) return control(x.ch) ? "?" : std::string(1, char(x.ch));
  std::string out;
  for (char32_t cp : a.cell_chars(x)) amux::render::utf8::append(out, control(cp) ? char32_t(0xFFFD) : cp);
  return out;
}

// The client shows the host's cells (a wide character's right half by
// its head only) and cursor.
void check_client(const Screen& a, const Screen& b, const RedrawOptions& o, const char* who) {
  FUZZ_CHECK(b.rows() == a.rows() && b.cols() == a.cols(), std::string(who) + ": size");
  for (int r = 0; r < a.rows(); ++r)
    for (int c = 0; c < a.cols(); ++c) {
      const Cell& x = a.cell(r, c);
      const Cell& y = b.cell(r, c);
      if (x.ch == kWideTail) {
        FUZZ_CHECK(y.ch == kWideTail, at((std::string(who) + ": wide tail").c_str(), r, c));
        continue;
      }
      // A wide character in the last column (a 1-column screen) cannot be
      // drawn there: the redraw sends a blank, as its unit tests expect.
      // Nor a one-column cell holding a wide character (a one-column
      // screen) or a cluster led by a zero-width or unprintable code point
      // (a C1 control libvterm stored): drawn as blanks too.
      const std::u32string cps = a.cell_chars(x);
      const bool clipped = (x.width == 2 && c == a.cols() - 1) ||
                           (x.width == 1 && x.ch >= 0x300 && !cps.empty() && terminal_width(cps[0]) != 1);
      const bool blank_x = clipped || x.ch == kBlank || x.ch == U' ', blank_y = y.ch == kBlank || y.ch == U' ';
      FUZZ_CHECK(blank_x == blank_y && (blank_x || shown_text(a, x) == b.cell_text(y)),
                 at((std::string(who) + ": text '" + a.cell_text(x) + "' (width " + std::to_string(x.width) +
                     ") shown as '" + b.cell_text(y) + "' (width " + std::to_string(y.width) + ")")
                        .c_str(),
                    r, c));
      FUZZ_CHECK(clipped || x.width == y.width, at((std::string(who) + ": width").c_str(), r, c));
      // Compared by what shows: a blank shows only its background unless
      // an attribute shows on a blank (reverse, underlines, strike,
      // overline).
      Pen want{shown(x.fg, o), shown(x.bg, o), x.attrs, shown(a.pen_of(x).ul, o)};
      Pen got = b.pen_of(y);
      // An underline colour shows only under an underline.
      if (!(want.attrs & kAnyUnderline)) want.ul = Color::def();
      if (!(got.attrs & kAnyUnderline)) got.ul = Color::def();
      if (blank_x && !(want.attrs & kVisibleOnBlank) && !(got.attrs & kVisibleOnBlank)) {
        want = Pen{Color::def(), want.bg, 0, Color::def()};
        got = Pen{Color::def(), got.bg, 0, Color::def()};
      }
      FUZZ_CHECK(want == got, at((std::string(who) + ": pen (fg " + std::to_string(want.fg.v) + "/" +
                                  std::to_string(got.fg.v) + " bg " + std::to_string(want.bg.v) + "/" +
                                  std::to_string(got.bg.v) + " attrs " + std::to_string(want.attrs) + "/" +
                                  std::to_string(got.attrs) + ")")
                                     .c_str(),
                                 r, c));
    }
  const Cursor ca = a.cursor(), cb = b.cursor();
  FUZZ_CHECK(ca.row == cb.row && ca.col == cb.col,
             std::string(who) + ": cursor " + std::to_string(ca.row) + "," + std::to_string(ca.col) + " shown at " +
                 std::to_string(cb.row) + "," + std::to_string(cb.col));
  FUZZ_CHECK(ca.visible == cb.visible, std::string(who) + ": cursor visibility");
  FUZZ_CHECK(a.modes() == b.modes(), std::string(who) + ": modes");
}

}  // namespace fuzz_screen

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace amux::render;
  using namespace fuzz_screen;
  amux::fuzz::Bytes in(data, size);
  int rows = 1 + in.byte() % 40, cols = 1 + in.byte() % 100;
  const uint8_t flags = in.byte();
  amux::fuzz::Cuts cuts(in.byte());
  const std::string_view stream = in.rest();

  Screen::Options so;
  so.rows = rows;
  so.cols = cols;
  so.fast_text = !(flags & 1);
  so.scrollback_lines = size_t(flags >> 4) * 4;
  Screen s(so);
  std::string replies;
  s.on_output = [&](std::string_view b) { replies.append(b.substr(0, 64)); };
  s.on_title = [&](const std::string& t) { (void)t.size(); };
  s.on_notification = [&](const Notification& n) { FUZZ_CHECK(n.osc == 9 || n.osc == 99 || n.osc == 777, "osc"); };
  s.on_bell = [] {};

  RedrawOptions ro;
  ro.truecolor = !(flags & 2);
  ro.colors = !(flags & 4);
  const bool use_meta = flags & 8;
  ClientMeta meta;
  Screen::Options co = so;
  co.scrollback_lines = 0;
  auto client = std::make_unique<Screen>(co);
  uint64_t sent = 0;
  bool first = true;
  auto frame = [&] {
    std::string f = first ? (use_meta ? redraw_full(s, ro, &meta) : redraw_full(s, ro))
                          : (use_meta ? redraw_since(s, sent, ro, &meta) : redraw_since(s, sent, ro));
    first = false;
    sent = s.seq();
    check_frame(f);
    client->feed(f);
  };

  size_t i = 0, pieces = 0;
  while (i < stream.size()) {
    size_t n = cuts.next(stream.size() - i);
    std::string_view piece = stream.substr(i, n);
    // A resize command inside this piece ends it there.
    size_t cmd = piece.find("\xff\xfe");
    if (cmd == 0 && i + 4 <= stream.size()) {
      rows = 1 + uint8_t(stream[i + 2]) % 40;
      cols = 1 + uint8_t(stream[i + 3]) % 100;
      s.resize(rows, cols);
      client->resize(rows, cols);
      i += 4;
      pieces = 0;  // a frame right after every resize
    } else {
      if (cmd != std::string_view::npos && cmd > 0) piece = piece.substr(0, cmd);
      s.feed(piece);
      i += piece.size();
    }
    // The cursor and the sizes after every piece; the cells and a frame
    // to the client after every few (each costs a pass over the screen).
    const bool full = pieces++ % 4 == 0;
    check_bounds(s, rows, cols, so.scrollback_lines, full);
    if (full) frame();
  }
  frame();
  check_client(s, *client, ro, "client");
  // One full redraw into a fresh terminal of the same size.
  Screen fresh(co);
  fresh.resize(rows, cols);
  std::string full = redraw_full(s, ro);
  check_frame(full);
  fresh.feed(full);
  FUZZ_CHECK(fresh.total_lines_scrolled() == 0, "a full redraw scrolled the client's screen");
  check_client(s, fresh, ro, "fresh");
  check_bounds(fresh, rows, cols, 0);

  for (size_t k = 0; k < s.scrollback_size(); ++k) {
    ScrollbackLine l = s.scrollback_line(k);
    FUZZ_CHECK(l.cells.size() <= 100, "scrollback line wider than any screen");
  }
  DumpOptions d;
  d.sgr = flags & 16;
  (void)dump_screen(s, d);
  (void)dump_history(s, flags & 32 ? 3 : 0, d);
  (void)last_meaningful_line(s);
  Tile t = crop_around_cursor(s, 1 + rows / 2, 1 + cols / 3);
  (void)tile_text(s, t, flags & 64);
  return 0;
}
