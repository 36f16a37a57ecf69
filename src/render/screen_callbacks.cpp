// screen_callbacks.cpp — libvterm's state callbacks, writing what its
// parser and state machine decide into the Screen's rows.
//
// Why: amux uses libvterm 0.1.4's state layer but not its screen layer, so
// these callbacks do what libvterm's screen.c does with its cell buffer
// (glyphs, scrolls, erases, the pen, terminal properties, OSC strings), cell
// for cell, on our row store; the deliberate differences are listed in
// docs/libvterm.md. They never call the Screen's owner: events are queued
// here and delivered when feed() or send_*() returns.
#include "render/screen_impl.h"

#include <cstdlib>

#include "render/sgr.h"
#include "render/utf8.h"

namespace amux::render {

using namespace screen_detail;

namespace {

constexpr size_t kMaxTitle = 1024;  // bytes kept of a title / icon name

std::string clean_title(const char* s) {
  std::string out;
  for (; *s && out.size() < kMaxTitle; ++s) {
    auto c = static_cast<unsigned char>(*s);
    if (c < 0x20 || c == 0x7f) continue;
    out.push_back(char(c));
  }
  // Do not end on half a UTF-8 sequence.
  out.resize(out.size() - utf8::incomplete_tail(out));
  return out;
}

}  // namespace

int Screen::Impl::on_putglyph(VTermGlyphInfo* info, VTermPos pos) {
  glyph_width = info->width;  // = libvterm's combine_width (guard 10)
  if (unsigned(pos.row) >= unsigned(rows) || unsigned(pos.col) >= unsigned(cols)) return 0;
  ++pg_count;
  pg_last = pos;
  pg_last_ch = info->chars[0];
  pg_last_plain = info->width == 1 && !info->chars[1] && !info->dwl && !info->dhl;
  pg_last_prot = info->protected_cell;
  int w = info->width >= 2 && pos.col + 2 <= cols ? 2 : 1;
  // The real characters behind WidthFilter's stand-ins.
  char32_t ch = widths.real(info->chars[0]);
  if (info->chars[1]) {
    size_t n = 1;
    while (n < VTERM_MAX_CHARS_PER_CELL && info->chars[n]) ++n;
    uint32_t real[WidthFilter::kMaxReal];
    n = widths.real_chars(info->chars, n, real);
    ch = n == 1 ? real[0] : clusters.intern(real, n);
  }
  if (pos.row != pg_row) {
    Buffer& b = *cur;
    int si = b.slot(pos.row);
    pg_rowp = &b.slots[size_t(si)];
    pg_cells = pg_rowp->cells.data();
    pg_ext = &b.ext[size_t(si)];
    pg_row = pos.row;
  }
  Cell* c = pg_cells;
  // Writing over half of a wide character blanks its other half.
  if (c[pos.col].ch == kWideTail && pos.col > 0 && c[pos.col - 1].width == 2) {
    c[pos.col - 1].ch = kBlank;
    c[pos.col - 1].width = 1;
  }
  int end = pos.col + w;
  if (end < cols && c[end].ch == kWideTail) c[end].ch = kBlank;
  const uint8_t flags = cell_flags(info->protected_cell);
  c[pos.col] = Cell{ch, pen.fg, pen.bg, pen.attrs, uint8_t(w), flags};
  if (w == 2) c[pos.col + 1] = Cell{kWideTail, pen.fg, pen.bg, pen.attrs, 1, flags};
  if (end > *pg_ext) *pg_ext = uint16_t(end);
  pg_rowp->version = bump();

  if (wrap_pending) {
    if (pos.col == 0 && pos.row == wrap_row + 1) cur->row(wrap_row).wrapped = true;
    wrap_pending = false;
  }
  if (end == cols) {
    wrap_pending = true;
    wrap_row = pos.row;
    wrap_col = pos.col;
  }
  return 1;
}

int Screen::Impl::on_movecursor(VTermPos pos, VTermPos /*oldpos*/, int /*visible*/) {
  if (wrap_pending && !(pos.row == wrap_row && pos.col == wrap_col)) wrap_pending = false;
  if (pos.row != cursor.row || pos.col != cursor.col) {
    cursor.row = pos.row;
    cursor.col = pos.col;
    bump_meta();
  }
  return 1;
}

int Screen::Impl::on_scrollrect(VTermRect rect, int downward, int rightward) {
  Buffer& b = *cur;
  rect.start_row = std::max(rect.start_row, 0);
  rect.end_row = std::min(rect.end_row, b.rows);
  rect.start_col = std::max(rect.start_col, 0);
  rect.end_col = std::min(rect.end_col, b.cols);
  int h = rect.end_row - rect.start_row, w = rect.end_col - rect.start_col;
  if (h <= 0 || w <= 0 || (downward == 0 && rightward == 0)) return 1;
  uint64_t v = bump();

  if (wrap_pending && wrap_row >= rect.start_row && wrap_row < rect.end_row) {
    if (rightward == 0 && rect.start_col == 0 && rect.end_col == b.cols) {
      wrap_row -= downward;
      if (wrap_row < rect.start_row || wrap_row >= rect.end_row) wrap_pending = false;
    } else {
      wrap_pending = false;
    }
  }

  if (rightward == 0 && rect.start_col == 0 && rect.end_col == b.cols) {
    scroll_rows(rect.start_row, rect.end_row, downward, v);
    return 1;
  }
  // Partial width or horizontal: what vterm_scroll_rect() does.
  if (std::abs(downward) >= h || std::abs(rightward) >= w) {
    erase_rect(rect.start_row, rect.end_row, rect.start_col, rect.end_col, false, v);
    return 1;
  }
  VTermRect src = rect, dest = rect;
  if (rightward >= 0) {
    dest.end_col = rect.end_col - rightward;
    src.start_col = rect.start_col + rightward;
  } else {
    dest.start_col = rect.start_col - rightward;
    src.end_col = rect.end_col + rightward;
  }
  if (downward >= 0) {
    dest.end_row = rect.end_row - downward;
    src.start_row = rect.start_row + downward;
  } else {
    dest.start_row = rect.start_row - downward;
    src.end_row = rect.end_row + downward;
  }
  move_cells(dest, src, v);
  VTermRect er = rect;
  if (downward > 0) er.start_row = rect.end_row - downward;
  else if (downward < 0) er.end_row = rect.start_row - downward;
  if (rightward > 0) er.start_col = rect.end_col - rightward;
  else if (rightward < 0) er.end_col = rect.start_col - rightward;
  erase_rect(er.start_row, er.end_row, er.start_col, er.end_col, false, v);
  // Wide characters cut at the edges of what moved.
  int ar = std::abs(rightward);
  for (int r = rect.start_row; r < rect.end_row; ++r) {
    Cell* c = b.row(r).cells.data();
    fix_wide(c, b.cols, rect.start_col);
    fix_wide(c, b.cols, rect.end_col);
    fix_wide(c, b.cols, rect.start_col + ar);
    fix_wide(c, b.cols, rect.end_col - ar);
    b.row(r).version = v;
  }
  return 1;
}

int Screen::Impl::on_moverect(VTermRect dest, VTermRect src) {
  move_cells(dest, src, bump());
  return 1;
}

int Screen::Impl::on_erase(VTermRect rect, int selective) {
  if (alt_erase_default) {  // the clear that follows a switch to the alternate screen
    alt_erase_default = false;
    const Cell b = blank;
    const bool d = pen_default;
    blank = Cell{};
    pen_default = true;
    erase_rect(rect.start_row, rect.end_row, rect.start_col, rect.end_col, selective != 0, bump());
    blank = b;
    pen_default = d;
    return 1;
  }
  erase_rect(rect.start_row, rect.end_row, rect.start_col, rect.end_col, selective != 0, bump());
  return 1;
}

// A reset (RIS, and the one at construction): the pen and the saved pen.
int Screen::Impl::on_initpen() {
  pen = Pen{};
  saved_pen = Pen{};
  set_pen_cell();
  return 1;
}

// libvterm's own pen never sees an SGR (PenFilter), so what it reports (its
// defaults after a reset, its saved copy after a cursor restore) is not the
// pen: the Screen follows resets through on_initpen and saves and restores
// its pen itself (screen_feed.cpp).
int Screen::Impl::on_setpenattr(VTermAttr, VTermValue*) { return 1; }

// An SGR, in its place in the stream: PenFilter's marker `CSI <id> p`.
int Screen::Impl::on_marker(const char* leader, const long args[], int argcount,
                            const char* intermed, char command) {
  if (command != PenFilter::kMarkerFinal || (leader && leader[0]) || (intermed && intermed[0]) ||
      argcount != 1 || CSI_ARG_IS_MISSING(args[0]))
    return 0;
  apply_marker(uint32_t(CSI_ARG(args[0])));
  return 1;
}

void Screen::Impl::apply_marker(uint32_t id) {
  bool is_pen = false;
  if (!pens.take(id, marker_params, marker_pen, is_pen)) return;
  if (is_pen) pen = marker_pen;
  else apply_sgr(marker_params, pen);
  set_pen_cell();
}

int Screen::Impl::on_settermprop(VTermProp prop, VTermValue* val) {
  switch (prop) {
    case VTERM_PROP_CURSORVISIBLE:
      cursor.visible = val->boolean != 0;
      bump_meta();
      break;
    case VTERM_PROP_CURSORBLINK:
      cursor.blink = val->boolean != 0;
      bump_meta();
      break;
    case VTERM_PROP_CURSORSHAPE:
      cursor.shape = val->number;
      bump_meta();
      break;
    case VTERM_PROP_ALTSCREEN:
      // libvterm erases the alternate screen itself after this returns.
      switch_buffer(val->boolean != 0);
      alt_erase_default = val->boolean != 0;
      break;
    case VTERM_PROP_TITLE: {
      std::string t = clean_title(val->string ? val->string : "");  // guard 6
      if (t != title) {
        title = std::move(t);
        title_pending = true;
        bump_meta();
      }
      break;
    }
    case VTERM_PROP_ICONNAME:
      icon_name = clean_title(val->string ? val->string : "");  // guard 6
      bump_meta();
      break;
    case VTERM_PROP_REVERSE:  // tracked by the mode scanner (it sees RIS too)
    case VTERM_PROP_MOUSE:    // likewise, with the encodings
    default:
      break;
  }
  return 1;
}

int Screen::Impl::on_osc(const char* command, size_t len) {
  // Guard 11's second half: libvterm 0.1.4 gives a length of -1 for a
  // string whose terminator was cut between ESC and '\'.
  if (len > kMaxHeldString) return 1;
  Notification n;
  if (!notify.parse(std::string_view(command, len), n)) return 0;
  notes.push_back(std::move(n));
  return 1;
}

// ---- trampolines: libvterm's C callbacks to the Impl's members ----------

struct Screen::Impl::Trampolines {
  static Impl* me(void* u) { return static_cast<Impl*>(u); }
  static int putglyph(VTermGlyphInfo* i, VTermPos p, void* u) { return me(u)->on_putglyph(i, p); }
  static int movecursor(VTermPos p, VTermPos o, int v, void* u) { return me(u)->on_movecursor(p, o, v); }
  static int scrollrect(VTermRect r, int d, int rt, void* u) { return me(u)->on_scrollrect(r, d, rt); }
  static int moverect(VTermRect d, VTermRect s, void* u) { return me(u)->on_moverect(d, s); }
  static int erase(VTermRect r, int sel, void* u) { return me(u)->on_erase(r, sel); }
  static int initpen(void* u) { return me(u)->on_initpen(); }
  static int setpenattr(VTermAttr a, VTermValue* v, void* u) { return me(u)->on_setpenattr(a, v); }
  static int settermprop(VTermProp p, VTermValue* v, void* u) { return me(u)->on_settermprop(p, v); }
  static int bell(void* u) {
    me(u)->bell_pending = true;
    return 1;
  }
  static int resize(int r, int c, VTermPos* d, void* u) { return me(u)->on_resize(r, c, d); }
  static int setlineinfo(int, const VTermLineInfo*, const VTermLineInfo*, void*) { return 1; }
  static int osc(const char* cmd, size_t len, void* u) { return me(u)->on_osc(cmd, len); }
  static int csi(const char* l, const long a[], int n, const char* i, char c, void* u) {
    return me(u)->on_marker(l, a, n, i, c);
  }
};

void Screen::Impl::cb_output(const char* s, size_t len, void* u) {
  Impl& self = *static_cast<Impl*>(u);
  // libvterm 0.1.4 answers DECRQM for a mode it does not know with 0 (not
  // recognised) in one call; synchronized output (2026) is supported here:
  // 1 while an update is open, else 2, as terminals that implement it say.
  std::string_view reply(s, len);
  if (reply == "\x1b[?2026;0$y") {
    self.out_buf.append(reply.substr(0, reply.size() - 3));
    self.out_buf.append(self.modes.sync_update ? "1$y" : "2$y");
    return;
  }
  self.out_buf.append(s, len);
}

const VTermStateCallbacks Screen::Impl::kStateCallbacks = {
    &Trampolines::putglyph,   &Trampolines::movecursor,  &Trampolines::scrollrect,
    &Trampolines::moverect,   &Trampolines::erase,       &Trampolines::initpen,
    &Trampolines::setpenattr, &Trampolines::settermprop, &Trampolines::bell,
    &Trampolines::resize,     &Trampolines::setlineinfo,
};
const VTermParserCallbacks Screen::Impl::kFallbacks = {
    nullptr, nullptr, nullptr, &Trampolines::csi, &Trampolines::osc, nullptr, nullptr,
};

}  // namespace amux::render
