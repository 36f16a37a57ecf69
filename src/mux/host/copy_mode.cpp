// copy_mode.cpp — see copy_mode.h.
#include "mux/host/copy_mode.h"

#include <algorithm>
#include <cstdlib>

#include "keymap/key_names.h"
#include "render/utf8.h"

namespace amux::mux {

using render::Cell;

namespace {

constexpr int kWheelLines = 3;

// Length of the first key's byte form in `b`, 0 when it is incomplete.
size_t key_length(std::string_view b) {
  const auto c = static_cast<unsigned char>(b[0]);
  if (c == 0x1b) {
    if (b.size() == 1) return 1;  // a lone ESC: the matcher already waited its escape time
    if (b[1] == '[') {
      for (size_t i = 2; i < b.size(); ++i)
        if (b[i] >= 0x40 && b[i] <= 0x7e) return i + 1;
      return 0;
    }
    if (b[1] == 'O') return b.size() >= 3 ? 3 : 0;
    return 2;  // alt + a key
  }
  if (c < 0x80) return 1;
  size_t n = render::utf8::sequence_length(c);
  if (n == 0) return 1;
  return b.size() >= n ? n : 0;
}

// A printable key (text for the search prompt), else "".
std::string printable(std::string_view piece) {
  const auto c = static_cast<unsigned char>(piece[0]);
  if (c < 0x20 || c == 0x7f || (piece.size() == 1 && c >= 0x80)) return "";
  return std::string(piece);
}

}  // namespace

std::string take_mouse_reports(std::string_view bytes, int* wheel_up) {
  std::string rest;
  size_t at = 0;
  while (at < bytes.size()) {
    const size_t m = bytes.find("\x1b[<", at);
    if (m == std::string_view::npos) break;
    size_t end = m + 3;
    while (end < bytes.size() && ((bytes[end] >= '0' && bytes[end] <= '9') || bytes[end] == ';')) ++end;
    if (end >= bytes.size() || (bytes[end] != 'M' && bytes[end] != 'm')) {
      rest.append(bytes.substr(at, end - at));  // not a report after all
      at = end;
      continue;
    }
    rest.append(bytes.substr(at, m - at));
    if (bytes[end] == 'M' && std::atoi(std::string(bytes.substr(m + 3, end - m - 3)).c_str()) == 64)
      ++*wheel_up;
    at = end + 1;
  }
  rest.append(bytes.substr(at));
  return rest;
}

CopyMode::CopyMode(const render::Screen& s, int rows, int cols) : s_(s), rows_(rows), cols_(cols) {
  top_ = live_top();
  const render::Cursor c = s.cursor();
  cy_ = live_top() + uint64_t(std::max(c.row, 0));
  cx_ = c.col;
  clamp();
}

uint64_t CopyMode::first_line() const { return s_.total_lines_scrolled() - s_.scrollback_size(); }
uint64_t CopyMode::live_top() const { return s_.total_lines_scrolled(); }
uint64_t CopyMode::end_line() const { return live_top() + uint64_t(s_.rows()); }

void CopyMode::resize(int rows, int cols) {
  rows_ = rows;
  cols_ = cols;
  clamp();
}

// Keeps the view and the cursor inside the lines kept (history is evicted
// while output arrives) and the view no lower than the live screen.
void CopyMode::clamp() {
  const uint64_t first = first_line(), end = end_line();
  const uint64_t max_top = end > uint64_t(rows_) ? std::max(first, end - uint64_t(rows_)) : first;
  top_ = std::clamp(top_, first, std::max(first, max_top));
  cy_ = std::clamp(cy_, first, end > first ? end - 1 : first);
  cx_ = std::clamp(cx_, 0, std::max(cols_ - 1, 0));
  if (selecting_) sel_line_ = std::max(sel_line_, first);
}

void CopyMode::show_cursor() {
  if (cy_ < top_) top_ = cy_;
  if (cy_ >= top_ + uint64_t(rows_)) top_ = cy_ - uint64_t(rows_) + 1;
  clamp();
}

void CopyMode::move_cursor(int64_t n) {
  if (n < 0) cy_ = uint64_t(-n) > cy_ ? 0 : cy_ - uint64_t(-n);
  else cy_ += uint64_t(n);
  clamp();
  show_cursor();
}

void CopyMode::scroll(int n) {
  if (n > 0) top_ = uint64_t(n) > top_ ? 0 : top_ - uint64_t(n);
  else top_ += uint64_t(-n);
  clamp();
  // The cursor stays on the view, as in tmux.
  cy_ = std::clamp(cy_, top_, top_ + uint64_t(std::max(rows_ - 1, 0)));
  clamp();
}

std::vector<Cell> CopyMode::line_cells(uint64_t abs) const {
  if (abs < first_line() || abs >= end_line()) return {};
  if (abs < live_top()) return s_.scrollback_line(size_t(abs - first_line())).cells;
  return s_.row(int(abs - live_top())).cells;
}

std::string CopyMode::line_text(uint64_t abs, std::vector<int>* col_of_byte) const {
  std::vector<Cell> cells = line_cells(abs);
  std::string out;
  size_t used = 0;  // length without trailing blanks
  for (size_t col = 0; col < cells.size(); ++col) {
    const Cell& c = cells[col];
    if (c.ch == render::kWideTail) continue;
    std::string t = s_.cell_text(c);
    if (t.empty()) t = " ";
    for (char32_t cp : s_.cell_chars(c))
      if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) t = "?";  // never a control in copied text
    if (col_of_byte) col_of_byte->insert(col_of_byte->end(), t.size(), int(col));
    out += t;
    if (c.ch != render::kBlank && c.ch != U' ') used = out.size();
  }
  out.resize(used);
  if (col_of_byte) col_of_byte->resize(used);
  return out;
}

// Finds the query from the cursor on (down or up); moves the cursor there.
bool CopyMode::search(bool down, bool skip_current) {
  if (query_.empty()) return false;
  const uint64_t first = first_line(), end = end_line();
  uint64_t line = cy_;
  int col = cx_;
  for (uint64_t steps = 0; steps <= end - first; ++steps) {
    std::vector<int> cols;
    const std::string text = line_text(line, &cols);
    std::vector<size_t> hits;
    for (size_t at = text.find(query_); at != std::string::npos; at = text.find(query_, at + 1))
      hits.push_back(at);
    if (down) {
      for (size_t at : hits) {
        const int c = cols[at];
        if (steps > 0 || c > col || (!skip_current && c == col)) {
          cy_ = line;
          cx_ = c;
          show_cursor();
          return true;
        }
      }
      line = line + 1 < end ? line + 1 : first;  // wraps, as tmux's search does
    } else {
      for (auto it = hits.rbegin(); it != hits.rend(); ++it) {
        const int c = cols[*it];
        if (steps > 0 || c < col || (!skip_current && c == col)) {
          cy_ = line;
          cx_ = c;
          show_cursor();
          return true;
        }
      }
      line = line > first ? line - 1 : end - 1;
    }
  }
  return false;
}

// From the anchor to the cursor (or the cursor's line with no selection).
std::string CopyMode::selection_text() const {
  uint64_t l0 = cy_, l1 = cy_;
  int c0 = 0, c1 = cols_ - 1;
  if (selecting_) {
    l0 = sel_line_;
    c0 = sel_col_;
    l1 = cy_;
    c1 = cx_;
    if (l1 < l0 || (l1 == l0 && c1 < c0)) {
      std::swap(l0, l1);
      std::swap(c0, c1);
    }
  }
  std::string out;
  for (uint64_t l = l0; l <= l1 && l < end_line(); ++l) {
    std::vector<int> cols;
    const std::string text = line_text(l, &cols);
    size_t from = 0, to = text.size();
    for (size_t i = 0; i < text.size(); ++i) {
      if (l == l0 && cols[i] < c0) from = i + 1;
      if (l == l1 && cols[i] > c1 && to == text.size()) to = i;
    }
    if (from < to) out += text.substr(from, to - from);
    const std::vector<Cell> cells = line_cells(l);
    const bool wrapped = l < live_top() ? s_.scrollback_line(size_t(l - first_line())).wrapped
                                        : s_.row(int(l - live_top())).wrapped;
    if (l != l1 && !wrapped) out += '\n';
  }
  return out;
}

CopyMode::Result CopyMode::input(std::string_view bytes) {
  std::string buf = pending_;
  buf.append(bytes);
  pending_.clear();
  Result res = Result::Nothing;
  size_t at = 0;
  while (at < buf.size()) {
    const std::string_view rest(buf.data() + at, buf.size() - at);
    const size_t n = key_length(rest);
    if (n == 0) {
      pending_.assign(rest);
      break;
    }
    const std::string_view piece = rest.substr(0, n);
    at += n;
    Result r = Result::Nothing;
    if (piece.size() > 3 && piece.substr(0, 3) == "\x1b[<") {  // an SGR mouse report
      const int button = std::atoi(std::string(piece.substr(3)).c_str());
      if (button == 64) scroll(kWheelLines);
      else if (button == 65) scroll(-kWheelLines);
      r = (button == 64 || button == 65) ? Result::Redraw : Result::Nothing;
    } else if (prompt_ != 0) {
      r = prompt_key(keymap::key_name(piece).value_or(""), piece);
    } else if (auto name = keymap::key_name(piece)) {
      r = key(*name);
    }
    if (r != Result::Nothing) res = r;
    if (res == Result::Leave || res == Result::CopyAndLeave) break;
  }
  return res;
}

// A key typed while the search prompt is open.
CopyMode::Result CopyMode::prompt_key(const std::string& name, std::string_view bytes) {
  if (name == "Enter") {
    query_down_ = prompt_ > 0;
    prompt_ = 0;
    if (!prompt_text_.empty()) query_ = prompt_text_;
    if (!search(query_down_, true)) message_ = "not found";
    return Result::Redraw;
  }
  if (name == "Escape" || name == "C-c" || name == "C-g") {
    prompt_ = 0;
    return Result::Redraw;
  }
  if (name == "BSpace" || name == "C-h") {
    while (!prompt_text_.empty() &&
           render::utf8::is_continuation(static_cast<unsigned char>(prompt_text_.back())))
      prompt_text_.pop_back();
    if (!prompt_text_.empty()) prompt_text_.pop_back();
    return Result::Redraw;
  }
  std::string t = printable(bytes);
  if (t.empty() || prompt_text_.size() + t.size() > 256) return Result::Nothing;
  prompt_text_ += t;
  return Result::Redraw;
}

CopyMode::Result CopyMode::key(const std::string& name) {
  message_.clear();
  const int page = std::max(rows_ - 1, 1);
  if (name == "q" || name == "Escape" || name == "C-c") return Result::Leave;
  if (name == "y" || name == "Enter") {
    copied_ = selection_text();
    return Result::CopyAndLeave;
  }
  if (name == "Up" || name == "k") move_cursor(-1);
  else if (name == "Down" || name == "j") move_cursor(1);
  else if (name == "Left" || name == "h") cx_ = std::max(cx_ - 1, 0);
  else if (name == "Right" || name == "l") cx_ = std::min(cx_ + 1, std::max(cols_ - 1, 0));
  else if (name == "PageUp" || name == "C-b") { scroll(page); move_cursor(0); }
  else if (name == "PageDown" || name == "C-f") { scroll(-page); move_cursor(0); }
  else if (name == "C-u") { scroll(page / 2); move_cursor(0); }
  else if (name == "C-d") { scroll(-page / 2); move_cursor(0); }
  else if (name == "g") { cy_ = first_line(); move_cursor(0); }
  else if (name == "G") { cy_ = end_line() - 1; move_cursor(0); }
  else if (name == "0" || name == "Home") cx_ = 0;
  else if (name == "$" || name == "End") {
    std::vector<int> cols;
    const std::string t = line_text(cy_, &cols);
    cx_ = cols.empty() ? 0 : cols.back();
  } else if (name == "/" || name == "?") {
    prompt_ = name == "/" ? 1 : -1;
    prompt_text_.clear();
  } else if (name == "n" || name == "N") {
    const bool down = name == "n" ? query_down_ : !query_down_;
    if (!search(down, true)) message_ = query_.empty() ? "no search yet" : "not found";
  } else if (name == "v" || name == "Space") {
    selecting_ = !selecting_;
    sel_line_ = cy_;
    sel_col_ = cx_;
  } else {
    return Result::Nothing;
  }
  return Result::Redraw;
}

std::string CopyMode::indicator() const {
  return "[" + std::to_string(live_top() - std::min(top_, live_top())) + "/" +
         std::to_string(s_.scrollback_size()) + "]";
}

// Every match of the last search on this line, coloured as tmux's
// copy-mode-match-style (black on cyan), the one at the cursor as its
// current-match style (black on magenta); underlined too, for a terminal
// without colours.
void CopyMode::mark_matches(uint64_t abs, std::vector<Cell>& row) const {
  std::vector<int> cols;
  const std::string text = line_text(abs, &cols);
  for (size_t at = text.find(query_); at != std::string::npos; at = text.find(query_, at + 1)) {
    const int from = cols[at];
    int to = cols[at + query_.size() - 1];
    if (to < int(row.size()) && row[size_t(to)].width == 2) ++to;  // both halves of a wide character
    const bool current = abs == cy_ && from == cx_;
    for (int c = from; c <= to && c < int(row.size()); ++c) {
      Cell& x = row[size_t(c)];
      x.fg = render::Color::indexed(0);
      x.bg = render::Color::indexed(current ? 5 : 6);
      x.attrs = uint16_t((x.attrs & ~(render::kReverse | render::kConceal | render::kAnyUnderline)) | render::kUnderline);
      if (x.ch == render::kBlank) x.ch = U' ';
    }
  }
}

std::vector<std::vector<Cell>> CopyMode::lines(render::Cursor* cur) const {
  std::vector<std::vector<Cell>> out(size_t(std::max(rows_, 0)));
  uint64_t s0 = sel_line_, s1 = cy_;
  int c0 = sel_col_, c1 = cx_;
  if (s1 < s0 || (s1 == s0 && c1 < c0)) {
    std::swap(s0, s1);
    std::swap(c0, c1);
  }
  for (int r = 0; r < rows_; ++r) {
    const uint64_t abs = top_ + uint64_t(r);
    std::vector<Cell>& row = out[size_t(r)];
    row = line_cells(abs);
    row.resize(size_t(std::max(cols_, 0)), Cell{});
    if (!row.empty() && row.back().width == 2) row.back() = Cell{};  // a wide character cut by the edge
    const std::vector<Cell> plain = selecting_ ? row : std::vector<Cell>{};
    if (!query_.empty()) mark_matches(abs, row);
    if (selecting_ && abs >= s0 && abs <= s1) {
      for (int c = 0; c < cols_; ++c) {
        if ((abs == s0 && c < c0) || (abs == s1 && c > c1)) continue;
        Cell& x = row[size_t(c)];
        x = plain[size_t(c)];  // the selection shows over a match
        x.attrs ^= render::kReverse;
        if (x.ch == render::kBlank) x.ch = U' ';
      }
    }
  }
  // The position, top right, and a prompt or message on the last row.
  auto put = [&](int r, int c, const std::string& text) {
    if (r < 0 || r >= rows_) return;
    std::vector<Cell>& row = out[size_t(r)];
    for (char ch : text) {
      if (c < 0 || c >= cols_) return;
      if (c > 0 && row[size_t(c)].ch == render::kWideTail) row[size_t(c - 1)] = Cell{U' '};
      if (row[size_t(c)].width == 2 && c + 1 < cols_) row[size_t(c + 1)] = Cell{U' '};
      Cell x;
      x.ch = char32_t(static_cast<unsigned char>(ch));
      x.attrs = render::kReverse;
      row[size_t(c++)] = x;
    }
  };
  const std::string ind = indicator();
  put(0, std::max(cols_ - int(ind.size()), 0), ind);
  std::string bottom;
  if (prompt_ != 0) bottom = (prompt_ > 0 ? "Search down: " : "Search up: ");
  else if (!message_.empty()) bottom = message_;
  if (!bottom.empty() && rows_ > 0) {
    std::vector<Cell>& row = out[size_t(rows_ - 1)];
    std::fill(row.begin(), row.end(), Cell{});
    put(rows_ - 1, 0, bottom);
    // The typed query as its own cells (UTF-8 kept, never a control).
    int c = int(bottom.size());
    if (prompt_ != 0) {
      for (size_t pos = 0; pos < prompt_text_.size() && c < cols_;) {
        const char32_t cp = render::utf8::decode(prompt_text_, pos);
        // Printable ASCII as it is; anything else (a control, or a
        // character whose width is not one cell for certain) as '?'.
        Cell x;
        x.ch = (cp >= 0x20 && cp < 0x7f) ? cp : U'?';
        row[size_t(c++)] = x;
      }
    }
    if (cur) *cur = render::Cursor{rows_ - 1, std::min(c, std::max(cols_ - 1, 0))};
    return out;
  }
  if (cur) {
    *cur = render::Cursor{};
    cur->row = int(cy_ - top_);
    cur->col = cx_;
  }
  return out;
}

}  // namespace amux::mux
