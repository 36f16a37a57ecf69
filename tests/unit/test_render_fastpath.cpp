// test_render_fastpath.cpp — the Screen's fast path for plain ASCII runs
// (screen_fast_text.cpp, docs/libvterm.md; vt_shadow.h) must change nothing.
//
// Differential: every input goes, in the same random pieces (often of one
// byte), into a Screen with the fast path and one without it (which passes
// every character through libvterm's putglyph), and after each piece every
// cell (text, colours, attributes, width, DECSCA bit), the soft-wrap flags,
// the cursor, the title, the modes, the scrollback, the rows reported dirty
// and the bytes sent back to the program (cursor position reports expose
// libvterm's own cursor) must be the same. Inputs: the redraw corpus of real
// program output, and random mixes of long ASCII runs with SGR, CUP, CR/LF,
// combining marks after ASCII, DEC graphics and UK sets (SCS, SO/SI, single
// shifts), insert mode, origin mode with scroll regions, DECSCA with
// selective erase, autowrap on and off at the margin, tabs, wide
// characters, double-width lines, DECALN, REP, OSC/DCS strings with text in
// them, invalid UTF-8, RIS, resizes. Plus a few direct cases, a check
// against libvterm's own screen layer, and unit tests of the shadow parser.
#include <gtest/gtest.h>
#include <vterm.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "render/screen.h"
#include "render/scrollback.h"
#include "render/vt_shadow.h"
#include "support/agent_corpus.h"
#include "support/corpus.h"

using namespace amux::render;

namespace {

Screen::Options opts(int rows, int cols, bool fast, size_t sb = 300) {
  Screen::Options o;
  o.rows = rows;
  o.cols = cols;
  o.scrollback_lines = sb;
  o.fast_text = fast;
  return o;
}

std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == 0x1b) out += "\\e";
    else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else out.push_back(char(c));
  }
  return out;
}

std::string cell_desc(const Screen& s, const Cell& c) {
  std::string t = c.ch == kBlank ? "blank" : c.ch == kWideTail ? "tail" : printable(s.cell_text(c));
  return "'" + t + "' fg=" + std::to_string(c.fg.v) + " bg=" + std::to_string(c.bg.v) +
         " attrs=" + std::to_string(c.attrs) + " w=" + std::to_string(c.width) +
         " prot=" + std::to_string(c.flags);
}

// Two Screens fed the same pieces: one with the fast path, one without.
class Twin {
 public:
  Twin(int rows, int cols, size_t sb = 300) : fast_(opts(rows, cols, true, sb)), slow_(opts(rows, cols, false, sb)) {
    fast_.on_output = [this](std::string_view b) { out_fast_.append(b); };
    slow_.on_output = [this](std::string_view b) { out_slow_.append(b); };
    fast_.on_title = [this](const std::string& t) { titles_fast_ += t + "|"; };
    slow_.on_title = [this](const std::string& t) { titles_slow_ += t + "|"; };
    fast_.on_bell = [this] { ++bells_fast_; };
    slow_.on_bell = [this] { ++bells_slow_; };
    since_fast_ = fast_.seq();
    since_slow_ = slow_.seq();
  }

  // Feeds one piece to both; returns "" or the first differences.
  // (The scrollback is compared when `scrollback`: decoding it is slow.)
  std::string feed(std::string_view piece, bool cells = true, bool scrollback = true) {
    fast_.feed(piece);
    slow_.feed(piece);
    std::string d = compare_dirty();
    if (cells) d += compare(scrollback);
    return d;
  }
  std::string resize(int rows, int cols) {
    fast_.resize(rows, cols);
    slow_.resize(rows, cols);
    std::string d = compare_dirty();
    return d + compare();
  }

  // Rows changed since the last feed, and whether a full redraw is due.
  std::string compare_dirty() {
    std::string out;
    bool lf = fast_.layout_seq() > since_fast_, ls = slow_.layout_seq() > since_slow_;
    if (lf != ls) out += "layout change differs\n";
    if (fast_.rows_changed_since(since_fast_) != slow_.rows_changed_since(since_slow_))
      out += "dirty rows differ\n";
    // Extra cursor moves may bump meta_seq on the fast side, never fewer.
    if (slow_.meta_seq() > meta_slow_ && !(fast_.meta_seq() > meta_fast_)) out += "meta change missing\n";
    since_fast_ = fast_.seq();
    since_slow_ = slow_.seq();
    meta_fast_ = fast_.meta_seq();
    meta_slow_ = slow_.meta_seq();
    return out;
  }

  std::string compare(bool scrollback = true) const {
    std::string out;
    int n = 0;
    auto note = [&](const std::string& what) {
      if (n++ < 6) out += what + "\n";
    };
    if (fast_.rows() != slow_.rows() || fast_.cols() != slow_.cols()) return "size differs\n";
    for (int r = 0; r < fast_.rows(); ++r) {
      const Row& a = fast_.row(r);
      const Row& b = slow_.row(r);
      if (a.wrapped != b.wrapped) note("row " + std::to_string(r) + " wrapped flag");
      for (int c = 0; c < fast_.cols(); ++c) {
        const Cell& x = a.cells[size_t(c)];
        const Cell& y = b.cells[size_t(c)];
        bool same = x.fg == y.fg && x.bg == y.bg && x.attrs == y.attrs && x.width == y.width &&
                    x.flags == y.flags && fast_.cell_chars(x) == slow_.cell_chars(y) &&
                    (x.ch == kWideTail) == (y.ch == kWideTail);
        if (!same)
          note("(" + std::to_string(r) + "," + std::to_string(c) + ") fast " + cell_desc(fast_, x) +
               " / slow " + cell_desc(slow_, y));
      }
    }
    Cursor cf = fast_.cursor(), cs = slow_.cursor();
    if (cf.row != cs.row || cf.col != cs.col || cf.visible != cs.visible || cf.blink != cs.blink ||
        cf.shape != cs.shape)
      note("cursor fast " + std::to_string(cf.row) + "," + std::to_string(cf.col) + " slow " +
           std::to_string(cs.row) + "," + std::to_string(cs.col));
    if (fast_.title() != slow_.title() || fast_.icon_name() != slow_.icon_name()) note("title");
    if (!(fast_.modes() == slow_.modes())) note("modes");
    if (fast_.alt_screen() != slow_.alt_screen()) note("alt screen");
    if (out_fast_ != out_slow_)
      note("replies fast '" + printable(out_fast_) + "' slow '" + printable(out_slow_) + "'");
    if (titles_fast_ != titles_slow_ || bells_fast_ != bells_slow_) note("events");
    if (fast_.scrollback_size() != slow_.scrollback_size() ||
        fast_.total_lines_scrolled() != slow_.total_lines_scrolled()) {
      note("scrollback size");
    } else if (scrollback) {
      for (size_t i = 0; i < fast_.scrollback_size(); ++i) {
        ScrollbackLine x = fast_.scrollback_line(i), y = slow_.scrollback_line(i);
        bool same = x.wrapped == y.wrapped && x.cells.size() == y.cells.size();
        for (size_t c = 0; same && c < x.cells.size(); ++c) {
          const Cell& p = x.cells[c];
          const Cell& q = y.cells[c];
          same = p.fg == q.fg && p.bg == q.bg && p.attrs == q.attrs && p.width == q.width &&
                 fast_.cell_chars(p) == slow_.cell_chars(q);
        }
        if (!same) note("scrollback line " + std::to_string(i));
      }
    }
    if (n > 6) out += std::to_string(n) + " differences in all\n";
    return out;
  }

  const Screen& fast() const { return fast_; }
  const Screen& slow() const { return slow_; }

 private:
  Screen fast_, slow_;
  uint64_t since_fast_ = 0, since_slow_ = 0, meta_fast_ = 0, meta_slow_ = 0;
  std::string out_fast_, out_slow_, titles_fast_, titles_slow_;
  int bells_fast_ = 0, bells_slow_ = 0;
};

// How long a random piece of `in` from i is. Pieces may end anywhere, even
// between the ESC and the backslash of an ST (guard 11).
size_t piece_len(const std::string& in, size_t i, size_t n) { return std::min(n, in.size() - i); }

// Feeds `input` to a Twin in random pieces (1..max_piece bytes, a third of
// them single bytes); compares the dirty rows after every piece, the cells
// too when `every`, and everything with the scrollback every 64 pieces and
// at the end.
::testing::AssertionResult same_in_pieces(int rows, int cols, const std::string& input, uint32_t seed,
                                          size_t max_piece, bool every) {
  Twin t(rows, cols);
  std::mt19937 rng(seed);
  size_t pieces = 0;
  for (size_t i = 0; i < input.size();) {
    size_t n = piece_len(input, i, rng() % 3 == 0 ? 1 : 1 + rng() % max_piece);
    bool full = ++pieces % 64 == 0 || i + n == input.size();
    std::string d = t.feed(std::string_view(input).substr(i, n), every || full, full);
    if (!d.empty()) {
      size_t from = i > 160 ? i - 160 : 0;
      return ::testing::AssertionFailure()
             << "after byte " << i + n << " of " << input.size() << " (seed " << seed << "):\n"
             << d << "input before: " << printable(input.substr(from, i - from)) << "\npiece: "
             << printable(input.substr(i, n));
    }
    i += n;
  }
  return ::testing::AssertionSuccess();
}

// ---------------------------------------------------------------------------
// Corpus (tests/fixtures/corpus, as in test_render_redraw.cpp)

using amux::test::CorpusFile;

// ---------------------------------------------------------------------------
// Random input

std::string ascii_run(std::mt19937& rng, size_t len) {
  std::string s;
  for (size_t i = 0; i < len; ++i) s.push_back(char(' ' + rng() % 95));
  return s;
}

std::string random_input(std::mt19937& rng, int rows, int cols, int ops) {
  auto num = [&](int n) { return std::to_string(1 + int(rng() % unsigned(n))); };
  static const char* kSgr[] = {"\x1b[m", "\x1b[1;31m", "\x1b[4;44m", "\x1b[38;5;208m", "\x1b[7m",
                               "\x1b[48;2;10;20;30m", "\x1b[3;9m", "\x1b[21m", "\x1b[0;5m", "\x1b[4:3m"};
  static const char* kOther[] = {
      "\xcc\x81",                       // U+0301 combining acute (after whatever came last)
      "\xcc\x81\xcc\xa3",               // two combining marks
      "\xe4\xbd\xa0\xe5\xa5\xbd",       // wide CJK
      "\xf0\x9f\x98\x80",               // emoji
      "\xc3\xa9",                       // é
      "\xe2\x94\x82 ",                  // box drawing then ASCII
      "\xc3",                           // a stray lead byte (invalid UTF-8 before what follows)
      "\xa9",                           // a stray continuation byte
      "\xe2\x80\x8b",                   // U+200B (zero width)
      "\xf0\x9f\xa7\xa0", "\xf0\x9f\xab\xa0",  // U+1F9E0, U+1FAE0: a WidthFilter stand-in
      "\xe2\x80\x8d\xf0\x9f\xa7\x91",     // ZWJ + U+1F9D1 (joins a glyph before it)
      "\xcc\x81\xcc\x82\xcc\x83\xcc\x84\xcc\x85\xcc\x86",  // six marks: a tail stand-in
      "\x1b(0", "\x1b(B", "\x1b(A",     // G0: DEC graphics, ASCII, UK
      "\x1b)0", "\x0e", "\x0f",         // G1 DEC graphics, SO, SI
      "\x1b*0\x1bn", "\x1bo", "\x1b+A", // LS2 with G2 graphics, LS3
      "\x1bN", "\x1bO",                 // SS2, SS3
      "\x1b[4h", "\x1b[4l",             // IRM
      "\x1b[4;20h", "\x1b[20;4h", "\x1b[20l",  // only the first parameter counts
      "\x1b[?6h", "\x1b[?6l",           // DECOM
      "\x1b[?1;6h", "\x1b[?6;1l",       // ... again only the first
      "\x1b[>4h", "\x1b[=4h", "\x1b[4 h", "\x1b[?4h",  // not IRM
      "\x1b[99999999999h", "\x1b[?99999999999l", "\x1b[0004h", "\x1b[4:1h",
      "\x1b[1\"q", "\x1b[0\"q", "\x1b[2\"q",  // DECSCA
      "\x1b[?K", "\x1b[?2J", "\x1b[?1K",      // selective erase (shows DECSCA)
      "\x1b[?7l", "\x1b[?7h",           // autowrap
      "\t", "\t\t\t", "\x1b[3I", "\x1b[Z", "\b", "\r", "\n", "\r\n", "\x0b", "\x1b" "D", "\x1b" "E", "\x1bM",
      "\x1b#6", "\x1b#3", "\x1b#4", "\x1b#5", "\x1b#8",  // DECDWL, DECDHL, DECSWL, DECALN
      "\x18x\x1b[5b", "\x18y\x1b[b",    // REP, right after a width-1 glyph (CAN ends
                                        // any sequence first): libvterm 0.1.4 loops
                                        // forever when the last glyph had width 0
      "\x1b]0;a title with plain text in it\x07", "\x1b]2;another one\x1b\\",
      "\x1bP$q\"q\x1b\\",               // DECRQSS DECSCA: the reply shows the protected bit
      "\x1bPsome dcs text\x1b\\", "\x1b]8;;http://x/\x1b\\",
      "\x1b[12", "\x18", "\x1a", "\x1b",  // cut sequences, CAN, SUB, a lone ESC
      "\x00", "\x7f", "\x1b[6n", "\x1b[?6n", "\x1b[c",
      "\x1b[3@", "\x1b[2P", "\x1b[4X", "\x1b[L", "\x1b[2M", "\x1b[K", "\x1b[1J",
      "\x1b" "7", "\x1b" "8", "\x1b[?1049h", "\x1b[?1049l", "\x1b[?1048h", "\x1b[?1048l",
      "\x1b[s", "\x1b[?69h\x1b[5;30s", "\x1b[?69l",  // DECSLRM / DECLRMM
      "\x1b" "c",                       // RIS
      "\x1b[38;5;1\x1b[m", "\x1b[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18m",
  };
  std::string in;
  for (int op = 0; op < ops; ++op) {
    switch (rng() % 16) {
      case 0: in += kSgr[rng() % 10]; break;
      case 1: in += "\x1b[" + num(rows + 2) + ";" + num(cols + 2) + "H"; break;
      case 2: in += "\x1b[" + num(rows) + ";" + num(rows) + "r"; break;
      case 3: in += "\x1b[" + num(cols) + "G"; break;
      case 4:
      case 5: {
        std::string_view o = kOther[rng() % (sizeof kOther / sizeof kOther[0])];
        if (o.empty()) o = std::string_view("\0", 1);
        in += o;
        break;
      }
      case 6: in += "\r\n"; break;
      case 7: in += ascii_run(rng, size_t(std::max(0, cols - 2 + int(rng() % 5)))); break;  // about a row
      case 8: in += ascii_run(rng, size_t(cols) * (2 + rng() % 3) + rng() % 7); break;  // wraps
      default: in += ascii_run(rng, rng() % 3 == 0 ? rng() % 12 : 10 + rng() % 60);
    }
  }
  return in;
}

}  // namespace

// ---------------------------------------------------------------------------
// Differential tests

TEST(FastPath, Corpus) {
  const std::vector<CorpusFile>& files = amux::test::corpus();
  ASSERT_GE(files.size(), 15u) << "tests/fixtures/corpus not found (set AMUX_SOURCE_DIR)";
  for (const CorpusFile& f : files) {
    for (uint32_t seed : {1u, 2u}) {
      EXPECT_TRUE(same_in_pieces(f.rows, f.cols, f.data, seed, seed == 1 ? 40 : 3000, seed == 1)) << f.name;
    }
    // Whole, in one feed (pieces of kMaxFeedChunk inside).
    Twin t(f.rows, f.cols);
    EXPECT_EQ(t.feed(f.data), "") << f.name << " in one piece";
  }
}

TEST(FastPath, RandomMixes) {
  const char* env = std::getenv("AMUX_FASTPATH_SEEDS");
  uint32_t seeds = env ? uint32_t(std::atoi(env)) : 300;
  for (uint32_t seed = 1; seed <= seeds; ++seed) {
    std::mt19937 rng(seed);
    int rows = 2 + int(rng() % 14), cols = 1 + int(rng() % 70);
    if (seed % 5 == 0) cols = 8 + int(rng() % 200);
    std::string in = random_input(rng, rows, cols, 250);
    ASSERT_TRUE(same_in_pieces(rows, cols, in, seed, 1 + rng() % 300, true))
        << rows << "x" << cols;
  }
}

// Byte soup: escape introducers, parameters, finals, C0 and C1 bytes, UTF-8
// fragments and printable runs in random order, so sequences are cut,
// nested in strings and malformed in every way, REP (final 'b') after
// anything included (guard 10).
// AMUX_FASTPATH_SEEDS=n runs more seeds.
TEST(FastPath, RandomBytes) {
  static const char kBytes[] = "\x1b\x1b\x1b[[[]]P\\0123456789;;:?>=< \"$!'()*+#hlmHNOnocAB8qb\x07\x0e\x0f"
                               "\x18\x1a\r\n\t\b\x7f\x80\x8e\x9b\x9c\xc3\xa9\xcc\x81\xe4\xbd\xa0";
  const char* env = std::getenv("AMUX_FASTPATH_SEEDS");
  uint32_t seeds = env ? uint32_t(std::atoi(env)) : 60;
  for (uint32_t seed = 1; seed <= seeds; ++seed) {
    std::mt19937 rng(seed * 7919);
    int rows = 2 + int(rng() % 10), cols = 1 + int(rng() % 50);
    std::string in;
    while (in.size() < 3000) {
      if (rng() % 3 == 0) {
        std::string run = ascii_run(rng, rng() % 2 ? rng() % 8 : rng() % 120);
        std::replace(run.begin(), run.end(), 'b', 'B');
        in += run;
      } else {
        for (int k = 1 + int(rng() % 6); k > 0; --k) in.push_back(kBytes[rng() % (sizeof kBytes - 1)]);
      }
    }
    if (seed % 4) {
      ASSERT_TRUE(same_in_pieces(rows, cols, in, seed, 1 + rng() % 100, true)) << rows << "x" << cols;
      continue;
    }
    // With resizes between the pieces.
    Twin t(rows, cols);
    for (size_t i = 0; i < in.size();) {
      if (rng() % 16 == 0) {
        ASSERT_EQ(t.resize(1 + int(rng() % 12), 1 + int(rng() % 60)), "") << "seed " << seed;
      }
      size_t n = piece_len(in, i, 1 + rng() % 80);
      ASSERT_EQ(t.feed(std::string_view(in).substr(i, n)), "")
          << "seed " << seed << " input " << printable(in.substr(0, i + n));
      i += n;
    }
  }
}

TEST(FastPath, RandomMixesWithResize) {
  const char* env = std::getenv("AMUX_FASTPATH_SEEDS");
  uint32_t seeds = env ? uint32_t(std::atoi(env)) / 10 : 40;
  for (uint32_t seed = 1000; seed < 1000 + seeds; ++seed) {
    std::mt19937 rng(seed);
    int rows = 3 + int(rng() % 12), cols = 5 + int(rng() % 60);
    Twin t(rows, cols);
    for (int step = 0; step < 40; ++step) {
      if (rng() % 5 == 0) {
        rows = 2 + int(rng() % 14);
        cols = 2 + int(rng() % 80);
        ASSERT_EQ(t.resize(rows, cols), "") << "seed " << seed << " resize " << rows << "x" << cols;
      }
      std::string in = random_input(rng, rows, cols, 20);
      for (size_t i = 0; i < in.size();) {
        size_t n = piece_len(in, i, 1 + rng() % 50);
        ASSERT_EQ(t.feed(std::string_view(in).substr(i, n)), "")
            << "seed " << seed << " step " << step << " input " << printable(in.substr(0, i + n));
        i += n;
      }
    }
  }
}

// Plain text as `cat` prints it: long runs, the fast path's main case.
TEST(FastPath, CatLikeTextAndScrollback) {
  std::mt19937 rng(5);
  std::string in;
  for (int i = 0; i < 400; ++i) {
    in += ascii_run(rng, rng() % 250);
    if (i % 7 == 0) in += "\x1b[3" + std::to_string(i % 8) + "m";
    in += i % 3 ? "\r\n" : "\n";  // a bare LF keeps a pending wrap at the bottom
  }
  for (int cols : {1, 2, 7, 8, 9, 80, 200}) {
    EXPECT_TRUE(same_in_pieces(24, cols, in, 3, 4096, false)) << cols << " cols";
    EXPECT_TRUE(same_in_pieces(5, cols, in, 4, 17, false)) << cols << " cols";
  }
  Twin t(24, 80);
  ASSERT_EQ(t.feed(in), "");
  EXPECT_GT(t.fast().scrollback_size(), 100u);
  // The fast path ran: the probe, the CUF and the rest of a run each report
  // a cursor move where libvterm alone reports one per text piece.
  EXPECT_GT(t.fast().meta_seq() - t.fast().layout_seq(), t.slow().meta_seq() - t.slow().layout_seq());
}

// What agents print: UTF-8 (box drawing, bullets, double-width CJK) and SGR
// (truecolor, 256 colours, bold, dim) on every line, at widths where the
// wide characters land on the right edge, in random pieces; every cell,
// the cursor and the scrollback must match the slow path.
TEST(FastPath, AgentLikeText) {
  std::string in = amux::test::agent_corpus(96 * 1024, true, 11);
  for (int cols : {80, 200, 61, 7}) {
    EXPECT_TRUE(same_in_pieces(30, cols, in, 21, 4096, false)) << cols << " cols";
    EXPECT_TRUE(same_in_pieces(10, cols, in.substr(0, 16 * 1024), 22, 37, true)) << cols << " cols";
  }
  Twin t(50, 200);
  ASSERT_EQ(t.feed(in), "");
  EXPECT_GT(t.fast().scrollback_size(), 100u);
}

// The cases the fast path must leave to libvterm, one at a time.
TEST(FastPath, DirectCases) {
  const std::string run(60, 'q');  // 'q' is a line in DEC graphics
  const std::string cases[] = {
      run + "\xcc\x81",                                   // combining mark after a run
      run + "\xcc\x81" + run + "\xcc\x81\xcc\xa3",
      "\x1b(0" + run + "\x1b(B" + run,                     // DEC graphics in G0
      "\x1b)0\x0e" + run + "\x0f" + run,                   // SO/SI with G1
      "\x1b)0\x1b]0;x\x0ey\x07" + run,                    // SO inside an OSC string still shifts
      "\x1b*0\x1bN" + run + run,                          // single shift: only one character
      "\x1b(A" + run + "###",                             // UK: '#' is a pound sign
      "\xc3\xa9" + run,                                   // UTF-8 then ASCII in one text piece
      "\x1b(B\xc3\xa9" + run + "\xc3\xa9" + run,          // US-ASCII G0 stops at UTF-8
      "\x1b(0\xc3\xa9" + run + "\r\n" + run,              // graphics set after UTF-8
      "\xc3" + run,                                       // stray lead byte: U+FFFD first
      "abc\xc3\n" + run + "\r\n\xa9" + run,               // a lead byte cut by LF
      "\x1b[4h" + run + "\x1b[1;1H" + run + "\x1b[4l" + run,  // insert mode
      "\x1b[3;6r\x1b[?6h" + run + "\x1b[2;5H" + run + "\x1b[?6l" + run,  // origin mode
      "\x1b[1\"q" + run + "\x1b[0\"q" + run + "\x1b[?2J",  // DECSCA then selective erase
      "\x1b[?7l" + run + run + "\x1b[?7h" + run + run,    // autowrap off / on
      "\x1b#6" + run + "\r\n\x1b#3" + run,                // double-width lines
      std::string(79, 'x') + "\x1b#6" + run + "\x1b[2J" + run,  // pending wrap, row width changes
      run + "\x1b[5b" + run + "\x1b[b",                   // REP
      "\x1b]0;" + run + "\x07" + run + "\x1bP" + run + "\x1b\\" + run,  // text inside strings
      "\x1b[1;2;3" + run,                                  // text right after a cut CSI
      "\x1b[1?h" + run,                                    // invalid CSI: 'h' is text
      "\t" + run + "\t" + run,
      "\xe4\xbd\xa0" + run + "\xe4\xbd\xa0" + std::string(10, 'x') + "\x1b[1;5H" + run,  // wide chars overwritten
      "\x1b#8\x1b[5;77H" + run,                            // DECALN
      std::string(79, 'x') + "\x1b[24;1H" + std::string(80, 'y') + "\n" + run,  // pending wrap over LF
      std::string(78, 'x') + "\xe4\xbd\xa0" + run,        // a wide glyph ends at the edge: soft wrap
      // UTF-8 decoder left inside a sequence (invalid UTF-8 cut by a
      // control): the next ASCII byte becomes U+FFFD and itself.
      "\xcc\nO\xe4\x07" "0\x80" + run,                    // ... and a byte >= 0x80 before the run
      "x\xc3\n" + run,                                    // ... right at the run
      "x\xc3" + run,                                       // inside the text piece
      "\x1bN\xc3\xa9" + run + "\r\n" + run,              // single shift before UTF-8
      "\x1bOa" + run + "\x1b*0\x1bN" + run,                // single shift before ASCII
      // After a run, only SGR, CR or LF: the next run starts without a probe.
      run + "\x1b[31m" + run + "\x1b[1;4;48;5;17m" + run + "\r\n" + run + "\n" + run + "\r" + run,
      "\x1b[1\"q" + run + "\x1b[31m" + run + "\x1b[0\"q\x1b[m" + run + "\x1b[?2J",  // DECSCA
      "\x1b[2;1H" + std::string(40 * 3, ' ') + "\x1b[2;1H" + [] {
        std::string w;
        for (int i = 0; i < 39; ++i) w += "\xe4\xbd\xa0";
        return w;
      }() + "\x1b[1;2H" + run.substr(0, 14) + "\n" + run,   // LF onto half a wide character
      "\x1b#6\r\n" + run + "\n" + run + "\x1b[24;1H\n\n" + run + "\n" + run,  // LF after DECDWL
      "\x1b[5;1H\x1b#6\x1b[4;1H" + run.substr(0, 20) + "\n" + run,  // LF onto a double-width line
      "\x1b[24;1H\x1b#6\x1b[23;1H" + run.substr(0, 20) + "\n" + run.substr(0, 20) + "\n" + run,
      // (scrolling keeps the bottom line's double width in libvterm 0.1.4)
      std::string(60, 'x') + "\x1b[m" + run,                 // a run's last character near the edge
      run + "\x1b[4h\x1b[m" + run + "\x1b[4l" + run,         // insert mode between runs
      run + "\x1b[1b" + run + "\x0b" + run + "\x0c" + run,   // REP, VT, FF between runs
      run + "\x1b[?1049h" + run + "\x1b[?1049l" + run,        // alternate screen between runs
  };
  for (const std::string& c : cases) {
    for (uint32_t seed = 0; seed < 6; ++seed)
      EXPECT_TRUE(same_in_pieces(24, 80, c, seed, seed < 3 ? 7 : 200, true)) << printable(c);
    Twin t(24, 80);
    EXPECT_EQ(t.feed(c), "") << printable(c);
  }
}

// SGR between runs: the pen markers are applied and the text around them
// written as cells without libvterm (chain_markers). Short coloured words up
// to and across the right edge, back-to-back SGRs, DECSCA, a combining mark
// or a mode change right after, wide characters overwritten, scroll
// regions, in pieces that cut the markers anywhere.
TEST(FastPath, SgrBetweenRunsWrittenDirectly) {
  auto words = [](int n, int salt) {
    static const char* kSgr[] = {"\x1b[31m", "\x1b[1;38;2;215;119;87m", "\x1b[0m", "\x1b[m\x1b[4;58:2::1:2:3m",
                                 "\x1b[38;5;208m\x1b[2m", "\x1b[39;49;22;23m", "\x1b[7m", "\x1b[48;5;17m"};
    static const char* kWord[] = {"a", "ok", "the", "->", "x=1", "done", "b", "42"};
    static const char* kUtf[] = {"\xe2\x97\x8f", "\xe6\x97\xa5\xe6\x9c\xac", "\xe2\x94\x80\xe2\x94\x80", "\xf0\x9f\xa7\xa0",
                                 "e\xcc\x81", "\xf0\x9f\xa7\x91\xe2\x80\x8d\xf0\x9f\xa7\xa0", "\xe2\x9c\x94\xef\xb8\x8f",
                                 "\xea\xb0\x80\xe1\x85\xa1", "\xf3\xb0\x80\x80", "\xc2\x85", "\xed\x95\x9c"};
    std::string w;
    for (int i = 0; i < n; ++i) {
      w += kSgr[(i * 7 + salt) % 8];
      w += kWord[(i * 5 + salt) % 8];
      if (salt >= 8 && (i * 3 + salt) % 4 == 0) w += kUtf[(i * 5 + salt) % 11];
      if ((i + salt) % 3) w += ' ';
    }
    return w;
  };
  std::string cases[] = {
      "ab" + words(60, 0),                                           // across the right edge
      std::string(60, 'x') + "\x1b[m" + words(40, 1) + "\r\n" + words(40, 2),
      "\x1b[1\"q" + words(30, 3) + "\x1b[0\"q" + words(30, 4) + "\x1b[?2J",  // DECSCA
      "abcdefg\x1b[31mc\x1b[0m\xcc\x81" + words(10, 5) + "\xcc\x81\xcc\xa3",  // combining mark after
      words(20, 6) + "\x1b[4h" + words(20, 7) + "\x1b[1;1H" + words(20, 0) + "\x1b[4l" + words(9, 1),  // insert mode
      "\x1b[2;1H" + [] {
        std::string w;
        for (int i = 0; i < 39; ++i) w += "\xe4\xbd\xa0";
        return w;
      }() + "\x1b[2;2H" + words(30, 2) + "\x1b[2;3H" + words(30, 3),  // over wide characters
      "\x1b[3;6r\x1b[4;1H" + words(25, 4) + "\r\n" + words(25, 5) + "\n" + words(25, 6) + "\r\n" +
          words(25, 7) + "\x1b[r",                                    // scroll region
      "\x1b[?7l" + words(60, 1) + "\x1b[?7h" + words(60, 2),         // autowrap off
      words(30, 3) + "\x1b[5b" + words(30, 4) + "\x1b[1b",           // REP after a chain
      "\x1b[1;77H" + words(8, 5) + "\x1b[1;70H" + words(8, 6),       // near the edge
      "\x1b#6" + words(20, 7) + "\r\n" + words(20, 0),               // double-width line
      std::string(80, 'x') + words(5, 1) + std::string(79, 'y') + words(5, 2) + std::string(81, 'z') +
          words(5, 3),                                               // a run ends in the last column
      // UTF-8 among them: wide (CJK, an emoji libvterm calls narrow), box
      // drawing, combining marks, ZWJ, a variation selector, Hangul jamo,
      // private use (a stand-in range), a C1 control as UTF-8.
      "ab" + words(60, 8) + "\r\n" + words(60, 9) + "\r\n" + words(60, 10),
      std::string(60, 'x') + "\x1b[m" + words(40, 11) + "\r\n" + words(40, 12),
      "\x1b[1\"q" + words(30, 13) + "\x1b[0\"q" + words(30, 14) + "\x1b[?2J",
      "\x1b[2;1H" + [] {
        std::string w;
        for (int i = 0; i < 39; ++i) w += "\xe4\xbd\xa0";
        return w;
      }() + "\x1b[2;2H" + words(30, 15) + "\x1b[2;3H" + words(30, 16),
      std::string(77, 'x') + "\x1b[31m\xe6\x97\xa5\xe6\x97\xa5" + words(9, 17),  // wide at the edge
      std::string(76, 'x') + "\x1b[31m\xe6\x97\xa5\x1b[32m\xe6\x97\xa5\x1b[m" + words(9, 18),
      "abcdefgh\x1b[31m\xe2\x97\x8f\x1b[m\xcc\x81" + words(9, 19),  // a mark after a marker
      "abcdefgh\x1b[31m\xf0\x9f\xa7\xa0\x1b[m\xf0\x9f\xa7\xa0x\xf3\xb0\x80\x80y" + words(9, 20),  // stand-ins
      // Left and right margins (DECLRMM, DECSLRM).
      "\x1b[?69h\x1b[5;40s\x1b[1;5H" + words(30, 9) + "\r\n" + std::string(50, 'x') + words(20, 10) + "\x1b[?69l" +
          words(20, 11),
      // Lines that start with a short word or UTF-8 after CR LF or LF
      // (the chain starts at the cursor), scrolling, in a scroll region.
      [&] {
        std::string w;
        for (int l = 0; l < 40; ++l) w += std::string(l % 3 ? "abcdefgh" : "") + words(6 + l % 5, 8 + l % 13) + (l % 4 ? "\r\n" : "\n");
        return w;
      }(),
      [&] {
        std::string w = "\x1b[1\"q\x1b[5;10r\x1b[9;1H";
        for (int l = 0; l < 20; ++l) w += "xyzabcdef\r\n" + words(3 + l % 4, 8 + l % 13) + "\r\n";
        return w + "\x1b[0\"q\x1b[r\x1b[?2J";
      }(),
  };
  for (int cols : {80, 33}) {
    for (int lead = 0; lead < 12; ++lead) {
      for (const std::string& c : cases) {
        std::string in = std::string(size_t(lead), '.') + c;
        for (uint32_t seed = 0; seed < 3; ++seed)
          EXPECT_TRUE(same_in_pieces(24, cols, in, seed, seed < 1 ? 5 : 300, true)) << cols << " " << printable(in);
        Twin t(24, cols);
        EXPECT_EQ(t.feed(in), "") << cols << " " << printable(in);
      }
    }
  }
}

// Against libvterm's own screen layer (independent of the Screen's code),
// given the same writes: the text and attributes of every cell and the
// cursor, for inputs without wide characters (where the Screen deliberately
// differs, see docs/libvterm.md).
TEST(FastPath, MatchesLibvtermScreenLayer) {
  for (uint32_t seed = 1; seed <= 30; ++seed) {
    std::mt19937 rng(seed);
    int rows = 4 + int(rng() % 10), cols = 10 + int(rng() % 100);
    std::string in;
    for (int op = 0; op < 200; ++op) {
      switch (rng() % 8) {
        case 0: {
          unsigned attr = 1 + rng() % 9;
          if (attr == 6) attr = 5;  // rapid blink: blink in tmux and the Screen, nothing in libvterm
          in += "\x1b[" + std::to_string(30 + rng() % 8) + ";" + std::to_string(attr) + "m";
          break;
        }
        case 1: in += "\x1b[" + std::to_string(1 + rng() % rows) + ";" + std::to_string(1 + rng() % cols) + "H"; break;
        case 2: in += "\r\n"; break;
        case 3: in += rng() % 2 ? "\x1b[4h" : "\x1b[4l"; break;
        case 4: in += rng() % 2 ? "e\xcc\x81" : "\x1b(0"; break;
        case 5: in += rng() % 2 ? "\x1b(B" : "\x1b[m"; break;
        default: in += ascii_run(rng, 5 + rng() % size_t(2 * cols));
      }
    }
    Screen s(opts(rows, cols, true));
    VTerm* vt = vterm_new(rows, cols);
    vterm_set_utf8(vt, 1);
    VTermScreen* vs = vterm_obtain_screen(vt);
    vterm_screen_reset(vs, 1);
    // The same writes for both: where a write starts decides which decoder
    // libvterm uses (ASCII after a combining mark in a DEC graphics G0 is
    // ASCII in the same write, graphics in the next). Never inside a UTF-8
    // sequence, which the Screen holds back.
    for (size_t i = 0; i < in.size();) {
      size_t n = std::min(in.size() - i, size_t(1 + rng() % 200));
      while (i + n < in.size() && (static_cast<unsigned char>(in[i + n]) & 0xC0) == 0x80) ++n;
      s.feed(std::string_view(in).substr(i, n));
      vterm_input_write(vt, in.data() + i, n);
      i += n;
    }
    int bad = 0;
    for (int r = 0; r < rows && bad < 5; ++r) {
      for (int c = 0; c < cols && bad < 5; ++c) {
        VTermScreenCell vc;
        vterm_screen_get_cell(vs, VTermPos{r, c}, &vc);
        std::u32string want;
        for (int k = 0; k < VTERM_MAX_CHARS_PER_CELL && vc.chars[k]; ++k) want.push_back(vc.chars[k]);
        const Cell& ours = s.cell(r, c);
        // The DEC graphics `y` and `z`: ⩽ ⩾ in libvterm's table, ≤ ≥ in
        // the Screen (as xterm and tmux); compared as one.
        auto fold = [](std::u32string t) {
          for (char32_t& ch : t) ch = ch == 0x2A7D ? 0x2264 : ch == 0x2A7E ? 0x2265 : ch;
          return t;
        };
        bool bold = ours.attrs & kBold;
        // An erased cell: libvterm's screen layer gives it the whole pen,
        // the Screen (as terminals and tmux) the background alone.
        bool same = want.empty() ? s.cell_chars(ours).empty() && ours.attrs == 0 && ours.fg == Color::def() :
                    fold(s.cell_chars(ours)) == fold(want) && bold == bool(vc.attrs.bold) &&
                    bool(ours.attrs & kBlink) == bool(vc.attrs.blink) &&
                    (ours.fg.kind() == Color::Indexed) == bool(VTERM_COLOR_IS_INDEXED(&vc.fg) &&
                                                               !(vc.fg.type & VTERM_COLOR_DEFAULT_MASK));
        if (!same) {
          ++bad;
          ADD_FAILURE() << "seed " << seed << " cell " << r << "," << c << ": ours '"
                        << printable(s.cell_text(ours)) << "' attrs " << ours.attrs << " fg "
                        << ours.fg.v << ", libvterm U+" << std::hex << (want.empty() ? 0 : uint32_t(want[0]))
                        << std::dec << " bold " << vc.attrs.bold << " blink " << vc.attrs.blink
                        << " fg type " << int(vc.fg.type);
        }
      }
    }
    VTermPos p;
    vterm_state_get_cursorpos(vterm_obtain_state(vt), &p);
    EXPECT_EQ(s.cursor().row, p.row) << "seed " << seed;
    EXPECT_EQ(s.cursor().col, p.col) << "seed " << seed;
    vterm_free(vt);
  }
}

// Found by the byte-soup test: libvterm ignores bytes >= 0x80 after ESC, so
// "ESC 0xcc 8" restores a cursor saved before a resize, and the mode scanner
// must report it for guard 7 (else libvterm's cursor is left outside the
// screen and its state reads past its line array).
TEST(FastPath, CursorRestoreAfterHighByteIsClamped) {
  for (const char* restore : {"\x1b\xcc" "8", "\x1b\x8e" "8", "\x1b\x7f" "8"}) {
    Screen s(opts(12, 40, true));
    std::string out;
    s.on_output = [&](std::string_view b) { out.append(b); };
    s.feed("\x1b[12;30H\x1b" "7");
    s.resize(3, 40);
    s.feed(restore);
    s.feed("\x1b[6n");
    EXPECT_EQ(out, "\x1b[3;30R") << printable(restore);
  }
}

// The scrollback encoder takes four plain ASCII cells at a time (SSE2): a
// round trip over rows that mix them with everything else must give the
// cells back (minus the DECSCA bit, which the scrollback does not keep, and
// trailing never-written cells).
TEST(FastPath, ScrollbackEncodeRoundTrip) {
  std::mt19937 rng(11);
  const Pen pens[] = {Pen{}, Pen{Color::indexed(1), Color::def(), kBold},
                      Pen{Color::rgb(1, 2, 3), Color::indexed(200), 0},
                      Pen{Color::def(), Color::def(), kUnderline}};
  for (int round = 0; round < 3000; ++round) {
    std::vector<Cell> cells;
    size_t len = rng() % 260;
    Pen pen = pens[rng() % 4];
    while (cells.size() < len) {
      if (rng() % 12 == 0) pen = pens[rng() % 4];
      Cell c{char32_t(0x20 + rng() % 0x60), pen.fg, pen.bg, pen.attrs, 1, 0};  // 0x20..0x7f
      switch (rng() % 16) {
        case 0: c.ch = kBlank; break;
        case 1: c.flags = 1; break;  // DECSCA
        case 2: c.ch = 0xe9; break;
        case 3: c.ch = 0x80 + rng() % 0x40; break;  // just past ASCII
        case 4:
          if (cells.size() + 2 <= len) {
            c.ch = 0x4f60;
            c.width = 2;
            cells.push_back(c);
            c.ch = kWideTail;
            c.width = 1;
          }
          break;
        default: break;
      }
      cells.push_back(c);
    }
    bool wrapped = rng() % 2;
    std::string enc;
    Scrollback::encode(cells.data(), cells.size(), wrapped, enc);
    ScrollbackLine back =
        Scrollback::decode(reinterpret_cast<const uint8_t*>(enc.data()), enc.size());
    std::vector<Cell> want = cells;
    for (Cell& c : want) c.flags = 0;
    if (!wrapped)
      while (!want.empty() && want.back() == Cell{}) want.pop_back();
    ASSERT_EQ(back.wrapped, wrapped);
    ASSERT_EQ(back.cells.size(), want.size()) << "round " << round;
    for (size_t i = 0; i < want.size(); ++i)
      ASSERT_TRUE(back.cells[i] == want[i]) << "round " << round << " cell " << i;
  }
}

// ---------------------------------------------------------------------------
// The shadow parser alone

namespace {

// Feeds `bytes` as one write and reports whether an ASCII run that follows
// would be plain.
bool plain_after(VtShadow& sh, std::string_view bytes) {
  sh.advance(bytes.data(), bytes.size());
  sh.end_write();
  return sh.plain_here();
}

}  // namespace

TEST(VtShadow, GroundStateAndStrings) {
  VtShadow sh;
  EXPECT_TRUE(plain_after(sh, ""));
  EXPECT_FALSE(plain_after(sh, "\x1b"));
  EXPECT_FALSE(plain_after(sh, "["));        // now inside CSI
  EXPECT_TRUE(plain_after(sh, "1;2m"));
  EXPECT_FALSE(plain_after(sh, "\x1b]0;title"));
  EXPECT_FALSE(plain_after(sh, " more\x1b"));  // ESC inside a string
  EXPECT_TRUE(plain_after(sh, "\\"));          // ST
  EXPECT_FALSE(plain_after(sh, "\x1bPq"));
  EXPECT_TRUE(plain_after(sh, "\x07"));        // BEL ends a DCS too
  EXPECT_TRUE(plain_after(sh, "\x1b[12\x18")); // CAN aborts
  EXPECT_TRUE(plain_after(sh, "\x1b[1?"));     // invalid CSI byte ends it
  EXPECT_FALSE(plain_after(sh, "\x1b(\xc3"));  // ESC stays pending over high bytes
  EXPECT_TRUE(plain_after(sh, "B"));
}

TEST(VtShadow, CharacterSets) {
  VtShadow sh;
  EXPECT_FALSE(plain_after(sh, "\x1b(0"));
  EXPECT_TRUE(plain_after(sh, "\x1b(B"));   // US-ASCII
  EXPECT_FALSE(plain_after(sh, "\x1b(A"));  // UK
  EXPECT_FALSE(plain_after(sh, "\x1b(U"));  // unknown designation: still UK
  VtShadow a;
  EXPECT_TRUE(plain_after(a, "\x1b)0"));    // G1 is not GL
  EXPECT_FALSE(plain_after(a, "\x0e"));     // SO
  EXPECT_TRUE(plain_after(a, "\x0f"));      // SI
  EXPECT_FALSE(plain_after(a, "\x1b]0;\x0e\x07"));  // SO inside a string acts
  EXPECT_TRUE(plain_after(a, "\x1b" "c"));  // RIS
  EXPECT_FALSE(plain_after(a, "\x1bN"));    // single shift pending
  // Within one write: ASCII right after UTF-8 belongs to libvterm's own
  // UTF-8 decoder's piece, not the GL set's.
  VtShadow b;
  std::string_view utf8 = "\x1b(B\xc3\xa9";
  b.advance(utf8.data(), utf8.size());
  EXPECT_FALSE(b.plain_here());
  b.advance("\r", 1);
  EXPECT_TRUE(b.plain_here());
  b.advance("\xc3\xa9", 2);
  b.end_write();  // a write boundary ends the piece
  EXPECT_TRUE(b.plain_here());
}

TEST(VtShadow, Utf8DecoderState) {
  VtShadow sh;
  auto feed = [&](std::string_view b) {  // within one write
    sh.advance(b.data(), b.size());
    return sh.plain_here();
  };
  EXPECT_FALSE(feed("x\xc3"));  // GL decoder inside a sequence
  EXPECT_TRUE(feed("\xa9"));     // completed
  EXPECT_FALSE(feed("\xe4\x80"));
  EXPECT_FALSE(feed("\n"));      // a control ends the piece, not the sequence
  EXPECT_FALSE(feed("a"));       // this piece started inside a sequence
  EXPECT_TRUE(feed("\r"));
  EXPECT_FALSE(feed("\xc3"));    // libvterm's own UTF-8 decoder's piece
  EXPECT_TRUE(feed("\r"));       // (its state is not the GL decoder's)
  sh.end_write();
  EXPECT_FALSE(feed("\x1bN\xc3"));  // single shift before UTF-8: decoders unknown
  EXPECT_FALSE(feed("\r"));
  EXPECT_FALSE(feed("ab"));      // the shift may still have been pending
  EXPECT_TRUE(feed("\r"));       // either way the GL decoder took 'b': known again
}

TEST(VtShadow, Modes) {
  VtShadow sh;
  plain_after(sh, "\x1b[4h");
  EXPECT_TRUE(sh.insert_mode());
  plain_after(sh, "\x1b[20;4l");  // only the first parameter counts
  EXPECT_TRUE(sh.insert_mode());
  plain_after(sh, "\x1b[4;20l");
  EXPECT_FALSE(sh.insert_mode());
  plain_after(sh, "\x1b[?4h\x1b[>4h\x1b[=4h\x1b[4 h");
  EXPECT_FALSE(sh.insert_mode());
  plain_after(sh, "\x1b[0004h");
  EXPECT_TRUE(sh.insert_mode());
  plain_after(sh, "\x1b[4:1l");
  EXPECT_FALSE(sh.insert_mode());
  plain_after(sh, "\x1b[99999999999h");  // too large to follow: assumed on
  EXPECT_TRUE(sh.insert_mode());
  plain_after(sh, "\x1b[?6h");
  EXPECT_TRUE(sh.origin_mode());
  plain_after(sh, "\x1b" "c");
  EXPECT_FALSE(sh.insert_mode());
  EXPECT_FALSE(sh.origin_mode());
  plain_after(sh, "\x1b[?1;6h");
  EXPECT_FALSE(sh.origin_mode());
  plain_after(sh, "\x1b[?6;1h");
  EXPECT_TRUE(sh.origin_mode());
}
