// redraw.cpp — a Screen as escape sequences for a client's terminal (see
// redraw.h for the why): painting rows, full redraws and frames of what
// changed. The SGR encoding of pens is in redraw_sgr.cpp; modes, cursor
// shape and title in redraw_modes.cpp.
//
// How a frame is drawn:
//  - the cursor is hidden and autowrap turned off (?7l) while rows are drawn,
//    so no write can ever wrap or scroll the client, even the last cell of
//    the last row or a character the client thinks is wider than libvterm
//    does; both come back at the end of the frame;
//  - each row starts with an explicit CUP; after a wide character, a
//    cluster (base + combining marks) or any code point whose width
//    terminals disagree on (emoji, symbols, private use, ...) the next cell
//    is positioned with CUP again, so a client with other wcwidth tables
//    cannot drift. Between cells whose width is certain, a gap is a CUF;
//  - SGR changes only when the pen does (sgr_transition);
//  - blanks: skipped when the client cell is known to be a default blank
//    (after a clear), else spaces for short runs and ECH for long ones; a
//    trailing run of blanks in one pen is an EL in that pen (EL and ECH
//    erase with the current SGR background: that is the point). Blanks
//    whose attributes show (reverse, underline, strike) are always spaces,
//    since terminals erase with the background colour alone;
//  - every frame leaves the client with SGR 0, autowrap on, the cursor where
//    the program's is, and its visibility, shape, modes and title.
// Cells hold no controls in practice, but any C0/C1 control code point in a
// cell or the title is replaced (cells) or dropped (title) so program output
// can never smuggle a sequence to the client.
#include "render/redraw.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include "render/redraw_detail.h"
#include "render/utf8.h"

namespace amux::render {

using namespace redraw_detail;

namespace {

constexpr int kMaxSpaceRun = 6;  // longer blank runs use ECH / CUF

void csi(std::string& out, int n, char final) {
  out += "\x1b[";
  out += std::to_string(n);
  out += final;
}

void cup(std::string& out, int row, int col) {  // 0-based
  out += "\x1b[";
  out += std::to_string(row + 1);
  out += ';';
  out += std::to_string(col + 1);
  out += 'H';
}

// A code point whose display width terminals agree on: ASCII, Latin, Greek,
// Cyrillic, common punctuation, arrows, maths, box drawing, blocks,
// geometric shapes (but the two that became emoji) and braille.
bool width_certain(char32_t cp) {
  if (cp < 0x300) return true;
  if (cp >= 0x370 && cp < 0x530) return true;
  if (cp >= 0x2010 && cp < 0x2028) return true;
  if (cp >= 0x2030 && cp < 0x205f) return true;
  if (cp >= 0x20a0 && cp < 0x20c0) return true;
  if (cp >= 0x2190 && cp < 0x2300) return true;
  if (cp >= 0x2500 && cp < 0x2600) return cp != 0x25fd && cp != 0x25fe;
  if (cp >= 0x2800 && cp < 0x2900) return true;
  return false;
}

bool is_blank(const Cell& c) { return (c.ch == kBlank || c.ch == U' ') && c.width == 1; }

// Whether blanks in this pen may be drawn by erasing (ECH, EL): terminals
// erase with the background colour only, so attributes that show on a
// blank (reverse video, underlines, strike-through, overline) need real
// spaces.
bool erasable(const Pen& p) { return (p.attrs & kVisibleOnBlank) == 0; }

// The client's area: the screen clipped to max_rows x max_cols.
struct Area {
  int rows, cols;
  bool client_wider;  // the client has columns right of the screen
};

Area area_of(const Screen& s, const RedrawOptions& o) {
  Area a{s.rows(), s.cols(), o.max_cols > s.cols()};
  if (o.max_rows >= 0) a.rows = std::min(a.rows, o.max_rows);
  if (o.max_cols >= 0) a.cols = std::min(a.cols, o.max_cols);
  a.rows = std::max(a.rows, 0);
  a.cols = std::max(a.cols, 0);
  return a;
}

// Draws rows into `out`, tracking the client's pen and cursor column.
class RowPainter {
 public:
  RowPainter(const Screen& s, const RedrawOptions& o, const Area& a, std::string& out)
      : s_(s), o_(o), a_(a), out_(out) {}

  // The pen the client has now (a painter starts after an SGR 0).
  const Pen& pen() const { return pen_; }

  void set_pen(const Pen& p) {
    out_ += sgr_mapped(pen_, p);
    pen_ = p;
  }

  // Row r, columns [lo, hi) (the whole row by default); `cleared`: every
  // client cell of the row is a default blank now. A span is widened so it
  // never starts or ends inside a wide character.
  void paint(int r, bool cleared, int lo = 0, int hi = -1) {
    const Cell* c = s_.row(r).cells.data();
    const int n = a_.cols;
    row_ = r;
    at_ = -1;
    if (n <= 0) return;
    if (hi < 0 || hi > n) hi = n;
    if (lo > 0 && c[lo].ch == kWideTail) --lo;
    if (hi < n && hi > 0 && c[hi - 1].width == 2) ++hi;

    // The trailing run of blanks in one pen (a wide character cut by the
    // clip counts as a blank: it is drawn as one).
    auto blankish = [&](int col) {
      return is_blank(c[col]) || (col == n - 1 && c[col].width == 2);
    };
    int end = n;
    Pen tail_pen{};
    if (blankish(n - 1)) {
      tail_pen = map_pen(s_.pen_of(c[n - 1]), o_);
      while (end > 0 && blankish(end - 1) && map_pen(s_.pen_of(c[end - 1]), o_) == tail_pen) --end;
      if (!erasable(tail_pen)) end = n;  // drawn as spaces below
    }

    // A span that stops short of the edge draws its blanks too (no EL).
    const int stop = hi < n ? hi : end;
    for (int col = lo; col < stop;) {
      const Cell& x = c[col];
      if (x.ch == kWideTail) {  // orphan tail (the Screen never leaves one)
        ++col;
        at_ = -1;
        continue;
      }
      if (blankish(col)) {
        const Pen bp = map_pen(s_.pen_of(x), o_);
        int j = col;
        while (j < stop && blankish(j) && map_pen(s_.pen_of(c[j]), o_) == bp) ++j;
        blanks(col, j - col, bp, cleared);
        col = j;
        continue;
      }
      move_to(col);
      set_pen(map_pen(s_.pen_of(x), o_));
      put_text(x);
      if (x.width == 2) {
        col += 2;
        at_ = -1;
      } else {
        col += 1;
        if (at_ >= 0) at_ = certain(x) ? col : -1;
      }
    }

    if (end < n && hi == n) {
      if (cleared && tail_pen == Pen{}) return;
      move_to(std::max(end, lo));
      set_pen(tail_pen);
      if (a_.client_wider) csi(out_, n - end, 'X');  // EL would paint past the screen
      else out_ += "\x1b[K";
    }
  }

 private:
  // A run of `len` blanks in pen `bp` at `col`.
  void blanks(int col, int len, const Pen& bp, bool cleared) {
    if (cleared && bp == Pen{}) {
      // Already blank: skip, or write a few spaces if that is shorter.
      if (at_ == col && pen_ == bp && len <= 3) {
        out_.append(size_t(len), ' ');
        at_ += len;
      }
      return;
    }
    move_to(col);
    set_pen(bp);
    if (len <= kMaxSpaceRun || !erasable(bp)) {
      out_.append(size_t(len), ' ');
      at_ = col + len;
    } else {
      csi(out_, len, 'X');  // ECH: the cursor stays
      at_ = col;
    }
  }

  void move_to(int col) {
    if (at_ == col) return;
    if (at_ >= 0 && col > at_) {
      int d = col - at_;
      if (d == 1) out_ += "\x1b[C";
      else csi(out_, d, 'C');
    } else {
      cup(out_, row_, col);
    }
    at_ = col;
  }

  bool certain(const Cell& x) const {
    return x.ch < kClusterBase && width_certain(x.ch);
  }

  void put_text(const Cell& x) {
    if (x.ch < 0x80) {
      out_ += is_control(x.ch) ? '?' : char(x.ch);
      return;
    }
    for (char32_t cp : s_.cell_chars(x)) utf8::append(out_, is_control(cp) ? utf8::kReplacement : cp);
  }

  const Screen& s_;
  const RedrawOptions& o_;
  const Area& a_;
  std::string& out_;
  Pen pen_{};
  int row_ = 0;
  int at_ = -1;  // the client's cursor column when known, else -1
};

// The client's copy of the cells (ClientMeta::cells).
bool shadow_fits(const ClientMeta* sent, const Area& a) {
  return sent && sent->known && sent->rows == a.rows && sent->cols == a.cols &&
         sent->cells.size() == size_t(a.rows) * size_t(a.cols);
}

void shadow_row(ClientMeta* sent, const Screen& s, int r) {
  const Cell* c = s.row(r).cells.data();
  std::copy(c, c + sent->cols, sent->cells.begin() + ptrdiff_t(r) * sent->cols);
}

void shadow_all(ClientMeta* sent, const Screen& s, const Area& a) {
  sent->rows = a.rows;
  sent->cols = a.cols;
  sent->cells.assign(size_t(a.rows) * size_t(a.cols), Cell{});
  for (int r = 0; r < a.rows; ++r) shadow_row(sent, s, r);
}

// Columns [lo, hi) of row r that differ from the client's copy; lo == hi
// when none. Cells of combining clusters always count as changed (a
// cluster index may be reused for other text).
void changed_span(const ClientMeta& sent, const Screen& s, int r, int* lo, int* hi) {
  const Cell* now = s.row(r).cells.data();
  const Cell* was = sent.cells.data() + ptrdiff_t(r) * sent.cols;
  auto differs = [&](int c) { return !(now[c] == was[c]) || now[c].ch >= kClusterBase; };
  int a = 0, b = sent.cols;
  while (a < b && !differs(a)) ++a;
  while (b > a && !differs(b - 1)) --b;
  *lo = a;
  *hi = b;
}

// Cursor position, shape, visibility, modes and title. With a ClientMeta
// that knows the client, only what differs from it is sent; without one,
// shape, modes and title are sent whenever meta_changed.
// `hidden`: the frame hid the cursor already.
void finish(std::string& out, const Screen& s, const RedrawOptions& o, const Area& a,
            ClientMeta* sent, bool meta_changed, bool hidden) {
  Cursor cur = s.cursor();
  if (a.rows > 0 && a.cols > 0) cup(out, std::min(cur.row, a.rows - 1), std::min(cur.col, a.cols - 1));
  const bool known = sent && sent->known;
  int shape = decscusr(cur);
  if (known ? shape != sent->cursor_shape : meta_changed) {
    out += "\x1b[";
    out += std::to_string(shape);
    out += " q";
  }
  if (cur.visible) out += "\x1b[?25h";
  else if (!hidden) out += "\x1b[?25l";
  if (o.modes) {
    if (known) out += modes_transition(sent->modes, s.modes());
    else if (meta_changed) out += modes_sync(s.modes());
  }
  if (o.title) {
    const std::string& t = s.title();
    if (known ? t != sent->title : (meta_changed && !t.empty())) title_seq(out, t);
  }
  if (sent) {
    sent->known = true;
    sent->cursor_shape = shape;
    if (o.modes) sent->modes = s.modes();
    if (o.title) sent->title = s.title();
  }
}

std::string full(const Screen& s, const RedrawOptions& o, ClientMeta* sent) {
  const Area a = area_of(s, o);
  std::string out;
  out.reserve(size_t(a.rows) * size_t(a.cols + 16) + 128);
  out += "\x1b[?25l\x1b[?7l\x1b[0m\x1b[r\x1b[H\x1b[2J";
  RowPainter p(s, o, a, out);
  for (int r = 0; r < a.rows; ++r) p.paint(r, true);
  if (!(p.pen() == Pen{})) out += "\x1b[0m";
  out += "\x1b[?7h";
  if (sent) shadow_all(sent, s, a);
  // Without a ClientMeta (or before its first use) everything is sent,
  // stale or not: a full redraw also serves a client that missed frames.
  finish(out, s, o, a, sent, true, true);
  return out;
}

}  // namespace

std::string redraw_full(const Screen& s, const RedrawOptions& o) { return full(s, o, nullptr); }

std::string redraw_full(const Screen& s, const RedrawOptions& o, ClientMeta* sent) {
  return full(s, o, sent);
}

std::string redraw_since(const Screen& s, uint64_t since, const RedrawOptions& o) {
  return redraw_since(s, since, o, nullptr);
}

std::string redraw_since(const Screen& s, uint64_t since, const RedrawOptions& o, ClientMeta* sent) {
  if (s.layout_seq() > since) return full(s, o, sent);
  const Area a = area_of(s, o);
  std::vector<int> rows = s.rows_changed_since(since);
  rows.erase(std::remove_if(rows.begin(), rows.end(), [&](int r) { return r >= a.rows; }), rows.end());
  const bool meta = s.meta_seq() > since;
  if (rows.empty() && !meta) return {};
  std::string out;
  const bool spans = shadow_fits(sent, a);
  struct Span {
    int row, lo, hi;
  };
  std::vector<Span> changed;  // with spans: the columns of each row that differ
  if (spans) {
    for (int r : rows) {
      Span sp{r, 0, 0};
      changed_span(*sent, s, r, &sp.lo, &sp.hi);
      if (sp.lo < sp.hi) changed.push_back(sp);
    }
    rows.clear();
    for (const Span& sp : changed) rows.push_back(sp.row);
  }
  if (!rows.empty()) {
    // Every frame ends with SGR 0; the reset is cheap insurance against
    // anything else the caller wrote to the client in between.
    out += "\x1b[?25l\x1b[?7l\x1b[0m";
    RowPainter p(s, o, a, out);
    if (spans) {
      for (const Span& sp : changed) {
        p.paint(sp.row, false, sp.lo, sp.hi);
        shadow_row(sent, s, sp.row);
      }
    } else {
      for (int r : rows) p.paint(r, false);
    }
    if (!(p.pen() == Pen{})) out += "\x1b[0m";
    out += "\x1b[?7h";
  }
  if (sent && !spans) shadow_all(sent, s, a);
  finish(out, s, o, a, sent, meta, !rows.empty());
  return out;
}

std::string redraw_row(const Screen& s, int row, const RedrawOptions& o) {
  const Area a = area_of(s, o);
  std::string out;
  if (row < 0 || row >= a.rows) return out;
  out += "\x1b[0m";
  RowPainter p(s, o, a, out);
  p.paint(row, false);
  if (!(p.pen() == Pen{})) out += "\x1b[0m";
  return out;
}

}  // namespace amux::render
