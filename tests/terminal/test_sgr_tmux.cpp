// SGR attributes, erases and C1 controls, tmux 3.3a as the oracle: the same
// bytes printed in an amux session and in a plain tmux pane of the same size
// must give the same cells — text, colours, every attribute tmux keeps and
// the underline colour — in `amux capture -e` (against `tmux capture-pane
// -p -e`) and in what `amux attach`, inside an outer tmux, draws there.
// Both captures are read by a small SGR reader of this file's own (not the
// Screen's), normalised where the two writers differ but the screen does
// not: tmux writes `38;5;1` where amux writes `31`, carries its pen from
// line to line and leaves out trailing blanks; a blank shows only its
// background unless reverse, an underline, strike or overline is set.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/amux_env.h"

using namespace amux::test;
namespace fs = std::filesystem;

namespace {

constexpr int kRows = 8, kCols = 40;
const char* const kEnd = "\x1b[8;1H<END>";

struct Case {
  const char* name;
  std::string bytes;
};

std::vector<Case> cases() {
  return {
      // 1: erases copy the background only.
      {"EL 0 in reverse", "\x1b[7mX\x1b[K\x1b[0m\x1b[1;40H|"},
      {"EL 0 underline strike overline on blue", "\x1b[4;9;53;44mX\x1b[K\x1b[0m\x1b[1;40H|"},
      {"EL 1", "\x1b[1;20H\x1b[7;4;41mX\x1b[1K\x1b[0mY"},
      {"EL 2", "abc\x1b[4;7;43m\x1b[2K\x1b[0m\x1b[1;40H|"},
      {"ECH", "abcdefgh\x1b[1;2H\x1b[7;9;45m\x1b[4X\x1b[0m"},
      {"ED 0", "line1\r\nline2\x1b[1;3H\x1b[7;46m\x1b[J\x1b[0m\x1b[1;40H|\x1b[3;40H|"},
      {"ED 1", "line1\r\nline2\r\nline3\x1b[2;3H\x1b[9;7;42m\x1b[1J\x1b[0m|"},
      {"ED 2", "line1\r\nline2\x1b[4;53;44m\x1b[2J\x1b[0m\x1b[1;40H|\x1b[3;1Habc"},
      // 2: C1 controls sent as UTF-8.
      {"C1 CSI as UTF-8", "abc\xc2\x9b" "def"},
      {"C1 NEL and OSC as UTF-8", "x\xc2\x85y\xc2\x9dz|"},
      {"C1 then a combining mark", "a\xc2\x9b\xcc\x81|"},
      // 3: underline colour in the semicolon form.
      {"SGR 58;2 keeps bold red", "\x1b[1;31m\x1b[58;2;0;255;0mX\x1b[0m"},
      {"SGR 58;5 adds no blink", "\x1b[1;32m\x1b[58;5;196mY\x1b[0m"},
      {"SGR 58 with underline", "\x1b[4;58;2;1;2;3mU\x1b[4:3;58:5:9mV\x1b[59mW\x1b[0m"},
      // 4: colon RGB with an empty colour-space field.
      {"colon RGB", "\x1b[38:2::1:2:3mC\x1b[48:2::4:5:6mD\x1b[38:2:7:8:9mE\x1b[0m"},
      // 6: every attribute tmux keeps.
      {"attributes", "\x1b[2mdim\x1b[0m \x1b[3mit\x1b[0m \x1b[5mbl\x1b[0m \x1b[6mrb\x1b[0m \x1b[7mrv\x1b[0m "
                     "\x1b[8mcc\x1b[0m \x1b[9mst\x1b[0m \x1b[53mov\x1b[0m"},
      {"underline styles", "\x1b[4mu1\x1b[0m \x1b[21mu2\x1b[0m \x1b[4:2md2\x1b[0m \x1b[4:3mu3\x1b[0m "
                           "\x1b[4:4mu4\x1b[0m \x1b[4:5mu5\x1b[0m \x1b[4;4:0mu0"},
      {"saved cursor keeps the pen", "\x1b[2;4:4;58:5:3m\x1b" "7\x1b[0mA\x1b" "8B\x1b[0m"},
      {"alternate screen clears with the default background", "\x1b[44m\x1b[?1049h\x1b[0m\x1b[1;40H|"},
      {"combinations", "\x1b[1;2mbd\x1b[22mn \x1b[58:5:33;4:3mcu\x1b[59mcn\x1b[0m \x1b[2;3;7;38;5;208mx"
                       "\x1b[0m\r\n\x1b[48;5;17;4:4;58;2;250;0;0m dotted \x1b[0m"},
  };
}

// ---- an SGR reader independent of the Screen -------------------------------

struct CellPen {
  std::string fg, bg, ul;  // "" default, "i<n>" indexed, "#rrggbb"
  unsigned attrs = 0;      // bits below
  bool operator==(const CellPen&) const = default;
};
enum : unsigned {
  A_BOLD = 1, A_DIM = 2, A_ITALIC = 4, A_UL = 8, A_UL2 = 16, A_UL3 = 32, A_UL4 = 64, A_UL5 = 128,
  A_BLINK = 256, A_REVERSE = 512, A_HIDDEN = 1024, A_STRIKE = 2048, A_OVERLINE = 4096,
};
constexpr unsigned kAnyUl = A_UL | A_UL2 | A_UL3 | A_UL4 | A_UL5;
constexpr unsigned kShowsOnBlank = kAnyUl | A_REVERSE | A_STRIKE | A_OVERLINE;

std::string rgb(int r, int g, int b) {
  char buf[8];
  snprintf(buf, sizeof buf, "#%02x%02x%02x", r, g, b);
  return buf;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> v;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      v.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  v.push_back(cur);
  return v;
}

int num(const std::string& s) { return s.empty() ? 0 : std::stoi(s); }

// Applies one SGR's parameters (what both writers produce, nothing more).
void apply_params(const std::string& params, CellPen& p) {
  std::vector<std::string> f = split(params, ';');
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i].find(':') != std::string::npos) {
      std::vector<std::string> s = split(f[i], ':');
      int k = num(s[0]);
      if (k == 5 && s.size() == 2 && s[1] == "3") {  // tmux writes 53 (overline) as 5:3
        p.attrs |= A_OVERLINE;
        continue;
      }
      if (s.size() < 2) continue;
      if (k == 4) {
        static const unsigned kStyle[] = {0, A_UL, A_UL2, A_UL3, A_UL4, A_UL5};
        p.attrs = (p.attrs & ~kAnyUl) | kStyle[num(s[1])];
        continue;
      }
      std::string col = num(s[1]) == 5 ? "i" + s[2]
                                       : rgb(num(s[s.size() - 3]), num(s[s.size() - 2]), num(s[s.size() - 1]));
      (k == 38 ? p.fg : k == 48 ? p.bg : p.ul) = col;
      continue;
    }
    int n = num(f[i]);
    if ((n == 38 || n == 48 || n == 58) && i + 2 < f.size()) {
      std::string col;
      if (num(f[i + 1]) == 5) {
        col = "i" + f[i + 2];
        i += 2;
      } else {
        col = rgb(num(f[i + 2]), num(f[i + 3]), num(f[i + 4]));
        i += 4;
      }
      (n == 38 ? p.fg : n == 48 ? p.bg : p.ul) = col;
      continue;
    }
    switch (n) {
      case 0: p = CellPen{}; break;
      case 1: p.attrs |= A_BOLD; break;
      case 2: p.attrs |= A_DIM; break;
      case 3: p.attrs |= A_ITALIC; break;
      case 4: p.attrs = (p.attrs & ~kAnyUl) | A_UL; break;
      case 5: p.attrs |= A_BLINK; break;
      case 7: p.attrs |= A_REVERSE; break;
      case 8: p.attrs |= A_HIDDEN; break;
      case 9: p.attrs |= A_STRIKE; break;
      case 21: p.attrs = (p.attrs & ~kAnyUl) | A_UL2; break;
      case 53: p.attrs |= A_OVERLINE; break;
      case 39: p.fg.clear(); break;
      case 49: p.bg.clear(); break;
      case 59: p.ul.clear(); break;
      default:
        if (n >= 30 && n <= 37) p.fg = "i" + std::to_string(n - 30);
        else if (n >= 40 && n <= 47) p.bg = "i" + std::to_string(n - 40);
        else if (n >= 90 && n <= 97) p.fg = "i" + std::to_string(n - 90 + 8);
        else if (n >= 100 && n <= 107) p.bg = "i" + std::to_string(n - 100 + 8);
        else ADD_FAILURE() << "SGR parameter " << n << " not expected in a capture";
    }
  }
}

struct TCell {
  std::string text;
  CellPen pen;
  bool operator==(const TCell&) const = default;
};

std::string show(const std::vector<std::vector<TCell>>& rows) {
  std::ostringstream o;
  for (size_t r = 0; r < rows.size(); ++r) {
    o << r << ": ";
    for (const TCell& c : rows[r]) {
      o << "[" << c.text;
      if (!(c.pen == CellPen{}))
        o << " a" << c.pen.attrs << (c.pen.fg.empty() ? "" : " f" + c.pen.fg)
          << (c.pen.bg.empty() ? "" : " b" + c.pen.bg) << (c.pen.ul.empty() ? "" : " u" + c.pen.ul);
      o << "]";
    }
    o << "\n";
  }
  return o.str();
}

// A capture -e as rows of cells, normalised (see the file comment). The pen
// carries from line to line, as tmux writes it.
std::vector<std::vector<TCell>> read_capture(const std::string& cap) {
  std::vector<std::vector<TCell>> rows;
  CellPen pen;
  for (const std::string& line : split(cap, '\n')) {
    std::vector<TCell> row;
    for (size_t i = 0; i < line.size();) {
      if (line[i] == '\x1b' && i + 1 < line.size() && line[i + 1] == '[') {
        size_t m = line.find('m', i);
        apply_params(line.substr(i + 2, m - i - 2), pen);
        i = m + 1;
        continue;
      }
      size_t len = 1;
      unsigned char b = static_cast<unsigned char>(line[i]);
      if (b >= 0xf0) len = 4;
      else if (b >= 0xe0) len = 3;
      else if (b >= 0xc0) len = 2;
      TCell c{line.substr(i, len), pen};
      if (c.text == " ") {
        CellPen shown;
        shown.bg = pen.bg;
        shown.attrs = pen.attrs & kShowsOnBlank;
        if (pen.attrs & A_REVERSE) shown.fg = pen.fg;
        if (pen.attrs & kAnyUl) shown.ul = pen.ul;
        c.pen = shown;
      }
      row.push_back(c);
      i += len;
    }
    while (!row.empty() && row.back().text == " ") row.pop_back();
    rows.push_back(row);
  }
  while (!rows.empty() && rows.back().empty()) rows.pop_back();
  return rows;
}

}  // namespace

TEST(SgrTmux, CaptureAndAttachMatchTmuxPane) {
  AmuxEnv env;
  env.write_config("[session]\nrows = " + std::to_string(kRows) + "\ncols = " + std::to_string(kCols) + "\n");
  char tmpl[] = "/tmp/amux-sgr-XXXXXX";
  fs::path dir = mkdtemp(tmpl);
  int n = 0;
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    fs::path file = dir / ("case" + std::to_string(n++));
    std::ofstream(file, std::ios::binary) << c.bytes << kEnd;
    const std::string show_cmd = "stty -opost; cat " + file.string() + "; exec cat";

    // The oracle: a plain tmux pane.
    Tmux direct(kCols, kRows, "sh -c '" + show_cmd + "'");
    ASSERT_TRUE(direct.wait_for("<END>", 20000)) << direct.capture();
    const auto want = read_capture(direct.capture(true));

    // amux capture -e.
    std::string id = env.bg_exec(show_cmd);
    ASSERT_FALSE(id.empty());
    ASSERT_TRUE(env.wait_capture(id, "<END>", 20000)) << env.capture(id);
    const auto got = read_capture(env.capture(id, true));
    EXPECT_EQ(got, want) << "amux capture -e\n" << show(got) << "tmux\n" << show(want);

    // What the attach client draws, in an outer tmux.
    Tmux outer(kCols, kRows,
               "env COLORTERM=truecolor " + env.env_prefix() + amux_bin() + " attach " + id);
    std::vector<std::vector<TCell>> drawn;
    bool same = wait_until(
        [&] {
          drawn = read_capture(outer.capture(true));
          return drawn == want;
        },
        20000);
    EXPECT_TRUE(same) << "amux attach\n" << show(drawn) << "tmux\n" << show(want);
  }
  fs::remove_all(dir);
}
