// redraw_sgr.cpp — pens and colours as SGR sequences for a client's
// terminal.
//
// Why: every change of pen in a frame costs an SGR, so it is the shortest
// one that gets the client from its pen to the next (only what was added,
// or a reset and everything), with colours mapped to what the client can
// show (256 colours, none), and never more than 16 parameters in one CSI
// (a client running on libvterm 0.1.4 would crash: docs/libvterm.md,
// guard 9) nor more than 60 bytes of them (tmux 3.3a, as the client's
// terminal, drops a CSI whose parameters pass 63 bytes). Underline styles
// past the single one and the underline colour go out in the colon form
// (4:3, 58:2::r:g:b), which a terminal that does not know them skips
// whole; the semicolon form would be read as other attributes.
#include "render/redraw.h"

#include <algorithm>
#include <string>
#include <vector>

#include "render/redraw_detail.h"

namespace amux::render {

namespace redraw_detail {

namespace {

// SGR parameter groups: "1", "38;5;208", "4:3" (a group stays in one CSI).
using SgrParams = std::vector<std::string>;

// SGR groups that turn on `attrs`.
void attr_params(SgrParams& s, uint16_t attrs) {
  if (attrs & kBold) s.emplace_back("1");
  if (attrs & kDim) s.emplace_back("2");
  if (attrs & kItalic) s.emplace_back("3");
  if (attrs & kUnderline) s.emplace_back("4");
  if (attrs & kDoubleUnderline) s.emplace_back("21");
  if (attrs & kCurlyUnderline) s.emplace_back("4:3");
  if (attrs & kDottedUnderline) s.emplace_back("4:4");
  if (attrs & kDashedUnderline) s.emplace_back("4:5");
  if (attrs & kBlink) s.emplace_back("5");
  if (attrs & kReverse) s.emplace_back("7");
  if (attrs & kConceal) s.emplace_back("8");
  if (attrs & kStrike) s.emplace_back("9");
  if (attrs & kOverline) s.emplace_back("53");
}

// The SGR group that sets a colour (39/49 for the default).
void color_params(SgrParams& s, Color c, bool fg) {
  switch (c.kind()) {
    case Color::Default:
      s.emplace_back(fg ? "39" : "49");
      return;
    case Color::Indexed: {
      int i = c.index();
      if (i < 8) s.push_back(std::to_string((fg ? 30 : 40) + i));
      else if (i < 16) s.push_back(std::to_string((fg ? 90 : 100) + i - 8));
      else s.push_back(std::string(fg ? "38;5;" : "48;5;") + std::to_string(i));
      return;
    }
    case Color::Rgb:
      s.push_back(std::string(fg ? "38;2;" : "48;2;") + std::to_string(c.r()) + ";" +
                  std::to_string(c.g()) + ";" + std::to_string(c.b()));
      return;
  }
}

// The underline colour's group (59 for the default).
void ul_params(SgrParams& s, Color c) {
  switch (c.kind()) {
    case Color::Default:
      s.emplace_back("59");
      return;
    case Color::Indexed:
      s.push_back("58:5:" + std::to_string(c.index()));
      return;
    case Color::Rgb:
      s.push_back("58:2::" + std::to_string(c.r()) + ":" + std::to_string(c.g()) + ":" +
                  std::to_string(c.b()));
      return;
  }
}

// The groups as CSI ... m sequences of at most kMaxCsiArgs arguments each:
// libvterm 0.1.4 crashes on a CSI with more than 16 (its argument array
// overflows), so a client running on it must never get one; and of at most
// kMaxCsiBytes parameter bytes, which tmux keeps whole.
constexpr int kMaxCsiArgs = 16;
constexpr size_t kMaxCsiBytes = 60;
std::string pack_sgr(const SgrParams& groups) {
  std::string out;
  int args = 0;
  size_t bytes = 0;
  for (const std::string& g : groups) {
    int n = 1 + int(std::count_if(g.begin(), g.end(), [](char c) { return c == ';' || c == ':'; }));
    if (args > 0 && (args + n > kMaxCsiArgs || bytes + 1 + g.size() > kMaxCsiBytes)) {
      out += 'm';
      args = 0;
      bytes = 0;
    }
    if (args > 0) ++bytes;
    out += args == 0 ? "\x1b[" : ";";
    out += g;
    args += n;
    bytes += g.size();
  }
  if (args > 0) out += 'm';
  return out;
}

}  // namespace

// SGR between two pens already mapped for the client.
std::string sgr_mapped(const Pen& f, const Pen& t) {
  if (f == t) return {};
  // From a reset: every attribute and non-default colour of `t`.
  SgrParams full{"0"};
  attr_params(full, t.attrs);
  if (t.fg != Color::def()) color_params(full, t.fg, true);
  if (t.bg != Color::def()) color_params(full, t.bg, false);
  if (t.ul != Color::def()) ul_params(full, t.ul);
  std::string best = pack_sgr(full);
  if ((f.attrs & ~t.attrs) == 0) {  // nothing to turn off: maybe add only
    SgrParams inc;
    attr_params(inc, uint16_t(t.attrs & ~f.attrs));
    if (t.fg != f.fg) color_params(inc, t.fg, true);
    if (t.bg != f.bg) color_params(inc, t.bg, false);
    if (t.ul != f.ul) ul_params(inc, t.ul);
    std::string s = pack_sgr(inc);
    if (s.size() <= best.size()) best = std::move(s);
  }
  return best;
}

}  // namespace redraw_detail

using namespace redraw_detail;

uint8_t rgb_to_xterm256(uint8_t r, uint8_t g, uint8_t b) {
  // The 6x6x6 cube (levels 0, 95, 135, ..., 255) and the 24 greys (8..238).
  auto level = [](int v) { return v < 48 ? 0 : v < 115 ? 1 : (v - 35) / 40; };
  static constexpr int kLevels[6] = {0, 95, 135, 175, 215, 255};
  int ri = level(r), gi = level(g), bi = level(b);
  auto dist = [&](int cr, int cg, int cb) {
    return (cr - r) * (cr - r) + (cg - g) * (cg - g) + (cb - b) * (cb - b);
  };
  int cube = 16 + 36 * ri + 6 * gi + bi;
  int cube_d = dist(kLevels[ri], kLevels[gi], kLevels[bi]);
  int avg = (r + g + b) / 3;
  int gray_i = avg > 238 ? 23 : avg < 8 ? 0 : (avg - 3) / 10;
  gray_i = std::clamp(gray_i, 0, 23);
  int gv = 8 + 10 * gray_i;
  int gray_d = dist(gv, gv, gv);
  return uint8_t(gray_d < cube_d ? 232 + gray_i : cube);
}

std::string sgr_transition(const Pen& from, const Pen& to, const RedrawOptions& o) {
  return sgr_mapped(map_pen(from, o), map_pen(to, o));
}

}  // namespace amux::render
