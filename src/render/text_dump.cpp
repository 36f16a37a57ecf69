// text_dump.cpp — a Screen as text (see text_dump.h).
//
// Plain text: each row's characters, wide characters once, trailing blanks
// trimmed. With sgr: an SGR sequence wherever the pen changes (always a full
// "CSI 0;...m", so each one stands alone) and a reset at the end of a line
// that ends in a non-default pen. Soft-wrapped rows (Row::wrapped, tracked by
// the Screen when autowrap carries text into the next row) are joined into
// one line in dump_history, keeping their full width.
#include "render/text_dump.h"

#include <vector>

#include "render/safe_text.h"
#include "render/utf8.h"

namespace amux::render {

namespace {

bool blank_cell(const Cell& c, bool sgr) {
  if (c.ch != kBlank && c.ch != U' ') return false;
  return !sgr || (c.bg == Color::def() && (c.attrs & kVisibleOnBlank) == 0);
}

void append_color(std::string& out, Color c, bool fg) {
  switch (c.kind()) {
    case Color::Default:
      return;
    case Color::Indexed: {
      int i = c.index();
      if (i < 8) out += ";" + std::to_string((fg ? 30 : 40) + i);
      else if (i < 16) out += ";" + std::to_string((fg ? 90 : 100) + i - 8);
      else out += std::string(fg ? ";38;5;" : ";48;5;") + std::to_string(i);
      return;
    }
    case Color::Rgb:
      out += std::string(fg ? ";38;2;" : ";48;2;") + std::to_string(c.r()) + ";" +
             std::to_string(c.g()) + ";" + std::to_string(c.b());
      return;
  }
}

// The underline colour, in the colon form (a terminal that does not know
// SGR 58 skips the whole parameter; the semicolon form would be misread).
void append_ul_color(std::string& out, Color c) {
  switch (c.kind()) {
    case Color::Default:
      return;
    case Color::Indexed:
      out += ";58:5:" + std::to_string(c.index());
      return;
    case Color::Rgb:
      out += ";58:2::" + std::to_string(c.r()) + ":" + std::to_string(c.g()) + ":" +
             std::to_string(c.b());
      return;
  }
}

// A complete SGR for `p`, starting from a reset.
void append_sgr(std::string& out, const Pen& p) {
  out += "\x1b[0";
  if (p.attrs & kBold) out += ";1";
  if (p.attrs & kDim) out += ";2";
  if (p.attrs & kItalic) out += ";3";
  if (p.attrs & kUnderline) out += ";4";
  if (p.attrs & kDoubleUnderline) out += ";21";
  if (p.attrs & kCurlyUnderline) out += ";4:3";
  if (p.attrs & kDottedUnderline) out += ";4:4";
  if (p.attrs & kDashedUnderline) out += ";4:5";
  if (p.attrs & kBlink) out += ";5";
  if (p.attrs & kReverse) out += ";7";
  if (p.attrs & kConceal) out += ";8";
  if (p.attrs & kStrike) out += ";9";
  if (p.attrs & kOverline) out += ";53";
  append_color(out, p.fg, true);
  append_color(out, p.bg, false);
  append_ul_color(out, p.ul);
  out += "m";
}

// A cell's characters, never a control a terminal would act on: a bidi
// override or C1 code point the program wrote is left out (safe_text.h),
// so `logs` and `capture` print text only.
void append_text(std::string& out, const std::string& t) {
  size_t i = 0;
  while (i < t.size()) {
    char32_t cp = utf8::decode(t, i);
    if (printable(cp)) utf8::append(out, cp);
  }
}

// Appends cells [0, n) (trimmed unless keep_all); `pen` carries the SGR state.
void append_cells(const Screen& s, const Cell* cells, size_t n, bool keep_all, bool sgr,
                  Pen& pen, std::string& out) {
  if (!keep_all)
    while (n > 0 && blank_cell(cells[n - 1], sgr)) --n;
  for (size_t i = 0; i < n; ++i) {
    const Cell& c = cells[i];
    if (c.ch == kWideTail) continue;
    if (sgr && !(s.pen_of(c) == pen)) {
      pen = s.pen_of(c);
      append_sgr(out, pen);
    }
    if (c.ch == kBlank) out.push_back(' ');
    else append_text(out, s.cell_text(c));
  }
}

void end_line(bool sgr, Pen& pen, std::string& out) {
  if (sgr && !(pen == Pen{})) {
    out += "\x1b[0m";
    pen = Pen{};
  }
}

void trim_blank_lines(std::vector<std::string>& lines) {
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
}

std::string join(const std::vector<std::string>& lines, size_t from) {
  std::string out;
  for (size_t i = from; i < lines.size(); ++i) {
    out += lines[i];
    out.push_back('\n');
  }
  return out;
}

}  // namespace

std::string dump_screen(const Screen& s, const DumpOptions& o) {
  std::vector<std::string> lines;
  lines.reserve(size_t(s.rows()));
  for (int r = 0; r < s.rows(); ++r) {
    const Row& row = s.row(r);
    std::string line;
    Pen pen{};
    append_cells(s, row.cells.data(), row.cells.size(), false, o.sgr, pen, line);
    end_line(o.sgr, pen, line);
    lines.push_back(std::move(line));
  }
  if (o.trim_trailing_blank_lines) trim_blank_lines(lines);
  return join(lines, 0);
}

std::string dump_history(const Screen& s, size_t last_lines, const DumpOptions& o) {
  std::vector<std::string> lines;
  std::string line;
  Pen pen{};
  auto add = [&](const Cell* cells, size_t n, bool wrapped) {
    append_cells(s, cells, n, wrapped, o.sgr, pen, line);
    if (wrapped) return;  // the next row continues this line
    end_line(o.sgr, pen, line);
    lines.push_back(std::move(line));
    line.clear();
  };
  for (size_t i = 0; i < s.scrollback_size(); ++i) {
    ScrollbackLine sl = s.scrollback_line(i);
    add(sl.cells.data(), sl.cells.size(), sl.wrapped);
  }
  // The alternate screen is not history: show the primary's scrollback and
  // whatever is on display.
  for (int r = 0; r < s.rows(); ++r) {
    const Row& row = s.row(r);
    add(row.cells.data(), row.cells.size(), row.wrapped && r + 1 < s.rows());
  }
  if (!line.empty()) {
    end_line(o.sgr, pen, line);
    lines.push_back(std::move(line));
  }
  if (o.trim_trailing_blank_lines) trim_blank_lines(lines);
  size_t from = last_lines > 0 && lines.size() > last_lines ? lines.size() - last_lines : 0;
  return join(lines, from);
}

std::string last_meaningful_line(const Screen& s) {
  for (int r = s.rows() - 1; r >= 0; --r) {
    const Row& row = s.row(r);
    std::string line;
    Pen pen{};
    append_cells(s, row.cells.data(), row.cells.size(), false, false, pen, line);
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos) continue;
    return line.substr(b);
  }
  return {};
}

}  // namespace amux::render
