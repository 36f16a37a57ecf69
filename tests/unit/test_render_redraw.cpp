// test_render_redraw.cpp — the escape-sequence encoder (redraw.h) and the
// mini-pane crop (tile.h).
//
// The key test is a property over a corpus of real program output
// (tests/fixtures/corpus, see its README): feed a file into Screen A, draw A
// with redraw_full, feed that into a fresh Screen B and into a fresh
// libvterm *screen layer* (independent of our code), and every cell, the
// cursor, the title and the modes must come out as in A. The same again
// incrementally: A gets the file in random pieces and the client gets
// redraw_since frames after each piece. Then unit tests of each part.
#include <gtest/gtest.h>
#include <vterm.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "render/redraw.h"
#include "render/safe_text.h"
#include "render/screen.h"
#include "render/width_filter.h"
#include "render/tile.h"
#include "support/corpus.h"
#include "support/screen_text.h"

using namespace amux::render;
namespace fs = std::filesystem;

namespace {


// ---------------------------------------------------------------------------
// Corpus

using amux::test::CorpusFile;
using amux::test::row_text;
Screen::Options opts(int rows, int cols) { return amux::test::screen_opts(rows, cols, 200); }
using amux::test::corpus;
using amux::test::find_corpus_dir;

// ---------------------------------------------------------------------------
// libvterm's own screen layer, as an independent client terminal.

class RefVt {
 public:
  RefVt(int rows, int cols) : vt_(vterm_new(rows, cols)) {
    vterm_set_utf8(vt_, 1);
    vterm_output_set_callback(vt_, [](const char*, size_t, void*) {}, nullptr);
    vs_ = vterm_obtain_screen(vt_);
    static const VTermScreenCallbacks cbs = {
        nullptr, nullptr, nullptr, &RefVt::settermprop, nullptr, nullptr, nullptr, nullptr,
    };
    vterm_screen_set_callbacks(vs_, &cbs, this);
    vterm_screen_set_damage_merge(vs_, VTERM_DAMAGE_SCROLL);
    vterm_screen_reset(vs_, 1);
  }
  ~RefVt() { vterm_free(vt_); }
  RefVt(const RefVt&) = delete;
  RefVt& operator=(const RefVt&) = delete;

  // In pieces cut just before an ESC (libvterm 0.1.4 does not carry a
  // partial UTF-8 sequence across writes).
  void feed(std::string_view b) {
    while (!b.empty()) {
      size_t n = b.size();
      if (n > 16384) {
        size_t esc = b.rfind('\x1b', 16384);
        n = esc != std::string_view::npos && esc > 0 ? esc : 16384;
      }
      vterm_input_write(vt_, b.data(), n);
      b.remove_prefix(n);
    }
    vterm_screen_flush_damage(vs_);
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
  bool visible = true, blink = true, reverse = false;
  int shape = 1;
  std::string title;

 private:
  static int settermprop(VTermProp prop, VTermValue* val, void* u) {
    auto* self = static_cast<RefVt*>(u);
    switch (prop) {
      case VTERM_PROP_CURSORVISIBLE: self->visible = val->boolean; break;
      case VTERM_PROP_CURSORBLINK: self->blink = val->boolean; break;
      case VTERM_PROP_CURSORSHAPE: self->shape = val->number; break;
      case VTERM_PROP_REVERSE: self->reverse = val->boolean; break;
      case VTERM_PROP_TITLE: self->title = val->string ? val->string : ""; break;
      default: break;
    }
    return 1;
  }
  VTerm* vt_;
  VTermScreen* vs_;
};

// ---------------------------------------------------------------------------
// What a client cell should hold, and what it holds.

std::string utf8_of(const std::u32string& cps) {
  std::string out;
  for (char32_t cp : cps) {
    if (cp < 0x80) out += char(cp);
    else if (cp < 0x800) out += {char(0xC0 | (cp >> 6)), char(0x80 | (cp & 0x3F))};
    else if (cp < 0x10000)
      out += {char(0xE0 | (cp >> 12)), char(0x80 | ((cp >> 6) & 0x3F)), char(0x80 | (cp & 0x3F))};
    else
      out += {char(0xF0 | (cp >> 18)), char(0x80 | ((cp >> 12) & 0x3F)), char(0x80 | ((cp >> 6) & 0x3F)),
              char(0x80 | (cp & 0x3F))};
  }
  return out;
}

struct View {
  std::string text;  // "" for a blank or space, "<tail>" for a wide tail
  int width = 1;
  Pen pen;
  // A blank shows its background alone unless an attribute that shows on a
  // blank is set (terminals erase with the background colour only, and the
  // redraw erases blanks in other pens).
  bool operator==(const View& o) const {
    return text == o.text && width == o.width && shown(pen) == shown(o.pen);
  }
  Pen shown(const Pen& p) const {
    if (!text.empty() || width != 1 || (p.attrs & kVisibleOnBlank)) return p;
    return Pen{Color::def(), p.bg, 0, Color::def()};
  }
};

std::string show(const View& v) {
  std::string s = "'" + v.text + "' w" + std::to_string(v.width) + " fg " + std::to_string(v.pen.fg.v) +
                  " bg " + std::to_string(v.pen.bg.v) + " attrs " + std::to_string(v.pen.attrs);
  return s;
}

void PrintTo(const View& v, std::ostream* os) { *os << show(v); }

Color map_color(Color c, const RedrawOptions& o) {
  if (!o.colors) return Color::def();
  if (c.kind() == Color::Rgb && !o.truecolor) return Color::indexed(rgb_to_xterm256(c.r(), c.g(), c.b()));
  return c;
}

int area_rows(const Screen& a, const RedrawOptions& o) {
  return o.max_rows >= 0 ? std::min(o.max_rows, a.rows()) : a.rows();
}
int area_cols(const Screen& a, const RedrawOptions& o) {
  return o.max_cols >= 0 ? std::min(o.max_cols, a.cols()) : a.cols();
}

// The pen of a wide character's right half is not compared: libvterm's
// screen layer leaves whatever pen the cell had before, and the head's pen
// is what shows.
View expected(const Screen& a, int r, int c, const RedrawOptions& o) {
  const Cell& x = a.cell(r, c);
  View v;
  if (x.ch == kWideTail) {
    v.text = "<tail>";
    return v;
  }
  const Pen xp = a.pen_of(x);
  v.pen = Pen{map_color(xp.fg, o), map_color(xp.bg, o), xp.attrs, map_color(xp.ul, o)};
  if (x.width == 2 && c == area_cols(a, o) - 1) return v;  // cut by the clip: a blank
  v.width = x.width;
  if (x.ch != kBlank && x.ch != U' ') v.text = a.cell_text(x);
  return v;
}

View view_of(const Screen& b, int r, int c) {
  const Cell& x = b.cell(r, c);
  View v;
  if (x.ch == kWideTail) {
    v.text = "<tail>";
    return v;
  }
  v.pen = b.pen_of(x);
  v.width = x.width;
  if (x.ch != kBlank && x.ch != U' ') v.text = b.cell_text(x);
  return v;
}

Color ref_color(const VTermColor& c) {
  if (c.type & VTERM_COLOR_DEFAULT_MASK) return Color::def();
  if (VTERM_COLOR_IS_INDEXED(&c)) return Color::indexed(c.indexed.idx);
  return Color::rgb(c.rgb.red, c.rgb.green, c.rgb.blue);
}

View view_of(const RefVt& v, int r, int c) {
  VTermScreenCell vc = v.cell(r, c);
  View out;
  uint16_t a = 0;
  if (vc.attrs.bold) a |= kBold;
  if (vc.attrs.underline == 1) a |= kUnderline;
  if (vc.attrs.underline == 2) a |= kDoubleUnderline;
  if (vc.attrs.underline == 3) a |= kCurlyUnderline;
  if (vc.attrs.italic) a |= kItalic;
  if (vc.attrs.blink) a |= kBlink;
  // The screen layer folds the global reverse (DECSCNM) into each cell.
  if (bool(vc.attrs.reverse) != v.reverse) a |= kReverse;
  if (vc.attrs.strike) a |= kStrike;
  if (vc.chars[0] == uint32_t(-1)) {
    out.text = "<tail>";
    return out;
  }
  out.pen = Pen{ref_color(vc.fg), ref_color(vc.bg), a};
  out.width = vc.width;
  std::u32string cps;
  for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && vc.chars[i]; ++i) cps.push_back(vc.chars[i]);
  if (!cps.empty() && cps != U" ") out.text = utf8_of(cps);
  return out;
}

// Describes the first differences between A (as the client should show it)
// and a client ("" when equal). Works for Screen and RefVt clients.
// A cell whose characters libvterm 0.1.4's own width table sizes otherwise
// than terminals do (an emoji from Unicode 10 on, a joined ZWJ sequence):
// a client on bare libvterm cannot show it the same, nor the cells after it
// in that row (each emoji of a joined sequence gets a cell of its own). The
// Screen as a client is still compared cell for cell.
bool libvterm_width_differs(const Screen& a, int r, int c) {
  for (int k = c; k >= 0; --k) {
    const Cell& cell = a.cell(r, k);
    bool after_zwj = false;
    for (char32_t cp : a.cell_chars(cell)) {
      if (after_zwj || (cp >= 0xA0 && WidthFilter::libvterm_width(cp) != terminal_width(cp))) return true;
      after_zwj = cp == 0x200D;
    }
  }
  return false;
}

template <typename Client>
std::string diff(const Screen& a, const Client& b, const RedrawOptions& o) {
  std::string out;
  int n = 0;
  const int rows = area_rows(a, o), cols = area_cols(a, o);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      View want = expected(a, r, c, o), got = view_of(b, r, c);
      if (want == got) continue;
      if constexpr (std::is_same_v<Client, RefVt>)
        if (libvterm_width_differs(a, r, c)) continue;
      if (n++ < 6)
        out += "(" + std::to_string(r) + "," + std::to_string(c) + ") want " + show(want) + " got " + show(got) + "\n";
    }
  if (n > 6) out += std::to_string(n) + " cells differ\n";
  return out;
}

std::string meta_diff(const Screen& a, const Screen& b, const RedrawOptions& o) {
  std::string out;
  Cursor ca = a.cursor(), cb = b.cursor();
  int want_row = std::min(ca.row, area_rows(a, o) - 1), want_col = std::min(ca.col, area_cols(a, o) - 1);
  if (cb.row != want_row || cb.col != want_col)
    out += "cursor want " + std::to_string(want_row) + "," + std::to_string(want_col) + " got " +
           std::to_string(cb.row) + "," + std::to_string(cb.col) + "\n";
  if (ca.visible != cb.visible) out += "cursor visibility\n";
  if (ca.shape != cb.shape || ca.blink != cb.blink) out += "cursor shape\n";
  if (o.title && a.title() != b.title()) out += "title want '" + a.title() + "' got '" + b.title() + "'\n";
  if (o.modes && !(a.modes() == b.modes())) out += "modes\n";
  if (b.scrollback_size() != 0) out += "the client scrolled\n";
  return out;
}

std::string meta_diff(const Screen& a, const RefVt& v, const RedrawOptions& o) {
  std::string out;
  Cursor ca = a.cursor();
  VTermPos p = v.cursor();
  int want_row = std::min(ca.row, area_rows(a, o) - 1), want_col = std::min(ca.col, area_cols(a, o) - 1);
  if (p.row != want_row || p.col != want_col)
    out += "cursor want " + std::to_string(want_row) + "," + std::to_string(want_col) + " got " +
           std::to_string(p.row) + "," + std::to_string(p.col) + "\n";
  if (ca.visible != v.visible) out += "cursor visibility\n";
  if (ca.shape != v.shape || ca.blink != v.blink) out += "cursor shape\n";
  if (o.title && a.title() != v.title) out += "title want '" + a.title() + "' got '" + v.title + "'\n";
  if (o.modes && a.modes().reverse_video != v.reverse) out += "reverse video\n";
  return out;
}

// Things no frame may contain: a newline or other control byte (ESC, and
// BEL ending an OSC, aside), a C1 control in UTF-8, unbalanced autowrap.
std::string unsafe_bytes(const std::string& out) {
  for (size_t i = 0; i < out.size(); ++i) {
    auto b = static_cast<unsigned char>(out[i]);
    if (b == 0x1b) continue;
    if (b == 0x07) {
      if (out.rfind("\x1b]", i) == std::string::npos) return "BEL outside an OSC";
      continue;
    }
    if (b < 0x20 || b == 0x7f) return "control byte " + std::to_string(b) + " at " + std::to_string(i);
    if (b == 0xC2 && i + 1 < out.size() && static_cast<unsigned char>(out[i + 1]) < 0xA0)
      return "C1 control at " + std::to_string(i);
  }
  auto count = [&](const std::string& s) {
    size_t n = 0;
    for (size_t p = out.find(s); p != std::string::npos; p = out.find(s, p + 1)) ++n;
    return n;
  };
  if (count("\x1b[?7l") != count("\x1b[?7h")) return "autowrap left off";
  // libvterm 0.1.4 crashes on a CSI with more than 16 arguments.
  static const std::regex csi_re("\x1b\\[[?]?([0-9;:]*)[ -/]*[@-~]");
  for (auto it = std::sregex_iterator(out.begin(), out.end(), csi_re); it != std::sregex_iterator(); ++it) {
    std::string ps = (*it)[1];
    if (1 + std::count(ps.begin(), ps.end(), ';') + std::count(ps.begin(), ps.end(), ':') > 16)
      return "a CSI with more than 16 arguments";
  }
  return "";
}

int client_rows(const Screen& a, const RedrawOptions& o) {
  return o.max_rows >= 0 ? o.max_rows : a.rows();
}
int client_cols(const Screen& a, const RedrawOptions& o) {
  return o.max_cols >= 0 ? o.max_cols : a.cols();
}

// Full redraw of `input` at rows x cols; "" when both clients match A.
std::string check_full(const std::string& input, int rows, int cols, const RedrawOptions& o) {
  Screen a(opts(rows, cols));
  a.feed(input);
  std::string frame = redraw_full(a, o);
  std::string out;
  if (std::string u = unsafe_bytes(frame); !u.empty()) out += "unsafe output: " + u + "\n";
  Screen b(opts(client_rows(a, o), client_cols(a, o)));
  b.feed(frame);
  out += diff(a, b, o) + meta_diff(a, b, o);
  RefVt v(client_rows(a, o), client_cols(a, o));
  v.feed(frame);
  std::string vd = diff(a, v, o) + meta_diff(a, v, o);
  if (!vd.empty()) out += "libvterm screen layer:\n" + vd;
  return out;
}

// A gets `input` in random pieces, the clients redraw_since frames after
// each; both must match A after every frame.
std::string check_incremental(const std::string& input, int rows, int cols, const RedrawOptions& o,
                              unsigned seed, bool use_meta, size_t* bytes_sent = nullptr) {
  Screen a(opts(rows, cols));
  Screen b(opts(client_rows(a, o), client_cols(a, o)));
  RefVt v(client_rows(a, o), client_cols(a, o));
  ClientMeta meta;
  std::mt19937 rng(seed);
  uint64_t last = 0;
  size_t sent = 0;
  auto frame = [&](bool first) {
    std::string f = first ? (use_meta ? redraw_full(a, o, &meta) : redraw_full(a, o))
                          : (use_meta ? redraw_since(a, last, o, &meta) : redraw_since(a, last, o));
    last = a.seq();
    sent += f.size();
    if (std::string u = unsafe_bytes(f); !u.empty()) return "unsafe output: " + u + "\n";
    b.feed(f);
    v.feed(f);
    return std::string();
  };
  if (std::string e = frame(true); !e.empty()) return e;
  size_t i = 0;
  int n = 0;
  while (i < input.size()) {
    size_t limit = rng() % 2 ? 64 : 4096;
    size_t len = std::min(input.size() - i, size_t(1 + rng() % limit));
    a.feed(std::string_view(input).substr(i, len));
    i += len;
    ++n;
    if (std::string e = frame(false); !e.empty()) return e;
    std::string d = diff(a, b, o) + meta_diff(a, b, o);
    if (!d.empty()) return "after piece " + std::to_string(n) + " (byte " + std::to_string(i) + "):\n" + d;
    d = diff(a, v, o) + meta_diff(a, v, o);
    if (!d.empty())
      return "libvterm screen layer, after piece " + std::to_string(n) + " (byte " + std::to_string(i) + "):\n" + d;
  }
  if (bytes_sent) *bytes_sent = sent;
  // Nothing changed since the last frame: an empty frame.
  if (!redraw_since(a, last, o).empty()) return "a frame without changes is not empty\n";
  return "";
}

// Every SGR parameter in `out`, in order.
std::vector<std::string> sgr_params(const std::string& out) {
  static const std::regex re("\x1b\\[([0-9;:]*)m");
  std::vector<std::string> v;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), re); it != std::sregex_iterator(); ++it) {
    std::string ps = (*it)[1];
    size_t start = 0;
    for (size_t i = 0; i <= ps.size(); ++i)
      if (i == ps.size() || ps[i] == ';') {
        v.push_back(i > start ? ps.substr(start, i - start) : "0");
        start = i + 1;
      }
  }
  return v;
}

// Cursor positions (1-based row, col) named by CUPs in `out`.
std::vector<std::pair<int, int>> cups(const std::string& out) {
  static const std::regex re("\x1b\\[(\\d+);(\\d+)H");
  std::vector<std::pair<int, int>> v;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), re); it != std::sregex_iterator(); ++it)
    v.emplace_back(std::stoi((*it)[1]), std::stoi((*it)[2]));
  return v;
}


}  // namespace

// ---------------------------------------------------------------------------
// Property tests over the corpus

TEST(RedrawCorpus, IsPresent) {
  ASSERT_FALSE(find_corpus_dir().empty()) << "tests/fixtures/corpus not found (set AMUX_SOURCE_DIR)";
  EXPECT_GE(corpus().size(), 15u);
  for (const CorpusFile& f : corpus()) {
    EXPECT_GT(f.data.size(), 300u) << f.name;
    EXPECT_LE(f.data.size(), 200u * 1024) << f.name;
  }
}

TEST(RedrawCorpus, FullRedrawRoundTrip) {
  for (const CorpusFile& f : corpus()) {
    // At the end and at seven points on the way (most programs end back on
    // an empty primary screen; the middle is where the drawing is).
    for (int k = 1; k <= 8; ++k) {
      std::string prefix = f.data.substr(0, f.data.size() * size_t(k) / 8);
      EXPECT_EQ(check_full(prefix, f.rows, f.cols, {}), "") << f.name << " " << k << "/8";
    }
    // The same bytes at other sizes: other wraps, wide characters at edges.
    EXPECT_EQ(check_full(f.data.substr(0, f.data.size() / 2), 24, 80, {}), "") << f.name << " at 24x80";
    EXPECT_EQ(check_full(f.data.substr(0, f.data.size() * 2 / 3), 17, 33, {}), "") << f.name << " at 17x33";
  }
}

TEST(RedrawCorpus, IncrementalFrames) {
  for (const CorpusFile& f : corpus()) {
    for (unsigned seed : {1u, 2u}) {
      EXPECT_EQ(check_incremental(f.data, f.rows, f.cols, {}, seed, false), "") << f.name << " seed " << seed;
    }
    EXPECT_EQ(check_incremental(f.data, 13, 41, {}, 3, false), "") << f.name << " at 13x41";
  }
}

TEST(RedrawCorpus, IncrementalFramesWithClientMeta) {
  for (const CorpusFile& f : corpus()) {
    size_t with = 0, without = 0;
    EXPECT_EQ(check_incremental(f.data, f.rows, f.cols, {}, 5, true, &with), "") << f.name;
    EXPECT_EQ(check_incremental(f.data, f.rows, f.cols, {}, 5, false, &without), "") << f.name;
    EXPECT_LE(with, without) << f.name;  // knowing the client never costs bytes
  }
}

TEST(RedrawCorpus, ClippedToASmallerClient) {
  for (const CorpusFile& f : corpus()) {
    RedrawOptions o;
    o.max_rows = f.rows - 3;
    o.max_cols = f.cols - 11;
    EXPECT_EQ(check_full(f.data, f.rows, f.cols, o), "") << f.name;
    EXPECT_EQ(check_incremental(f.data, f.rows, f.cols, o, 9, false), "") << f.name;
    o.max_cols = f.cols - 10;  // the other parity for wide characters at the edge
    EXPECT_EQ(check_full(f.data, f.rows, f.cols, o), "") << f.name;
    EXPECT_EQ(check_full(f.data.substr(0, f.data.size() / 2), f.rows, f.cols, o), "") << f.name;
  }
}

TEST(RedrawCorpus, LargerClientStaysBlankOutsideTheScreen) {
  for (const CorpusFile& f : corpus()) {
    RedrawOptions o;
    o.max_rows = f.rows + 2;
    o.max_cols = f.cols + 9;
    Screen a(opts(f.rows, f.cols));
    Screen b(opts(o.max_rows, o.max_cols));
    a.feed(f.data);
    b.feed(redraw_full(a, o));
    uint64_t last = a.seq();
    a.feed("\x1b[1;1H\x1b[41mred\x1b[K\x1b[0m");
    b.feed(redraw_since(a, last, o));
    EXPECT_EQ(diff(a, b, o), "") << f.name;
    for (int r = 0; r < o.max_rows; ++r)
      for (int c = 0; c < o.max_cols; ++c)
        if (r >= f.rows || c >= f.cols) {
          ASSERT_EQ(b.cell(r, c), Cell{}) << f.name << " " << r << "," << c;
        }
  }
}

TEST(RedrawCorpus, WithoutColoursAndWithout24BitColour) {
  for (const CorpusFile& f : corpus()) {
    RedrawOptions no_color;
    no_color.colors = false;
    EXPECT_EQ(check_full(f.data, f.rows, f.cols, no_color), "") << f.name;
    EXPECT_EQ(check_full(f.data.substr(0, f.data.size() / 2), f.rows, f.cols, no_color), "") << f.name;
    RedrawOptions c256;
    c256.truecolor = false;
    EXPECT_EQ(check_full(f.data, f.rows, f.cols, c256), "") << f.name;
    EXPECT_EQ(check_full(f.data.substr(0, f.data.size() / 2), f.rows, f.cols, c256), "") << f.name;
    EXPECT_EQ(check_incremental(f.data, f.rows, f.cols, c256, 4, false), "") << f.name;
    Screen a(opts(f.rows, f.cols));
    a.feed(f.data);
    for (const std::string& p : sgr_params(redraw_full(a, no_color))) {
      int n = p.find(':') == std::string::npos ? std::stoi(p) : 4;
      EXPECT_FALSE((n >= 30 && n <= 49) || (n >= 90 && n <= 107)) << f.name << " colour SGR " << p;
    }
    std::vector<std::string> ps = sgr_params(redraw_full(a, c256));
    for (size_t i = 0; i + 1 < ps.size(); ++i)
      EXPECT_FALSE((ps[i] == "38" || ps[i] == "48") && ps[i + 1] == "2") << f.name;
  }
}

TEST(RedrawCorpus, NoTitleNoModes) {
  RedrawOptions o;
  o.title = false;
  o.modes = false;
  for (const CorpusFile& f : corpus()) {
    Screen a(opts(f.rows, f.cols));
    a.feed(f.data);
    std::string out = redraw_full(a, o);
    EXPECT_EQ(out.find("\x1b]"), std::string::npos) << f.name;
    EXPECT_EQ(out.find("\x1b="), std::string::npos) << f.name;
    EXPECT_EQ(check_full(f.data, f.rows, f.cols, o), "") << f.name;
  }
}

// ---------------------------------------------------------------------------
// sgr_transition

TEST(Sgr, EqualPensGiveNothing) {
  Pen p{Color::indexed(3), Color::rgb(1, 2, 3), kBold};
  EXPECT_EQ(sgr_transition(p, p), "");
  EXPECT_EQ(sgr_transition(Pen{}, Pen{}), "");
}

TEST(Sgr, AddsOnlyWhatIsNew) {
  EXPECT_EQ(sgr_transition(Pen{}, Pen{{}, {}, kBold}), "\x1b[1m");
  EXPECT_EQ(sgr_transition(Pen{{}, {}, kBold}, Pen{{}, {}, kBold | kUnderline}), "\x1b[4m");
  EXPECT_EQ(sgr_transition(Pen{}, Pen{Color::indexed(1), {}, 0}), "\x1b[31m");
  EXPECT_EQ(sgr_transition(Pen{Color::indexed(1), {}, kBold}, Pen{Color::indexed(2), {}, kBold}), "\x1b[32m");
  EXPECT_EQ(sgr_transition(Pen{Color::indexed(1), Color::indexed(4), 0}, Pen{{}, Color::indexed(4), 0}),
            "\x1b[39m");
}

TEST(Sgr, ColourForms) {
  auto fg = [](Color c) { return sgr_transition(Pen{}, Pen{c, {}, 0}); };
  auto bg = [](Color c) { return sgr_transition(Pen{}, Pen{{}, c, 0}); };
  EXPECT_EQ(fg(Color::indexed(0)), "\x1b[30m");
  EXPECT_EQ(fg(Color::indexed(7)), "\x1b[37m");
  EXPECT_EQ(fg(Color::indexed(8)), "\x1b[90m");
  EXPECT_EQ(fg(Color::indexed(15)), "\x1b[97m");
  EXPECT_EQ(fg(Color::indexed(16)), "\x1b[38;5;16m");
  EXPECT_EQ(fg(Color::indexed(255)), "\x1b[38;5;255m");
  EXPECT_EQ(bg(Color::indexed(0)), "\x1b[40m");
  EXPECT_EQ(bg(Color::indexed(9)), "\x1b[101m");
  EXPECT_EQ(bg(Color::indexed(208)), "\x1b[48;5;208m");
  EXPECT_EQ(fg(Color::rgb(1, 2, 3)), "\x1b[38;2;1;2;3m");
  EXPECT_EQ(bg(Color::rgb(255, 128, 0)), "\x1b[48;2;255;128;0m");
}

TEST(Sgr, OneSequenceForManyChanges) {
  Pen to{Color::indexed(208), Color::rgb(10, 20, 30), kBold | kUnderline};
  EXPECT_EQ(sgr_transition(Pen{}, to), "\x1b[1;4;38;5;208;48;2;10;20;30m");
  EXPECT_EQ(sgr_transition(Pen{}, Pen{{}, {}, kItalic | kBlink | kReverse | kStrike | kDoubleUnderline}),
            "\x1b[3;21;5;7;9m");
  EXPECT_EQ(sgr_transition(Pen{}, Pen{{}, {}, kCurlyUnderline}), "\x1b[4:3m");
}

TEST(Sgr, NeverMoreThan16ArgumentsPerSequence) {
  // libvterm 0.1.4 crashes on a CSI with 17 or more arguments.
  Pen all{Color::rgb(1, 2, 3), Color::rgb(4, 5, 6),
          kBold | kItalic | kCurlyUnderline | kBlink | kReverse | kConceal | kStrike};
  std::string out = sgr_transition(Pen{}, all);
  EXPECT_EQ(out, "\x1b[1;3;4:3;5;7;8;9;38;2;1;2;3m\x1b[48;2;4;5;6m");
  EXPECT_EQ(unsafe_bytes(out), "");
  Screen s(opts(1, 4));
  s.feed(sgr_transition(Pen{}, all) + "x");
  EXPECT_EQ(s.pen_of(s.cell(0, 0)), all);
}

TEST(Sgr, RemovingAnAttributeResetsThenReAdds) {
  Pen from{Color::indexed(1), {}, kBold | kUnderline};
  Pen to{Color::indexed(1), {}, kUnderline};
  EXPECT_EQ(sgr_transition(from, to), "\x1b[0;4;31m");
  EXPECT_EQ(sgr_transition(from, Pen{}), "\x1b[0m");
  // Back to the default colours: the reset is shorter than 39;49.
  EXPECT_EQ(sgr_transition(Pen{Color::indexed(1), Color::indexed(2), 0}, Pen{}), "\x1b[0m");
  // Underline style change.
  EXPECT_EQ(sgr_transition(Pen{{}, {}, kUnderline}, Pen{{}, {}, kDoubleUnderline}), "\x1b[0;21m");
}

TEST(Sgr, EveryTransitionLandsOnTheTargetPen) {
  // Random pens: feeding "from" then the transition gives exactly "to".
  std::mt19937 rng(11);
  auto color = [&]() {
    switch (rng() % 4) {
      case 0: return Color::def();
      case 1: return Color::indexed(uint8_t(rng() % 16));
      case 2: return Color::indexed(uint8_t(rng() % 256));
      default: return Color::rgb(uint8_t(rng()), uint8_t(rng()), uint8_t(rng()));
    }
  };
  auto attrs = [&]() {
    uint16_t a = uint16_t(rng() % 8192) &
                 uint16_t(kBold | kItalic | kBlink | kReverse | kStrike | kDim | kConceal | kOverline);
    static constexpr uint16_t kStyles[] = {0, kUnderline, kDoubleUnderline, kCurlyUnderline,
                                           kDottedUnderline, kDashedUnderline};
    return uint16_t(a | kStyles[rng() % 6]);
  };
  for (int i = 0; i < 300; ++i) {
    Pen from{color(), color(), attrs(), color()}, to{color(), color(), attrs(), color()};
    Screen s(opts(2, 10));
    s.feed(sgr_transition(Pen{}, from) + "a" + sgr_transition(from, to) + "b");
    ASSERT_EQ(s.pen_of(s.cell(0, 0)), from) << i;
    ASSERT_EQ(s.pen_of(s.cell(0, 1)), to) << i << " " << sgr_transition(from, to).substr(1);
  }
}

TEST(Sgr, NoColours) {
  RedrawOptions o;
  o.colors = false;
  EXPECT_EQ(sgr_transition(Pen{}, Pen{Color::indexed(1), Color::rgb(1, 2, 3), 0}, o), "");
  EXPECT_EQ(sgr_transition(Pen{}, Pen{Color::indexed(1), {}, kBold | kReverse}, o), "\x1b[1;7m");
  EXPECT_EQ(sgr_transition(Pen{Color::indexed(1), {}, kBold}, Pen{Color::indexed(2), {}, kBold}, o), "");
}

TEST(Sgr, TruecolorOffMapsToThe256Palette) {
  RedrawOptions o;
  o.truecolor = false;
  EXPECT_EQ(sgr_transition(Pen{}, Pen{Color::rgb(255, 0, 0), {}, 0}, o), "\x1b[38;5;196m");
  EXPECT_EQ(sgr_transition(Pen{}, Pen{{}, Color::rgb(0, 0, 0), 0}, o), "\x1b[48;5;16m");
  EXPECT_EQ(rgb_to_xterm256(255, 255, 255), 231);
  EXPECT_EQ(rgb_to_xterm256(95, 135, 175), 67);
  EXPECT_EQ(rgb_to_xterm256(128, 128, 128), 244);  // the grey ramp is closer than the cube
  EXPECT_EQ(rgb_to_xterm256(8, 8, 8), 232);
  EXPECT_EQ(rgb_to_xterm256(238, 238, 238), 255);
  EXPECT_EQ(rgb_to_xterm256(250, 128, 7), 208);  // 255,135,0
  // Indexed colours pass unchanged.
  EXPECT_EQ(sgr_transition(Pen{}, Pen{Color::indexed(33), {}, 0}, o), "\x1b[38;5;33m");
  // Exhaustive-ish: the chosen index is at least as close as every other.
  auto rgb_of = [](int i, int& r, int& g, int& b) {
    static constexpr int kLevels[6] = {0, 95, 135, 175, 215, 255};
    if (i >= 232) {
      r = g = b = 8 + 10 * (i - 232);
    } else {
      i -= 16;
      r = kLevels[i / 36];
      g = kLevels[(i / 6) % 6];
      b = kLevels[i % 6];
    }
  };
  std::mt19937 rng(3);
  for (int k = 0; k < 2000; ++k) {
    int r = int(rng() % 256), g = int(rng() % 256), b = int(rng() % 256);
    int got = rgb_to_xterm256(uint8_t(r), uint8_t(g), uint8_t(b));
    ASSERT_GE(got, 16);
    int gr, gg, gb;
    rgb_of(got, gr, gg, gb);
    int best = (gr - r) * (gr - r) + (gg - g) * (gg - g) + (gb - b) * (gb - b);
    for (int i = 16; i < 256; ++i) {
      int cr, cg, cb;
      rgb_of(i, cr, cg, cb);
      int d = (cr - r) * (cr - r) + (cg - g) * (cg - g) + (cb - b) * (cb - b);
      ASSERT_GE(d, best) << r << "," << g << "," << b << " chose " << got << " but " << i << " is closer";
    }
  }
}

// ---------------------------------------------------------------------------
// Modes

TEST(Modes, EnterAndLeave) {
  EXPECT_EQ(modes_enter(Modes{}), "");
  Modes m;
  m.app_cursor = m.app_keypad = m.bracketed_paste = m.focus_events = m.reverse_video = true;
  m.mouse = 1002;
  m.mouse_encoding = 1006;
  EXPECT_EQ(modes_enter(m), "\x1b[?1h\x1b[?5h\x1b[?1002h\x1b[?1006h\x1b[?1004h\x1b[?2004h\x1b=");
  EXPECT_EQ(modes_leave(m), "\x1b[?1l\x1b[?5l\x1b[?1002l\x1b[?1006l\x1b[?1004l\x1b[?2004l\x1b>\x1b[?25h\x1b[0m");
  Modes only_paste;
  only_paste.bracketed_paste = true;
  EXPECT_EQ(modes_enter(only_paste), "\x1b[?2004h");
  EXPECT_EQ(modes_leave(only_paste), "\x1b[?2004l\x1b[?25h\x1b[0m");
  EXPECT_EQ(modes_leave(Modes{}), "\x1b[?25h\x1b[0m");
}

TEST(Modes, RoundTripThroughAScreen) {
  std::mt19937 rng(5);
  for (int i = 0; i < 200; ++i) {
    Modes m;
    m.app_cursor = rng() % 2;
    m.app_keypad = rng() % 2;
    m.bracketed_paste = rng() % 2;
    m.focus_events = rng() % 2;
    m.reverse_video = rng() % 2;
    m.mouse = std::vector<int>{0, 1000, 1002, 1003}[rng() % 4];
    m.mouse_encoding = std::vector<int>{0, 1005, 1006, 1015}[rng() % 4];
    Modes m2 = m;
    m2.app_cursor = !m.app_cursor;
    m2.mouse = std::vector<int>{0, 1000, 1002, 1003}[rng() % 4];
    m2.mouse_encoding = std::vector<int>{0, 1005, 1006, 1015}[rng() % 4];
    Screen s(opts(2, 10));
    s.feed(modes_enter(m));
    ASSERT_EQ(s.modes(), m) << i;
    s.feed(modes_transition(m, m2));
    ASSERT_EQ(s.modes(), m2) << i;
    s.feed(modes_transition(m2, m));
    ASSERT_EQ(s.modes(), m) << i;
    s.feed(modes_leave(m));
    ASSERT_EQ(s.modes(), Modes{}) << i;
    EXPECT_TRUE(s.cursor().visible);
  }
  EXPECT_EQ(modes_transition(Modes{}, Modes{}), "");
}

TEST(Modes, FullRedrawPutsAStaleClientIntoTheScreensModes) {
  // The client had every mode on (e.g. it missed the frames that turned
  // them off); a full redraw must turn them off.
  Modes all;
  all.app_cursor = all.app_keypad = all.bracketed_paste = all.focus_events = all.reverse_video = true;
  all.mouse = 1003;
  all.mouse_encoding = 1015;
  Screen a(opts(5, 20));
  a.feed("\x1b[?2004h\x1b[?1000hhi");
  Screen b(opts(5, 20));
  b.feed(modes_enter(all));
  b.feed(redraw_full(a));
  EXPECT_EQ(b.modes(), a.modes());
  // An active mouse mode is set, never switched off first.
  std::string out = redraw_full(a);
  EXPECT_EQ(out.find("1000l"), std::string::npos);
  EXPECT_NE(out.find("1000h"), std::string::npos);
}

// ---------------------------------------------------------------------------
// Full redraw details

TEST(RedrawFull, Structure) {
  Screen a(opts(5, 20));
  a.feed("\x1b]2;my title\x07hello\r\n\x1b[1;31mred\x1b[0m\x1b[5 q\x1b[3;4H");
  std::string out = redraw_full(a);
  EXPECT_EQ(out.rfind("\x1b[?25l", 0), 0u) << "starts by hiding the cursor";
  EXPECT_NE(out.find("\x1b[r"), std::string::npos);
  EXPECT_NE(out.find("\x1b[H\x1b[2J"), std::string::npos);
  EXPECT_NE(out.find("\x1b[1;1Hhello"), std::string::npos);
  EXPECT_NE(out.find("\x1b[2;1H\x1b[1;31mred\x1b[0m"), std::string::npos);
  EXPECT_NE(out.find("\x1b[3;4H\x1b[5 q\x1b[?25h"), std::string::npos);
  EXPECT_NE(out.find("\x1b]2;my title\x07"), std::string::npos);
  EXPECT_EQ(out.find('\n'), std::string::npos);
  EXPECT_EQ(unsafe_bytes(out), "");
}

TEST(RedrawFull, HiddenCursorStaysHidden) {
  Screen a(opts(5, 20));
  a.feed("x\x1b[?25l");
  std::string out = redraw_full(a);
  EXPECT_EQ(out.find("\x1b[?25h"), std::string::npos);
  Screen b(opts(5, 20));
  b.feed(out);
  EXPECT_FALSE(b.cursor().visible);
}

TEST(RedrawFull, EmptyTitleIsNotSent) {
  Screen a(opts(5, 20));
  a.feed("x");
  EXPECT_EQ(redraw_full(a).find("\x1b]"), std::string::npos);
}

TEST(RedrawFull, TitleControlCharactersAreStripped) {
  Screen a(opts(5, 20));
  // C1 controls (U+0080..U+009F) survive the Screen's own cleaning; a UTF-8
  // terminal may act on them, so the encoder drops them. Invalid UTF-8
  // becomes U+FFFD.
  a.feed("\x1b]2;ab\xc2\x9b""31m\xc2\x85""cd \xe4\xbd\xa0\xff\x07");
  ASSERT_NE(a.title().find("\xc2\x9b"), std::string::npos) << "test premise: the Screen keeps C1";
  std::string out = redraw_full(a);
  size_t p = out.find("\x1b]2;");
  ASSERT_NE(p, std::string::npos);
  size_t e = out.find('\x07', p);
  ASSERT_NE(e, std::string::npos);
  EXPECT_EQ(out.substr(p + 4, e - p - 4), "ab31mcd \xe4\xbd\xa0\xef\xbf\xbd");
  EXPECT_EQ(unsafe_bytes(out), "");
}

TEST(RedrawFull, WideCharactersAndClustersAreFollowedByAPosition) {
  Screen a(opts(3, 40));
  // wide, emoji, a symbol terminals disagree on, e + combining acute, PUA.
  a.feed("\xe4\xb8\xad" "a\xf0\x9f\x98\x80" "b\xe2\x98\x95" "ce\xcc\x81" "d\xee\x80\x80" "e\xe2\x94\x80\xe2\x94\x80" "f");
  std::string out = redraw_full(a);
  EXPECT_NE(out.find("\xe4\xb8\xad\x1b[1;3Ha"), std::string::npos);
  EXPECT_NE(out.find("\xf0\x9f\x98\x80\x1b[1;6Hb"), std::string::npos);
  EXPECT_NE(out.find("\xe2\x98\x95\x1b[1;"), std::string::npos);
  EXPECT_NE(out.find("e\xcc\x81\x1b[1;"), std::string::npos);
  EXPECT_NE(out.find("\xee\x80\x80\x1b[1;"), std::string::npos);
  // Box drawing has one width everywhere: no positioning in between.
  EXPECT_NE(out.find("e\xe2\x94\x80\xe2\x94\x80" "f"), std::string::npos);
  Screen b(opts(3, 40));
  b.feed(out);
  EXPECT_EQ(diff(a, b, {}), "");
}

// A client whose character widths differ from libvterm's: every wide
// character is narrow there, and every emoji-like or clustered narrow one
// is wide. Simulated by swapping those characters in the redraw output;
// every other cell must still land where it belongs.
TEST(RedrawFull, ClientWithOtherCharacterWidthsDoesNotDrift) {
  int files = 0;
  for (const CorpusFile& f : corpus()) {
    if (f.name.rfind("unicode", 0) != 0) continue;
    Screen a(opts(f.rows, f.cols));
    a.feed(f.data);
    std::vector<std::pair<std::string, std::string>> swaps;
    std::set<std::pair<int, int>> skip;  // swapped cells and their right neighbours
    for (int r = 0; r < a.rows(); ++r)
      for (int c = 0; c < a.cols(); ++c) {
        const Cell& x = a.cell(r, c);
        std::u32string cps = a.cell_chars(x);
        if (cps.empty()) continue;
        bool emoji_like = cps.size() > 1 || cps[0] >= 0x1F000 || (cps[0] >= 0x2600 && cps[0] < 0x2800);
        if (x.width == 2) swaps.emplace_back(a.cell_text(x), "#");
        else if (emoji_like) swaps.emplace_back(a.cell_text(x), "\xe4\xb8\xad");
        else continue;
        skip.insert({r, c});
        skip.insert({r, c + 1});
      }
    if (swaps.size() < 20) continue;  // e.g. less: back on an empty primary screen
    ++files;
    std::sort(swaps.begin(), swaps.end(), [](auto& x, auto& y) { return x.first.size() > y.first.size(); });
    std::string out = redraw_full(a);
    // Swap longest first, through a placeholder so replacements are not re-swapped.
    std::vector<std::string> tokens;
    for (auto& [from, to] : swaps) {
      std::string token = "\x01" + std::to_string(tokens.size()) + "\x02";
      tokens.push_back(to);
      for (size_t p = out.find(from); p != std::string::npos; p = out.find(from, p + token.size()))
        out.replace(p, from.size(), token);
    }
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string token = "\x01" + std::to_string(i) + "\x02";
      for (size_t p = out.find(token); p != std::string::npos; p = out.find(token, p + tokens[i].size()))
        out.replace(p, token.size(), tokens[i]);
    }
    Screen b(opts(f.rows, f.cols));
    b.feed(out);
    int checked = 0;
    for (int r = 0; r < a.rows(); ++r)
      for (int c = 0; c < a.cols(); ++c) {
        if (skip.count({r, c})) continue;
        const Cell& x = a.cell(r, c);
        if (x.ch == kWideTail || x.ch == kBlank) continue;
        ++checked;
        ASSERT_EQ(view_of(b, r, c), expected(a, r, c, {})) << f.name << " (" << r << "," << c << ")";
      }
    EXPECT_GT(checked, 200) << f.name;
  }
  EXPECT_GE(files, 2);
}

TEST(RedrawFull, BlanksAndErase) {
  Screen a(opts(4, 30));
  a.feed("\x1b[41mred\x1b[K\x1b[0m\r\n"    // trailing blanks with a background: EL in red
         "a\x1b[20Cb\r\n"                  // a long default gap: skipped
         "\x1b[44m\x1b[2K\x1b[10Cmid\x1b[0m\r\n"  // blue blanks both sides of text
         "x  y\x1b[4m   \x1b[0mz");      // short gaps, underlined spaces
  std::string out = redraw_full(a);
  EXPECT_NE(out.find("\x1b[41mred\x1b[K"), std::string::npos);
  EXPECT_NE(out.find("a\x1b[20Cb"), std::string::npos);       // a CUF over the gap
  EXPECT_NE(out.find("\x1b[44m\x1b[10X\x1b[10Cmid\x1b[K"), std::string::npos);
  Screen b(opts(4, 30));
  b.feed(out);
  EXPECT_EQ(diff(a, b, {}), "");
  RefVt v(4, 30);
  v.feed(out);
  EXPECT_EQ(diff(a, v, {}), "");
}

TEST(RedrawFull, ReverseAndUnderlinedBlanksAreSpacesNotErases) {
  // xterm and tmux erase with the background colour only: a reverse-video
  // status line filled by EL would lose its fill. (The Screen erases the
  // same way, so a program fills such a line with spaces.)
  Screen a(opts(3, 30));
  a.feed("\x1b[7mstatus line" + std::string(19, ' ') + "\x1b[0m\r\n\x1b[4m" + std::string(30, ' ') +
         "\x1b[0m\r\n\x1b[41;7m" + std::string(29, ' ') + "\x1b[0m");
  std::string out = redraw_full(a);
  EXPECT_NE(out.find("\x1b[7mstatus line" + std::string(19, ' ')), std::string::npos);
  EXPECT_EQ(out.find("\x1b[K"), std::string::npos);
  EXPECT_EQ(out.find("X"), std::string::npos);  // no ECH either
  Screen b(opts(3, 30));
  b.feed(out);
  EXPECT_EQ(diff(a, b, {}), "");
  std::string row = redraw_row(a, 0);
  EXPECT_EQ(row.find("\x1b[K"), std::string::npos);
}

TEST(RedrawFull, LastCellOfTheLastRowDoesNotScroll) {
  Screen a(opts(3, 5));
  a.feed("abcde\x1b[2;1Hfghij\x1b[3;1Hklmn\xe4\xb8\xad");  // cannot fit: wraps, scrolls
  a.feed("\x1b[3;1Hklm\xe4\xb8\xad");                         // a wide char in the last two cells
  std::string out = redraw_full(a);
  Screen b(opts(3, 5));
  b.feed(out);
  EXPECT_EQ(diff(a, b, {}), "");
  EXPECT_EQ(b.scrollback_size(), 0u);
  EXPECT_EQ(row_text(b, 0), "fghij");
  EXPECT_EQ(row_text(b, 2), "klm\xe4\xb8\xad");
  RefVt v(3, 5);
  v.feed(out);
  EXPECT_EQ(diff(a, v, {}), "");
}

TEST(RedrawFull, ClipsToASmallerClient) {
  Screen a(opts(10, 20));
  for (int r = 0; r < 10; ++r) a.feed("\x1b[" + std::to_string(r + 1) + ";1H" + std::string(20, char('a' + r)));
  a.feed("\x1b[2;9H\xe4\xb8\xad");  // wide char across the clip edge (cols 8-9)
  a.feed("\x1b[9;15H");
  RedrawOptions o;
  o.max_rows = 5;
  o.max_cols = 9;
  std::string out = redraw_full(a, o);
  for (auto [r, c] : cups(out)) {
    EXPECT_LE(r, 5);
    EXPECT_LE(c, 9);
  }
  Screen b(opts(5, 9));
  b.feed(out);
  EXPECT_EQ(diff(a, b, o), "");
  EXPECT_EQ(row_text(b, 0), "aaaaaaaaa");
  EXPECT_EQ(row_text(b, 1), "bbbbbbbb");  // the cut wide character is a blank
  EXPECT_EQ(b.scrollback_size(), 0u);
  EXPECT_EQ(b.cursor().row, 4);  // clamped into the client
  EXPECT_EQ(b.cursor().col, 8);
}

TEST(RedrawFull, CellControlsNeverReachTheClient) {
  Screen a(opts(2, 20));
  a.feed("a\xc2\x9b" "31mb\xc2\x85" "c");
  std::string out = redraw_full(a);
  EXPECT_EQ(unsafe_bytes(out), "");
}

TEST(RedrawRow, PositionsAndErases) {
  Screen a(opts(4, 20));
  a.feed("\x1b[3;1H\x1b[42mgreen\x1b[K\x1b[0m");
  std::string out = redraw_row(a, 2);
  EXPECT_EQ(out, "\x1b[0m\x1b[3;1H\x1b[42mgreen\x1b[K\x1b[0m");
  EXPECT_EQ(redraw_row(a, 9), "");
  // Into a client whose row held something else.
  Screen b(opts(4, 20));
  b.feed("\x1b[3;1H\x1b[1mold text that is long\x1b[0m");
  b.feed(out);
  for (int c = 0; c < 20; ++c) EXPECT_EQ(view_of(b, 2, c), expected(a, 2, c, {})) << c;
}

// ---------------------------------------------------------------------------
// Incremental frames

TEST(RedrawSince, NothingChangedGivesNothing) {
  Screen a(opts(10, 40));
  a.feed("hello\r\nworld");
  std::string first = redraw_since(a, 0);
  EXPECT_NE(first.find("\x1b[2J"), std::string::npos) << "from seq 0: a full redraw";
  uint64_t last = a.seq();
  EXPECT_EQ(redraw_since(a, last), "");
  a.feed("");
  EXPECT_EQ(redraw_since(a, last), "");
}

TEST(RedrawSince, OnlyChangedRows) {
  Screen a(opts(10, 40));
  for (int r = 0; r < 10; ++r) a.feed("\x1b[" + std::to_string(r + 1) + ";1Hline " + std::to_string(r));
  Screen b(opts(10, 40));
  b.feed(redraw_full(a));
  uint64_t last = a.seq();
  a.feed("\x1b[4;1Hchanged\x1b[K");
  std::string out = redraw_since(a, last);
  EXPECT_EQ(out.find("\x1b[2J"), std::string::npos);
  std::set<int> rows;
  for (auto [r, c] : cups(out)) rows.insert(r);
  EXPECT_EQ(rows, std::set<int>{4});
  EXPECT_NE(out.find("changed"), std::string::npos);
  EXPECT_EQ(out.find("line"), std::string::npos);
  b.feed(out);
  EXPECT_EQ(diff(a, b, {}), "");
  EXPECT_EQ(meta_diff(a, b, {}), "");

  // Two rows.
  last = a.seq();
  a.feed("\x1b[2;3HX\x1b[9;3HY\x1b[6;1H");
  out = redraw_since(a, last);
  rows.clear();
  for (auto [r, c] : cups(out)) rows.insert(r);
  EXPECT_EQ(rows, (std::set<int>{2, 9, 6}));  // 6: the cursor
  b.feed(out);
  EXPECT_EQ(diff(a, b, {}), "");
  EXPECT_EQ(meta_diff(a, b, {}), "");
}

TEST(RedrawSince, CursorOnlyChange) {
  Screen a(opts(10, 40));
  a.feed("prompt$ ");
  uint64_t last = a.seq();
  a.feed("\x1b[7;12H");
  std::string out = redraw_since(a, last);
  EXPECT_EQ(out.find("prompt"), std::string::npos);
  EXPECT_NE(out.find("\x1b[7;12H"), std::string::npos);
  EXPECT_EQ(out.find("\x1b[?25l"), std::string::npos) << "no rows drawn: nothing to hide";
  last = a.seq();
  a.feed("\x1b[?25l");
  out = redraw_since(a, last);
  EXPECT_NE(out.find("\x1b[?25l"), std::string::npos);
  EXPECT_EQ(out.find("\x1b[?25h"), std::string::npos);
}

TEST(RedrawSince, LayoutChangeIsAFullRedraw) {
  Screen a(opts(10, 40));
  a.feed("primary");
  uint64_t last = a.seq();
  a.feed("\x1b[?1049halt");
  std::string out = redraw_since(a, last);
  EXPECT_NE(out.find("\x1b[2J"), std::string::npos);
  last = a.seq();
  a.resize(8, 30);
  EXPECT_NE(redraw_since(a, last).find("\x1b[2J"), std::string::npos);
}

TEST(RedrawSince, ClientMetaSendsTitleAndModesOnlyOnChange) {
  Screen a(opts(10, 40));
  a.feed("\x1b]2;T1\x07\x1b[?2004h\x1b[6 q");
  ClientMeta meta;
  std::string full_out = redraw_full(a, {}, &meta);
  EXPECT_NE(full_out.find("\x1b]2;T1\x07"), std::string::npos);
  EXPECT_NE(full_out.find("\x1b[6 q"), std::string::npos);
  EXPECT_TRUE(meta.known);
  uint64_t last = a.seq();
  a.feed("x");  // cursor moves, row changes
  std::string out = redraw_since(a, last, {}, &meta);
  EXPECT_EQ(out.find("\x1b]2;"), std::string::npos);
  EXPECT_EQ(out.find(" q"), std::string::npos);
  EXPECT_EQ(out.find("2004"), std::string::npos);
  // Without ClientMeta the same frame repeats them.
  std::string stateless = redraw_since(a, last);
  EXPECT_NE(stateless.find("\x1b]2;T1\x07"), std::string::npos);
  last = a.seq();
  a.feed("\x1b]2;T2\x07\x1b[?2004l\x1b[?1002h\x1b[0 q");
  out = redraw_since(a, last, {}, &meta);
  EXPECT_NE(out.find("\x1b]2;T2\x07"), std::string::npos);
  EXPECT_NE(out.find("\x1b[?2004l\x1b[?1002h"), std::string::npos);
  EXPECT_EQ(out.find("\x1b[?1000"), std::string::npos);
  EXPECT_NE(out.find("\x1b[0 q"), std::string::npos);
  // A title that goes away is cleared on the client.
  last = a.seq();
  a.feed("\x1b]2;\x07");
  out = redraw_since(a, last, {}, &meta);
  EXPECT_NE(out.find("\x1b]2;\x07"), std::string::npos);
}

TEST(RedrawSince, ClippedRowsOutsideTheClientAreNotSent) {
  Screen a(opts(10, 40));
  a.feed("\x1b[1;1H");
  RedrawOptions o;
  o.max_rows = 5;
  uint64_t last = a.seq();
  a.feed("\x1b[9;1Hhidden\x1b[1;1H");
  std::string out = redraw_since(a, last, o);
  EXPECT_EQ(out.find("hidden"), std::string::npos);
}

// ---------------------------------------------------------------------------
// Tiles

TEST(Tile, ShellPromptNearTheTop) {
  Screen s(opts(24, 80));
  s.feed("$ ls\r\na b c\r\n$ echo hi\r\nhi\r\n$ ");
  Tile t = crop_around_cursor(s, 3, 20);
  EXPECT_EQ(t.top, 2);
  EXPECT_EQ(t.left, 0);
  ASSERT_EQ(t.rows.size(), 3u);
  ASSERT_EQ(t.rows[0].size(), 20u);
  EXPECT_EQ(t.cursor_row, 2);
  EXPECT_EQ(t.cursor_col, 2);
  EXPECT_EQ(tile_text(s, t, false), "$ echo hi\nhi\n$\n");
}

TEST(Tile, CursorAtTheTopWithTextBelow) {
  Screen s(opts(24, 80));
  for (int r = 0; r < 21; ++r) s.feed("\x1b[" + std::to_string(r + 1) + ";1Hrow " + std::to_string(r));
  s.feed("\x1b[1;1H");
  Tile t = crop_around_cursor(s, 5, 20);
  EXPECT_EQ(t.top, 0) << "the visible cursor stays in the tile";
  EXPECT_EQ(t.cursor_row, 0);
  s.feed("\x1b[3;1H");
  t = crop_around_cursor(s, 5, 20);
  EXPECT_EQ(t.top, 2);
  s.feed("\x1b[?25l");  // hidden: the text alone decides
  t = crop_around_cursor(s, 5, 20);
  EXPECT_EQ(t.top, 16);
  EXPECT_EQ(t.cursor_row, -1);
  EXPECT_EQ(tile_text(s, t, false), "row 16\nrow 17\nrow 18\nrow 19\nrow 20\n");
}

TEST(Tile, CursorBelowTheText) {
  Screen s(opts(24, 80));
  s.feed("top\x1b[20;5H");
  Tile t = crop_around_cursor(s, 4, 10);
  EXPECT_EQ(t.top, 16);
  EXPECT_EQ(t.cursor_row, 3);
  EXPECT_EQ(t.cursor_col, 4);
}

TEST(Tile, CursorFarRight) {
  Screen s(opts(10, 80));
  s.feed("\x1b[2;1H" + std::string(75, 'x') + "END");
  Tile t = crop_around_cursor(s, 3, 20);
  EXPECT_EQ(t.left, 78 - 20 + 1);
  EXPECT_EQ(t.cursor_col, 19);
  EXPECT_EQ(tile_text(s, t, false), "\n" + std::string(16, 'x') + "END\n\n");
}

TEST(Tile, WideCharactersCutAtTheEdgesBecomeBlanks) {
  Screen s(opts(5, 40));
  s.feed("\xe4\xb8\xad\xe6\x96\x87\xe4\xb8\xad\xe6\x96\x87\xe4\xb8\xadx");  // 5 wide: cols 0..9, x at 10
  Tile t = crop_around_cursor(s, 2, 5);  // cursor at col 11: columns 7..11
  ASSERT_EQ(t.left, 7);
  EXPECT_EQ(t.rows[0][0].ch, kBlank);  // the tail of the 4th character lost its head
  EXPECT_EQ(tile_text(s, t, false), " \xe4\xb8\xadx\n\n");
  for (const auto& row : t.rows) {
    EXPECT_NE(row.front().ch, kWideTail);
    EXPECT_NE(row.back().width, 2);
  }
  s.feed("\x1b[1;1H");
  t = crop_around_cursor(s, 2, 5);
  ASSERT_EQ(t.left, 0);
  EXPECT_EQ(t.rows[0][4].ch, kBlank);  // the head at col 4 lost its tail
  EXPECT_EQ(t.rows[0][4].width, 1);
  EXPECT_EQ(tile_text(s, t, false), "\xe4\xb8\xad\xe6\x96\x87\n\n");
}

TEST(Tile, LargerThanTheScreenAndEmpty) {
  Screen s(opts(4, 10));
  s.feed("abc");
  Tile t = crop_around_cursor(s, 10, 50);
  EXPECT_EQ(t.rows.size(), 4u);
  EXPECT_EQ(t.rows[0].size(), 10u);
  EXPECT_EQ(t.top, 0);
  t = crop_around_cursor(s, 0, 5);
  EXPECT_TRUE(t.rows.empty());
}

TEST(Tile, SgrText) {
  Screen s(opts(4, 20));
  s.feed("\x1b[1;31mred\x1b[0m plain\r\n\x1b[44m  \x1b[0m");
  s.feed("\x1b[1;1H");
  Tile t = crop_around_cursor(s, 2, 20);
  EXPECT_EQ(tile_text(s, t, true), "\x1b[1;31mred\x1b[0m plain\n\x1b[44m  \x1b[0m\n");
}

// With a ClientMeta the host knows the client's cells, so a changed row goes
// out as just the columns that differ: a typed key is a few bytes, not the
// whole row again.
TEST(RedrawSpans, TypedKeyCostsAFewBytes) {
  Screen a(opts(50, 200));
  Screen b(opts(50, 200));
  ClientMeta meta;
  a.feed("\x1b[1;31m" + std::string(150, 'x') + "\x1b[0m");
  b.feed(redraw_full(a, {}, &meta));
  uint64_t last = a.seq();
  a.feed("y");
  std::string frame = redraw_since(a, last, {}, &meta);
  EXPECT_LT(frame.size(), 48u) << frame;
  EXPECT_NE(frame.find("y"), std::string::npos);
  EXPECT_EQ(frame.find("xxx"), std::string::npos) << frame;
  b.feed(frame);
  EXPECT_EQ(diff(a, b, {}), "");
  // Overwriting the middle with the same text sends no cells; erasing the
  // row's end sends an erase from the first changed column.
  last = a.seq();
  a.feed("\x1b[1;11H\x1b[1;31mxxx\x1b[0m");
  frame = redraw_since(a, last, {}, &meta);
  EXPECT_EQ(frame.find("xxx"), std::string::npos) << frame;
  b.feed(frame);
  last = a.seq();
  a.feed("\x1b[1;100H\x1b[K");
  frame = redraw_since(a, last, {}, &meta);
  EXPECT_LT(frame.size(), 48u) << frame;
  b.feed(frame);
  EXPECT_EQ(diff(a, b, {}), "");
  // A wide character changed in its right half is redrawn whole.
  last = a.seq();
  a.feed("\x1b[2;1H\xe4\xbd\xa0\xe4\xbd\xa0");
  b.feed(redraw_since(a, last, {}, &meta));
  last = a.seq();
  a.feed("\x1b[2;2Hz");
  b.feed(redraw_since(a, last, {}, &meta));
  EXPECT_EQ(diff(a, b, {}), "");
  // Without a ClientMeta the whole row goes out.
  last = a.seq();
  a.feed("\x1b[1;200Hq");
  EXPECT_GT(redraw_since(a, last, {}).size(), 150u);
}
