// screen.cpp — the Screen: libvterm 0.1.4's parser and state machine driving
// amux's own row store (see screen.h for the why).
//
// Only vterm_obtain_state() and VTermStateCallbacks are used, never the
// screen layer. The callbacks mimic what libvterm's screen.c (0.1.4) does
// with its cell buffer, so our cells match vterm's screen layer cell for cell
// (a differential unit test checks that), with these deliberate differences:
//  - a full-screen scroll rotates a ring of rows instead of moving cells;
//  - overwriting or erasing half of a wide character blanks the other half
//    (libvterm leaves an orphan), and a wide character cut by a resize is
//    blanked;
//  - a scroll by the whole height of a region at the top of the primary
//    screen still sends its rows to the scrollback.
//
// Guards for libvterm 0.1.4 crashes (NOTES.md):
//  1. Screen::resize reads the cursor back after vterm_set_size and, when
//     the state left it outside the screen, moves it inside with a CUP
//     (CSI 1;<col+1>H for a negative row). The state's resize clamps only
//     the bottom, and our resize callback, like screen.c's, scrolls content
//     up and lowers the cursor row by as much, which can make it negative.
//  2. sb_popline crashes: not applicable, the screen layer is never used and
//     our own scrollback pull-back writes cells directly.
//  3. feed() hands libvterm at most kMaxFeedChunk bytes per call (on_text
//     keeps a code point per input byte on the stack), split at a UTF-8
//     boundary, preferably just before an ESC so short sequences and OSC
//     strings stay whole. libvterm 0.1.4 does not carry a partial UTF-8
//     sequence from one write to the next when the run held other text (it
//     prints U+FFFD), so an incomplete sequence at the end of feed() is held
//     back until the next feed().
//  6. TITLE/ICONNAME strings point into libvterm's stack: copied at once.
//  7. (found here) A cursor saved before a resize (DECSC, ?1048, ?1049)
//     is restored by libvterm without clamping to the new size; the state
//     then reads its per-row lineinfo array out of bounds (valgrind shows
//     it). feed() stops right after each cursor-restoring sequence (the
//     mode scanner reports them) and moves the cursor back inside.
//  9. (found here) A CSI sequence with more than 16 parameters writes past
//     the parser's argument array and crashes: CsiGuard (csi_guard.h)
//     drops the parameters after the 16th before libvterm sees them.
//  8. (found here) After a resize libvterm clamps only the bottom and right
//     margins, so a scroll region below the new bottom has top > bottom and
//     the next scroll memmoves a negative length. resize() resets the
//     margins (as xterm and tmux do) and restores the cursor position.
// 10. (found here) REP (CSI n b) repeats the last glyph by its width; with
//     no glyph printed yet, or a zero-width one (U+200B), libvterm loops
//     forever. feed() stops before each REP's final byte (the scanner finds
//     them) and turns it into a CAN when the last putglyph had width 0.
// 11. (found here) libvterm's parser keeps nothing of an OSC/DCS string
//     from one write to the next (the title loses its start), and when the
//     cut falls between the ESC and '\' of the terminator the OSC callback
//     gets a length of -1 (an out-of-bounds read). feed() holds an open
//     string back until its end arrives (up to kMaxHeldString; a longer one
//     goes through, never cut right after that ESC), and on_osc ignores
//     absurd lengths.
// DECSET/DECRST with several parameters: libvterm 0.1.4 applies only the
// first, so feed() writes the others after it one by one (the scanner
// lists them), as xterm and tmux apply them all.
//
// Fast path for plain text (Options::fast_text). Most output is runs of
// printable ASCII, and libvterm spends most of its time, and ours, on one
// putglyph callback per character. input() cuts each piece it hands libvterm
// at such runs and writes the middle of a run into the row store itself:
//  - VtShadow (vt_shadow.h) follows every byte libvterm is given with the
//    same parser state machine and says whether a run is plain here: ground
//    state, decoded byte for byte as ASCII by the decoder that also decodes
//    what follows, no insert mode, no origin mode;
//  - the FIRST character of the run (the probe) goes through libvterm, as
//    the last byte of a write (but see "no probe" below). Its putglyph
//    callback shows where libvterm really put it, so any pending wrap
//    (libvterm's private "phantom column"), the double-width line flags and
//    the DECSCA protected bit are seen, not guessed; the probe cell holds
//    exactly the pen putglyph stores. After it libvterm's cursor is one to
//    the right with no pending wrap (checked with vterm_state_get_cursorpos);
//  - the next k characters are copied into the probe's row with the probe
//    cell's pen, width 1, stopping at least one column before the right
//    edge, so no wrap or scroll can happen among them; the row's version,
//    ext and a wide tail right after them are updated as putglyph would;
//  - a CUF (CSI k C) moves libvterm's cursor past them. It is not clamped:
//    origin mode is off and the target is inside the row. Our cursor mirror
//    follows through the movecursor callback;
//  - the LAST character of every run goes through libvterm too, so its
//    previous-glyph state (a following combining mark, REP) is the one it
//    would have been;
//  - no probe is needed when, since the last character of the previous fast
//    run, libvterm got only SGR, CR and LF (the shadow's "quiet"): that
//    character's putglyph showed it was not in the last column, so libvterm
//    had no pending wrap after it, and none of those sets one, changes
//    DECSCA or (without DECDWL/DECDHL ever) makes a line double-width. The
//    cursor is read back; the pen is our mirror's, which is what putglyph
//    stores; the DECSCA bit is that character's.
// A write boundary before or after an ASCII byte decoded by the GL set's
// decoder changes nothing libvterm does except extra movecursor callbacks,
// which only bump meta_seq (VtShadow says when a cut would change more: a
// UTF-8 decoder inside a sequence). A differential test
// (test_render_fastpath) compares every cell, the cursor, the scrollback,
// the replies and the dirty rows with the fast path on and off.
//
// Callbacks to the owner (on_output, on_bell, on_title, on_notification) are
// never invoked from inside libvterm: events are queued while libvterm runs
// and delivered when feed()/send_*() returns, so a handler may call back into
// the Screen.
#include "render/screen.h"

#include <vterm.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "render/cluster_table.h"
#include "render/mode_scanner.h"
#include "render/csi_guard.h"
#include "render/osc_notify.h"
#include "render/scrollback.h"
#include "render/utf8.h"
#include "render/vt_shadow.h"

namespace amux::render {

namespace {

constexpr int kMaxDim = 2000;          // rows/cols are clamped to [1, kMaxDim]
constexpr uint8_t kProtected = 1;      // Cell::reserved bit: DECSCA-protected
constexpr size_t kMaxTitle = 1024;     // bytes kept of a title / icon name
constexpr size_t kPreferEscWindow = 4096;
// Fast path: runs shorter than kMinRun bytes, or with room for fewer than
// kMinFast characters between the probe and the last one, go through
// libvterm (a cut costs two writes and a CUF).
constexpr size_t kMinRun = 6;
constexpr size_t kMinFast = 3;

int clamp_dim(int v) { return std::clamp(v, 1, kMaxDim); }

Color to_color(const VTermColor& c) {
  if (c.type & VTERM_COLOR_DEFAULT_MASK) return Color::def();
  if (VTERM_COLOR_IS_INDEXED(&c)) return Color::indexed(c.indexed.idx);
  return Color::rgb(c.rgb.red, c.rgb.green, c.rgb.blue);
}

// Makes a cell pair consistent at the boundary between col-1 and col after
// cells on one side changed: a wide head must be followed by its tail and a
// tail preceded by its head; the survivor of a broken pair becomes a blank.
inline void fix_wide(Cell* c, int cols, int col) {
  if (col > 0 && col <= cols && c[col - 1].width == 2 &&
      (col == cols || c[col].ch != kWideTail)) {
    c[col - 1].ch = kBlank;
    c[col - 1].width = 1;
  }
  if (col >= 0 && col < cols && c[col].ch == kWideTail && (col == 0 || c[col - 1].width != 2))
    c[col].ch = kBlank;
}

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

// One screen buffer: a ring of rows. Logical row r lives in slot
// (head + r) mod rows, so scrolling the whole screen moves `head`.
struct Buffer {
  std::vector<Row> slots;
  // Per slot: every cell at [ext, cols) is a default blank Cell{}. Keeps
  // row clearing and scrollback trimming proportional to the text length.
  std::vector<uint16_t> ext;
  int rows = 0;
  int cols = 0;
  int head = 0;

  Buffer(int r, int c, const Cell& fill) : rows(r), cols(c) {
    slots.resize(size_t(r));
    for (Row& row : slots) row.cells.assign(size_t(c), fill);
    ext.assign(size_t(r), fill == Cell{} ? 0 : uint16_t(c));
  }
  int slot(int r) const {
    int i = head + r;
    return i >= rows ? i - rows : i;
  }
  Row& row(int r) { return slots[size_t(slot(r))]; }
  const Row& row(int r) const { return slots[size_t(slot(r))]; }
  uint16_t& ext_of(int r) { return ext[size_t(slot(r))]; }
};

}  // namespace

struct Screen::Impl {
  Screen& self;
  std::unique_ptr<VTerm, decltype(&vterm_free)> vt{nullptr, &vterm_free};
  VTermState* state = nullptr;
  int rows;
  int cols;

  Buffer primary;
  std::unique_ptr<Buffer> alt;
  Buffer* cur;
  bool alt_active = false;

  Pen pen{};
  Cell blank{};  // what erase writes: kBlank in the current pen
  bool pen_default = true;

  Cursor cursor;
  std::string title, icon_name;
  Modes modes;
  uint64_t seq = 0, layout_seq = 0, meta_seq = 0;

  Scrollback sb;
  ClusterTable clusters;
  ModeScanner scanner;
  NotifyParser notify;
  CsiGuard csi_guard;
  VtShadow shadow;  // follows every byte given to libvterm (fast path)
  bool fast_text;

  // The last glyph putglyph wrote (the fast path's probe).
  uint64_t pg_count = 0;
  VTermPos pg_last{-1, -1};
  uint32_t pg_last_ch = 0;
  bool pg_last_plain = false;  // one code point, width 1, not a DWL/DHL line
  bool pg_last_prot = false;   // DECSCA
  // Where the last fast cells ended: libvterm puts the run's last
  // character there. mark: that character, for the probe-less start.
  VTermPos last_fast_end{-1, -1};
  struct {
    bool valid = false;
    uint64_t count = 0;  // pg_count before libvterm wrote it
    uint32_t ch = 0;
    VTermPos pos{-1, -1};
  } mark;

  // Where feed() must step in (guards 7 and 10, DECSET parameters).
  std::vector<ScanCut> cuts;
  // Width of the last glyph putglyph was given: libvterm's combine_width,
  // the width REP repeats by (guard 10).
  int glyph_width = 0;
  // An OSC/DCS string left open at the end of the last feed(), held back
  // until it is complete (guard 11).
  std::string str_carry;

  // Incomplete UTF-8 sequence held back from the end of the last feed().
  char carry[4] = {};
  size_t carry_len = 0;

  // Soft-wrap tracking: a glyph starting at wrap_col ended in the last
  // column of wrap_row; if the next glyph lands at column 0 of the next row
  // without any cursor movement in between, the row wrapped. libvterm leaves
  // its cursor on that glyph (the "phantom column") and reports it there
  // when a write ends, which is no movement.
  bool wrap_pending = false;
  int wrap_row = 0;
  int wrap_col = 0;

  // The row putglyph wrote last, cached until rows move (scroll, resize,
  // buffer switch): consecutive glyphs mostly land in the same row.
  int pg_row = -1;
  Row* pg_rowp = nullptr;
  Cell* pg_cells = nullptr;
  uint16_t* pg_ext = nullptr;

  // Events queued while libvterm runs.
  std::string out_buf;
  bool bell_pending = false;
  bool title_pending = false;
  std::vector<Notification> notes;

  Impl(Screen& s, const Options& o)
      : self(s),
        rows(clamp_dim(o.rows)),
        cols(clamp_dim(o.cols)),
        primary(rows, cols, Cell{}),
        cur(&primary),
        sb(o.scrollback_lines),
        fast_text(o.fast_text) {}

  uint64_t bump() { return ++seq; }
  void bump_meta() { meta_seq = bump(); }

  void set_pen_cell() {
    blank = Cell{kBlank, pen.fg, pen.bg, pen.attrs, 1, 0};
    pen_default = pen == Pen{};
  }

  // ---- row store primitives -------------------------------------------

  // Erases a whole row of `b` (logical r) with the current pen.
  void clear_row(Buffer& b, int r) {
    Row& row = b.row(r);
    uint16_t& ext = b.ext_of(r);
    if (pen_default) {
      std::fill_n(row.cells.begin(), ext, blank);
      ext = 0;
    } else {
      std::fill(row.cells.begin(), row.cells.end(), blank);
      ext = uint16_t(b.cols);
    }
    row.wrapped = false;
  }

  void push_scrollback(Buffer& b, int r) {
    const Row& row = b.row(r);
    sb.push(row.cells.data(), b.ext_of(r), row.wrapped);
  }

  void swap_rows(Buffer& b, int i, int j) {
    int si = b.slot(i), sj = b.slot(j);
    std::swap(b.slots[size_t(si)], b.slots[size_t(sj)]);
    std::swap(b.ext[size_t(si)], b.ext[size_t(sj)]);
  }

  // Scrolls full-width rows [sr, er) of the current buffer by d (> 0: up,
  // content moves towards row 0). Rows leaving the top of the primary
  // screen go to the scrollback.
  void scroll_rows(int sr, int er, int d, uint64_t v) {
    Buffer& b = *cur;
    pg_row = -1;
    int h = er - sr;
    bool to_sb = d > 0 && sr == 0 && !alt_active;
    int ad = d < 0 ? -d : d;
    if (ad >= h) {
      for (int r = sr; r < er; ++r) {
        if (to_sb) push_scrollback(b, r);
        clear_row(b, r);
      }
    } else if (d > 0) {
      if (to_sb)
        for (int r = 0; r < d; ++r) push_scrollback(b, r);
      if (sr == 0 && er == b.rows) {
        b.head = (b.head + d) % b.rows;  // the rotation: no cell moves
      } else {
        for (int i = sr; i < er - d; ++i) swap_rows(b, i, i + d);
      }
      for (int r = er - d; r < er; ++r) clear_row(b, r);
    } else {
      if (sr == 0 && er == b.rows) {
        b.head = (b.head - ad + b.rows) % b.rows;
      } else {
        for (int i = er - 1; i >= sr + ad; --i) swap_rows(b, i, i - ad);
      }
      for (int r = sr; r < sr + ad; ++r) clear_row(b, r);
    }
    if (sr == 0 && er == b.rows) {
      for (Row& row : b.slots) row.version = v;  // every row, in any order
    } else {
      for (int r = sr; r < er; ++r) b.row(r).version = v;
    }
  }

  // Erases cells [sc, ec) of rows [sr, er) with the current pen.
  void erase_rect(int sr, int er, int sc, int ec, bool selective, uint64_t v) {
    Buffer& b = *cur;
    sr = std::max(sr, 0);
    er = std::min(er, b.rows);
    sc = std::max(sc, 0);
    ec = std::min(ec, b.cols);
    if (sc >= ec) return;
    for (int r = sr; r < er; ++r) {
      Row& row = b.row(r);
      uint16_t& ext = b.ext_of(r);
      Cell* c = row.cells.data();
      if (selective) {
        for (int col = sc; col < ec; ++col)
          if (!(c[col].reserved & kProtected)) c[col] = blank;
        if (!pen_default) ext = std::max<uint16_t>(ext, uint16_t(ec));
      } else if (pen_default) {
        if (ec >= ext) {
          if (sc < ext) std::fill(c + sc, c + ext, blank);
          ext = std::min<uint16_t>(ext, uint16_t(sc));
        } else {
          std::fill(c + sc, c + ec, blank);
        }
      } else {
        std::fill(c + sc, c + ec, blank);
        ext = std::max<uint16_t>(ext, uint16_t(ec));
      }
      fix_wide(c, b.cols, sc);
      fix_wide(c, b.cols, ec);
      if (sc == 0 && ec == b.cols) row.wrapped = false;
      row.version = v;
    }
  }

  // Copies the cells of rectangle `src` to `dest` (same size), like
  // screen.c's moverect_internal, in an order safe for overlaps.
  void move_cells(VTermRect dest, VTermRect src, uint64_t v) {
    Buffer& b = *cur;
    int n = dest.end_col - dest.start_col;
    int downward = src.start_row - dest.start_row;
    int init, test, inc;
    if (downward < 0) {
      init = dest.end_row - 1;
      test = dest.start_row - 1;
      inc = -1;
    } else {
      init = dest.start_row;
      test = dest.end_row;
      inc = 1;
    }
    for (int r = init; r != test; r += inc) {
      Row& to = b.row(r);
      const Row& from = b.row(r + downward);
      std::memmove(static_cast<void*>(to.cells.data() + dest.start_col),
                   from.cells.data() + src.start_col, size_t(n) * sizeof(Cell));
      uint16_t& ext = b.ext_of(r);
      ext = std::max<uint16_t>(ext, uint16_t(dest.end_col));
      to.version = v;
    }
  }

  // ---- libvterm state callbacks -----------------------------------------

  int on_putglyph(VTermGlyphInfo* info, VTermPos pos) {
    glyph_width = info->width;  // = libvterm's combine_width (guard 10)
    if (unsigned(pos.row) >= unsigned(rows) || unsigned(pos.col) >= unsigned(cols)) return 0;
    ++pg_count;
    pg_last = pos;
    pg_last_ch = info->chars[0];
    pg_last_plain = info->width == 1 && !info->chars[1] && !info->dwl && !info->dhl;
    pg_last_prot = info->protected_cell;
    int w = info->width >= 2 && pos.col + 2 <= cols ? 2 : 1;
    char32_t ch = info->chars[0];
    if (info->chars[1]) {
      size_t n = 1;
      while (n < VTERM_MAX_CHARS_PER_CELL && info->chars[n]) ++n;
      ch = clusters.intern(info->chars, n);
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
    uint8_t prot = info->protected_cell ? kProtected : 0;
    c[pos.col] = Cell{ch, pen.fg, pen.bg, pen.attrs, uint8_t(w), prot};
    if (w == 2) c[pos.col + 1] = Cell{kWideTail, pen.fg, pen.bg, pen.attrs, 1, prot};
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

  int on_movecursor(VTermPos pos, VTermPos /*oldpos*/, int /*visible*/) {
    if (wrap_pending && !(pos.row == wrap_row && pos.col == wrap_col)) wrap_pending = false;
    if (pos.row != cursor.row || pos.col != cursor.col) {
      cursor.row = pos.row;
      cursor.col = pos.col;
      bump_meta();
    }
    return 1;
  }

  int on_scrollrect(VTermRect rect, int downward, int rightward) {
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

  int on_moverect(VTermRect dest, VTermRect src) {
    move_cells(dest, src, bump());
    return 1;
  }

  int on_erase(VTermRect rect, int selective) {
    erase_rect(rect.start_row, rect.end_row, rect.start_col, rect.end_col, selective != 0, bump());
    return 1;
  }

  int on_initpen() {
    pen = Pen{};
    set_pen_cell();
    return 1;
  }

  int on_setpenattr(VTermAttr attr, VTermValue* val) {
    auto flag = [&](uint16_t bit, bool on) {
      pen.attrs = on ? uint16_t(pen.attrs | bit) : uint16_t(pen.attrs & ~bit);
    };
    switch (attr) {
      case VTERM_ATTR_BOLD: flag(kBold, val->boolean); break;
      case VTERM_ATTR_UNDERLINE:
        flag(kUnderline | kDoubleUnderline | kCurlyUnderline, false);
        if (val->number == VTERM_UNDERLINE_SINGLE) flag(kUnderline, true);
        else if (val->number == VTERM_UNDERLINE_DOUBLE) flag(kDoubleUnderline, true);
        else if (val->number == VTERM_UNDERLINE_CURLY) flag(kCurlyUnderline, true);
        break;
      case VTERM_ATTR_ITALIC: flag(kItalic, val->boolean); break;
      case VTERM_ATTR_BLINK: flag(kBlink, val->boolean); break;
      case VTERM_ATTR_REVERSE: flag(kReverse, val->boolean); break;
      case VTERM_ATTR_STRIKE: flag(kStrike, val->boolean); break;
      case VTERM_ATTR_FOREGROUND: pen.fg = to_color(val->color); break;
      case VTERM_ATTR_BACKGROUND: pen.bg = to_color(val->color); break;
      default: return 1;  // FONT (no conceal attribute in 0.1.4)
    }
    set_pen_cell();
    return 1;
  }

  void switch_buffer(bool to_alt) {
    if (to_alt == alt_active) return;
    if (to_alt && !alt) alt = std::make_unique<Buffer>(rows, cols, Cell{});
    alt_active = to_alt;
    cur = to_alt ? alt.get() : &primary;
    pg_row = -1;
    wrap_pending = false;
    layout_seq = bump();
    for (int r = 0; r < cur->rows; ++r) cur->row(r).version = layout_seq;
  }

  int on_settermprop(VTermProp prop, VTermValue* val) {
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

  bool row_is_blank(const Buffer& b, int r) const {
    const Row& row = b.row(r);
    uint16_t ext = b.ext[size_t(b.slot(r))];
    for (int c = 0; c < ext; ++c)
      if (row.cells[size_t(c)].ch != kBlank) return false;
    return true;
  }

  // Truncates or extends a buffer to new_rows x new_cols (no reflow); new
  // cells get the current pen, as screen.c's realloc_buffer does.
  void realloc_buffer(Buffer& b, int new_rows, int new_cols) {
    Buffer nb(new_rows, new_cols, blank);
    for (int r = 0; r < std::min(b.rows, new_rows); ++r) {
      Row& row = b.row(r);
      uint16_t ext = b.ext_of(r);
      row.cells.resize(size_t(new_cols), blank);
      if (new_cols < b.cols) {
        fix_wide(row.cells.data(), new_cols, new_cols);
        ext = std::min<uint16_t>(ext, uint16_t(new_cols));
      } else if (new_cols > b.cols && !pen_default) {
        ext = uint16_t(new_cols);
      }
      nb.slots[size_t(r)] = std::move(row);
      nb.ext[size_t(r)] = ext;
    }
    b = std::move(nb);
  }

  // State resize callback: mirrors screen.c's resize() in 0.1.4.
  int on_resize(int new_rows, int new_cols, VTermPos* delta) {
    int old_rows = rows;
    wrap_pending = false;
    pg_row = -1;
    if (!alt_active && new_rows < old_rows) {
      // Keep the cursor and the text above it: scroll up (into the
      // scrollback) as many lines as are non-blank below the new bottom.
      int r = old_rows - 1;
      for (; r >= new_rows; --r)
        if (!row_is_blank(primary, r) || cursor.row == r) break;
      int first_blank = r + 1;
      if (first_blank > new_rows) {
        int d = first_blank - new_rows;
        scroll_rows(0, old_rows, d, bump());
        delta->row -= d;
      }
    }
    realloc_buffer(primary, new_rows, new_cols);
    if (alt) realloc_buffer(*alt, new_rows, new_cols);
    rows = new_rows;
    cols = new_cols;
    if (!alt_active && new_rows > old_rows) {
      // Pull lines back from the scrollback, as screen.c does with
      // sb_popline, so growing again shows what shrinking pushed out.
      ScrollbackLine line;
      for (int k = new_rows - old_rows; k > 0 && sb.pop_newest(line); --k) {
        scroll_rows(0, rows, -1, seq);
        // Like screen.c, every cell of the top row comes from the line; the
        // cells trimmed when it was stored were default blanks.
        Row& top = primary.row(0);
        size_t n = std::min(line.cells.size(), size_t(cols));
        std::copy_n(line.cells.begin(), n, top.cells.begin());
        std::fill(top.cells.begin() + long(n), top.cells.end(), Cell{});
        fix_wide(top.cells.data(), cols, int(n));
        top.wrapped = line.wrapped;
        primary.ext_of(0) = uint16_t(n);
        delta->row += 1;
      }
    }
    layout_seq = bump();
    for (Buffer* b : {&primary, alt.get()})
      if (b)
        for (Row& row : b->slots) row.version = layout_seq;
    return 1;
  }

  int on_osc(const char* command, size_t len) {
    // Guard 11's second half: libvterm 0.1.4 gives a length of -1 for a
    // string whose terminator was cut between ESC and '\'.
    if (len > kMaxHeldString) return 1;
    Notification n;
    if (!notify.parse(std::string_view(command, len), n)) return 0;
    notes.push_back(std::move(n));
    return 1;
  }

  // ---- feeding ------------------------------------------------------------

  // Writes to libvterm in pieces of at most kMaxFeedChunk (guard 3).
  void write_chunked(const char* p, size_t n) {
    while (n > 0) {
      size_t take = n;
      if (take > kMaxFeedChunk) {
        take = kMaxFeedChunk;
        // Never split a UTF-8 sequence.
        while (take > 0 && (static_cast<unsigned char>(p[take]) & 0xC0) == 0x80) --take;
        // Prefer to cut just before an escape sequence.
        size_t from = take > kPreferEscWindow ? take - kPreferEscWindow : 0;
        const void* esc = memrchr(p + from, 0x1b, take - from);
        if (esc && static_cast<const char*>(esc) > p) take = size_t(static_cast<const char*>(esc) - p);
        if (take == 0) take = kMaxFeedChunk;
      }
      input(p, take);
      p += take;
      n -= take;
    }
  }

  // Gives libvterm bytes as they are (guards' own sequences; all input
  // when the fast path is off, which then needs no shadow).
  void write_plain(const char* p, size_t n) {
    vterm_input_write(vt.get(), p, n);
    if (!fast_text) return;
    shadow.advance(p, n);
    shadow.end_write();
  }

  // Gives libvterm one piece of input, writing the middle of each plain
  // ASCII run into the rows directly (see "Fast path" at the top).
  void input(const char* p, size_t n) {
    if (!fast_text) return write_plain(p, n);
    size_t seg = 0;  // p[seg..i) is still to be written to libvterm
    size_t i = 0;
    while ((i = shadow.scan(p, i, n)) < n) {
      size_t b = run_end(p, i + 1, n);
      bool quiet = shadow.quiet();
      if (b - i < kMinRun || !shadow.plain_here()) {
        shadow.ascii(b - i);
        i = b;
        continue;
      }
      if (quiet && mark.valid) {
        // Since the last character of the last fast run, libvterm got only
        // SGR, CR and LF: no probe needed (see "Fast path").
        if (seg < i) vterm_input_write(vt.get(), p + seg, i - seg);
        shadow.end_write();
        seg = i;
        size_t k = fast_after_mark(p + i, b - i - 1);
        if (k > 0) {
          i = seg = i + k;
          i = after_fast(p, i, b);
          continue;
        }
      }
      mark.valid = false;
      size_t pre = 0;
      if (seg == i) {
        // libvterm's cursor is where the run starts. Near the right edge,
        // let libvterm fill the row (and wrap) so the probe lands where
        // there is room. (Otherwise the bytes before the run go in the same
        // write as the probe and the cursor is not known yet; if the probe
        // lands too near the edge, the rest of the run comes back here.)
        VTermPos at;
        vterm_state_get_cursorpos(state, &at);
        if (at.col < 0 || at.col >= cols) pre = b - i;  // (not expected) no fast path
        else if (size_t(cols - at.col) < kMinFast + 2) pre = size_t(cols - at.col);
      }
      size_t q = i + pre;  // the probe
      if (q + kMinFast + 2 > b) {
        shadow.ascii(b - i);
        i = b;
        continue;
      }
      uint64_t before = pg_count;
      vterm_input_write(vt.get(), p + seg, q + 1 - seg);
      shadow.ascii(q + 1 - i);
      shadow.end_write();
      i = seg = q + 1;
      size_t k = fast_after_probe(p + i, b - i - 1, static_cast<unsigned char>(p[q]), before);
      i = seg = i + k;
      if (k > 0) i = after_fast(p, i, b);
      // Otherwise the rest of the run, p[i..b), starts a new text call; the
      // loop sees it again (it may be long enough for another probe after
      // a wrap).
    }
    if (seg < n) vterm_input_write(vt.get(), p + seg, n - seg);
    shadow.end_write();
  }

  // After fast cells up to p[i], the rest of the run p[i..b) is left to
  // libvterm. When that is just the last character, it is taken into the
  // shadow here and marked: if only SGR, CR and LF follow it, the next run
  // needs no probe. Returns where the loop goes on.
  size_t after_fast(const char* p, size_t i, size_t b) {
    if (b - i != 1) return i;
    shadow.ascii(1);
    shadow.mark_quiet();
    mark.valid = true;
    mark.count = pg_count;
    mark.ch = static_cast<unsigned char>(p[i]);
    mark.pos = last_fast_end;
    return b;
  }

  // The end of the run of printable ASCII in p[i..n) (8 bytes at a time).
  static size_t run_end(const char* p, size_t i, size_t n) {
    constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
    while (i + 8 <= n) {
      uint64_t x;
      std::memcpy(&x, p + i, 8);
      // A byte < 0x20, or >= 0x7f, sets its high bit here (perhaps also a
      // byte after it: then the bytes are checked one by one below).
      uint64_t low = (x - 0x20 * kOnes) & ~x;
      uint64_t high = (x + kOnes) | x;
      if ((low | high) & kHigh) break;
      i += 8;
    }
    while (i < n && VtShadow::printable(static_cast<unsigned char>(p[i]))) ++i;
    return i;
  }

  // After the probe `probe` went through libvterm, copies up to `avail`
  // bytes of src (printable ASCII) into the probe's row and moves
  // libvterm's cursor past them. Returns how many (0: none, see input()).
  size_t fast_after_probe(const char* src, size_t avail, unsigned char probe, uint64_t before) {
    if (pg_count == before || pg_last_ch != probe || !pg_last_plain) return 0;
    VTermPos now;
    vterm_state_get_cursorpos(state, &now);
    int c0 = pg_last.col + 1;
    if (now.row != pg_last.row || now.col != c0) return 0;  // e.g. insert mode
    // The probe cell holds what putglyph stored for it: pen, DECSCA bit.
    Cell t = cur->row(pg_last.row).cells[size_t(pg_last.col)];
    return write_fast(src, avail, now, t);
  }

  // The probe-less start: the last character of the previous fast run went
  // through libvterm (mark) and since then only SGR, CR and LF (the
  // shadow's "quiet"). That glyph was not in the last column, so libvterm
  // had no pending wrap after it, and none of those sequences sets one,
  // changes DECSCA, or (without DECDWL/DECDHL) makes a line double-width.
  // So libvterm's cursor (read back) is where the next glyph goes, in the
  // pen our mirror follows, with the DECSCA bit of that last glyph.
  size_t fast_after_mark(const char* src, size_t avail) {
    mark.valid = false;
    if (pg_count != mark.count + 1 || pg_last.row != mark.pos.row || pg_last.col != mark.pos.col ||
        pg_last_ch != mark.ch || !pg_last_plain || pg_last.col + 1 >= cols)
      return 0;
    VTermPos now;
    vterm_state_get_cursorpos(state, &now);
    if (unsigned(now.row) >= unsigned(rows) || unsigned(now.col) >= unsigned(cols)) return 0;
    Cell t{0, pen.fg, pen.bg, pen.attrs, 1, uint8_t(pg_last_prot ? kProtected : 0)};
    return write_fast(src, avail, now, t);
  }

  // Writes up to `avail` bytes of src as cells like `t` (its ch ignored)
  // from libvterm's cursor `at` on, stopping one column before the right
  // edge, as putglyph would for each; then moves libvterm's cursor past
  // them with a CUF. Returns how many (0 if fewer than kMinFast fit).
  size_t write_fast(const char* src, size_t avail, VTermPos at, Cell t) {
    int c0 = at.col;
    if (c0 + int(kMinFast) > cols - 1) return 0;
    size_t k = std::min(avail, size_t(cols - 1 - c0));
    if (k < kMinFast) return 0;
    Buffer& b = *cur;
    int si = b.slot(at.row);
    Row& row = b.slots[size_t(si)];
    Cell* c = row.cells.data();
    // putglyph's bookkeeping for the first cell (after it, each cell's left
    // neighbour is the narrow cell just written): half of a wide character
    // overwritten, and a pending soft wrap.
    if (c0 > 0 && c[c0].ch == kWideTail && c[c0 - 1].width == 2) {
      c[c0 - 1].ch = kBlank;
      c[c0 - 1].width = 1;
    }
    if (wrap_pending) {
      if (c0 == 0 && at.row == wrap_row + 1) cur->row(wrap_row).wrapped = true;
      wrap_pending = false;
    }
    Cell* out = c + c0;
#if defined(__SSE2__)
    t.ch = 0;
    __m128i tmpl;
    std::memcpy(&tmpl, &t, sizeof t);
    size_t j = 0;
    const __m128i zero = _mm_setzero_si128(), lane0 = _mm_cvtsi32_si128(-1);
    for (; j + 4 <= k; j += 4) {  // four bytes -> four cells
      int32_t four;
      std::memcpy(&four, src + j, 4);
      __m128i d = _mm_unpacklo_epi16(_mm_unpacklo_epi8(_mm_cvtsi32_si128(four), zero), zero);
      auto* o = reinterpret_cast<__m128i*>(out + j);
      _mm_storeu_si128(o, _mm_or_si128(tmpl, _mm_and_si128(d, lane0)));
      _mm_storeu_si128(o + 1, _mm_or_si128(tmpl, _mm_and_si128(_mm_srli_si128(d, 4), lane0)));
      _mm_storeu_si128(o + 2, _mm_or_si128(tmpl, _mm_and_si128(_mm_srli_si128(d, 8), lane0)));
      _mm_storeu_si128(o + 3, _mm_or_si128(tmpl, _mm_srli_si128(d, 12)));
    }
    for (; j < k; ++j) {
      __m128i cell = _mm_or_si128(tmpl, _mm_cvtsi32_si128(static_cast<unsigned char>(src[j])));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + j), cell);
    }
#else
    for (size_t j = 0; j < k; ++j) {
      t.ch = static_cast<unsigned char>(src[j]);
      out[j] = t;
    }
#endif
    int end = c0 + int(k);
    if (end < cols && c[end].ch == kWideTail) c[end].ch = kBlank;
    uint16_t& ext = b.ext[size_t(si)];
    if (end > ext) ext = uint16_t(end);
    seq += k;  // one bump per glyph, as putglyph
    row.version = seq;
    last_fast_end = VTermPos{at.row, end};
    char cuf[16] = {'\x1b', '['};
    size_t m = 2;
    char digits[8];
    size_t nd = 0;
    for (size_t v = k; v > 0; v /= 10) digits[nd++] = char('0' + v % 10);  // k < 2000
    while (nd > 0) cuf[m++] = digits[--nd];
    cuf[m++] = 'C';
    vterm_input_write(vt.get(), cuf, m);  // neutral for the shadow
    return k;
  }

  // Moves the cursor into the screen if libvterm left it outside (guards 1
  // and 7): its state code indexes per-row arrays with the cursor row.
  void clamp_cursor() {
    VTermPos pos;
    vterm_state_get_cursorpos(state, &pos);
    if (pos.row >= 0 && pos.row < rows && pos.col >= 0 && pos.col < cols) return;
    int row = std::clamp(pos.row, 0, rows - 1), col = std::clamp(pos.col, 0, cols - 1);
    // (In origin mode the CUP is relative to the scroll region and libvterm
    // clamps it there: still inside the screen, which is what matters.)
    std::string fix = "\x1b[" + std::to_string(row + 1) + ";" + std::to_string(col + 1) + "H";
    write_plain(fix.data(), fix.size());
  }

  // Reads the cursor back from the state: libvterm does not always report
  // its final position through movecursor (restoring a saved cursor in
  // origin mode reports the saved position, then moves it silently).
  void sync_cursor() {
    VTermPos pos;
    vterm_state_get_cursorpos(state, &pos);
    if (pos.row != cursor.row || pos.col != cursor.col) {
      cursor.row = pos.row;
      cursor.col = pos.col;
      bump_meta();
    }
  }

  void flush_events() {
    if (!out_buf.empty()) {
      std::string out;
      out.swap(out_buf);
      if (self.on_output) self.on_output(out);
    }
    if (title_pending) {
      title_pending = false;
      if (self.on_title) self.on_title(title);
    }
    if (bell_pending) {  // coalesced: one bell per feed
      bell_pending = false;
      if (self.on_bell) self.on_bell();
    }
    if (!notes.empty()) {
      std::vector<Notification> ns;
      ns.swap(notes);
      if (self.on_notification)
        for (const Notification& n : ns) self.on_notification(n);
    }
  }

  // ---- trampolines --------------------------------------------------------

  static Impl* me(void* u) { return static_cast<Impl*>(u); }
  static int cb_putglyph(VTermGlyphInfo* i, VTermPos p, void* u) { return me(u)->on_putglyph(i, p); }
  static int cb_movecursor(VTermPos p, VTermPos o, int v, void* u) { return me(u)->on_movecursor(p, o, v); }
  static int cb_scrollrect(VTermRect r, int d, int rt, void* u) { return me(u)->on_scrollrect(r, d, rt); }
  static int cb_moverect(VTermRect d, VTermRect s, void* u) { return me(u)->on_moverect(d, s); }
  static int cb_erase(VTermRect r, int sel, void* u) { return me(u)->on_erase(r, sel); }
  static int cb_initpen(void* u) { return me(u)->on_initpen(); }
  static int cb_setpenattr(VTermAttr a, VTermValue* v, void* u) { return me(u)->on_setpenattr(a, v); }
  static int cb_settermprop(VTermProp p, VTermValue* v, void* u) { return me(u)->on_settermprop(p, v); }
  static int cb_bell(void* u) {
    me(u)->bell_pending = true;
    return 1;
  }
  static int cb_resize(int r, int c, VTermPos* d, void* u) { return me(u)->on_resize(r, c, d); }
  static int cb_setlineinfo(int, const VTermLineInfo*, const VTermLineInfo*, void*) { return 1; }
  static int cb_osc(const char* cmd, size_t len, void* u) { return me(u)->on_osc(cmd, len); }
  static void cb_output(const char* s, size_t len, void* u) { me(u)->out_buf.append(s, len); }

  static const VTermStateCallbacks kStateCallbacks;
  static const VTermParserCallbacks kFallbacks;
};

const VTermStateCallbacks Screen::Impl::kStateCallbacks = {
    &cb_putglyph, &cb_movecursor, &cb_scrollrect, &cb_moverect,   &cb_erase,        &cb_initpen,
    &cb_setpenattr, &cb_settermprop, &cb_bell,   &cb_resize, &cb_setlineinfo,
};
const VTermParserCallbacks Screen::Impl::kFallbacks = {
    nullptr, nullptr, nullptr, nullptr, &cb_osc, nullptr, nullptr,
};

Screen::Screen(Options opts) : impl_(std::make_unique<Impl>(*this, opts)) {
  Impl& s = *impl_;
  // Setup order as in NOTES.md: size, UTF-8, output, state, callbacks, reset.
  s.vt.reset(vterm_new(s.rows, s.cols));
  vterm_set_utf8(s.vt.get(), 1);
  vterm_output_set_callback(s.vt.get(), &Impl::cb_output, &s);
  s.state = vterm_obtain_state(s.vt.get());
  vterm_state_set_callbacks(s.state, &Impl::kStateCallbacks, &s);
  vterm_state_set_unrecognised_fallbacks(s.state, &Impl::kFallbacks, &s);
  vterm_state_reset(s.state, 1);
  s.sync_cursor();
  s.layout_seq = s.bump();
  s.out_buf.clear();
}

Screen::~Screen() = default;

void Screen::feed(std::string_view bytes) {
  Impl& s = *impl_;
  if (bytes.empty()) return;
  std::string joined;  // guard 11: a string held back from the last feed
  if (!s.str_carry.empty()) {
    joined.reserve(s.str_carry.size() + bytes.size());
    joined.append(s.str_carry).append(bytes);
    s.str_carry.clear();
    bytes = joined;
  }
  std::string guarded;  // guard 9: at most 16 CSI parameters
  if (s.csi_guard.filter(bytes, guarded)) bytes = guarded;
  s.cuts.clear();
  size_t open_string = ModeScanner::kNoString;
  if (s.scanner.scan(bytes, s.modes, &s.cuts, &open_string)) s.bump_meta();
  size_t end = bytes.size();
  if (open_string != ModeScanner::kNoString) {
    // Guard 11: libvterm 0.1.4 keeps no part of a string from one write to
    // the next, so hold an open string back until its end arrives. One too
    // long to hold is let through, but never with the write ending between
    // the ESC and the '\' of its terminator (libvterm then hands the OSC
    // callback a length of -1).
    if (end - open_string <= kMaxHeldString) {
      s.str_carry.assign(bytes.substr(open_string));
      end = open_string;
      s.scanner.forget_open_string();
    } else if (bytes.back() == '\x1b') {
      s.str_carry.assign("\x1b");
      end -= 1;
      s.scanner.unread_string_esc();
    }
  }
  size_t pos = 0;
  if (s.carry_len) {
    // Complete the sequence held back from the previous feed.
    size_t need = utf8::sequence_length(static_cast<unsigned char>(s.carry[0])) - s.carry_len;
    while (need > 0 && pos < end && (static_cast<unsigned char>(bytes[pos]) & 0xC0) == 0x80) {
      s.carry[s.carry_len++] = bytes[pos++];
      --need;
    }
    if (need > 0 && pos == end && s.str_carry.empty()) return;  // still incomplete
    s.input(s.carry, s.carry_len);
    s.carry_len = 0;
  }
  size_t hold = s.str_carry.empty() ? utf8::incomplete_tail(bytes.substr(pos, end - pos)) : 0;
  std::memcpy(s.carry, bytes.data() + end - hold, hold);
  s.carry_len = hold;
  end -= hold;
  bool clamp = false;
  for (const ScanCut& cut : s.cuts) {
    if (cut.at < pos || cut.at > end) continue;
    s.write_chunked(bytes.data() + pos, cut.at - pos);
    pos = cut.at;
    switch (cut.kind) {
      case ScanCut::Kind::Restore:
        // Guard 7: clamp the cursor a restore may have put outside.
        s.clamp_cursor();
        clamp = true;
        break;
      case ScanCut::Kind::Rep:
        // Guard 10: libvterm 0.1.4's REP loops forever repeating a glyph
        // of width 0 (none printed yet, or a zero-width one): the final
        // byte becomes a CAN, which ends the sequence and does nothing.
        if (pos < end) {
          s.write_plain(s.glyph_width > 0 ? "b" : "\x18", 1);
          pos += 1;
        }
        break;
      case ScanCut::Kind::Modes: {
        // libvterm 0.1.4 applies the first DECSET/DECRST parameter only.
        std::string seq;
        for (int i = 0; i < cut.nextra; ++i) {
          seq.assign("\x1b[?").append(std::to_string(cut.extra[i])).push_back(cut.set ? 'h' : 'l');
          s.write_plain(seq.data(), seq.size());
        }
        if (cut.restore) {
          s.clamp_cursor();
          clamp = true;
        }
        break;
      }
    }
  }
  s.write_chunked(bytes.data() + pos, end - pos);
  if (clamp) s.clamp_cursor();
  s.sync_cursor();
  s.flush_events();
}

void Screen::resize(int rows, int cols) {
  Impl& s = *impl_;
  rows = clamp_dim(rows);
  cols = clamp_dim(cols);
  if (rows == s.rows && cols == s.cols) return;
  s.mark.valid = false;  // (the fix below would end "quiet" anyway)
  vterm_set_size(s.vt.get(), rows, cols);
  // Guard 1: libvterm 0.1.4 leaves the cursor row negative when rows shrink
  // with text below the cursor; the next erase would dereference NULL. A
  // negative row becomes CSI 1;<col+1>H.
  s.clamp_cursor();
  // Guard 8: libvterm only clamps the bottom/right margin to the new size,
  // so a scroll region below the new bottom ends up with top > bottom and
  // the next scroll memmoves a negative length (ASan: negative-size-param).
  // Reset both margins, as xterm and tmux do on resize, and put the cursor
  // back where it was (DECSTBM and DECSLRM home it). In libvterm 0.1.4
  // "CSI s" is always DECSLRM, never a cursor save.
  VTermPos pos;
  vterm_state_get_cursorpos(s.state, &pos);
  std::string fix = "\x1b[r\x1b[s\x1b[" + std::to_string(pos.row + 1) + ";" + std::to_string(pos.col + 1) + "H";
  s.write_plain(fix.data(), fix.size());
  s.sync_cursor();
  s.flush_events();
}

int Screen::rows() const { return impl_->rows; }
int Screen::cols() const { return impl_->cols; }
const Row& Screen::row(int r) const { return impl_->cur->row(r); }

std::u32string Screen::cell_chars(const Cell& c) const {
  if (c.ch == kBlank || c.ch == kWideTail) return {};
  if (c.ch >= kClusterBase) return std::u32string(impl_->clusters.get(c.ch));
  return std::u32string(1, c.ch);
}

std::string Screen::cell_text(const Cell& c) const {
  std::string out;
  if (c.ch == kBlank || c.ch == kWideTail) return out;
  if (c.ch >= kClusterBase) {
    for (char32_t cp : impl_->clusters.get(c.ch)) utf8::append(out, cp);
  } else {
    utf8::append(out, c.ch);
  }
  return out;
}

Cursor Screen::cursor() const {
  Cursor c = impl_->cursor;
  c.row = std::clamp(c.row, 0, impl_->rows - 1);
  c.col = std::clamp(c.col, 0, impl_->cols - 1);
  return c;
}

const std::string& Screen::title() const { return impl_->title; }
const std::string& Screen::icon_name() const { return impl_->icon_name; }
bool Screen::alt_screen() const { return impl_->alt_active; }
const Modes& Screen::modes() const { return impl_->modes; }

uint64_t Screen::seq() const { return impl_->seq; }
uint64_t Screen::layout_seq() const { return impl_->layout_seq; }
uint64_t Screen::meta_seq() const { return impl_->meta_seq; }

std::vector<int> Screen::rows_changed_since(uint64_t since) const {
  const Impl& s = *impl_;
  std::vector<int> out;
  bool all = since < s.layout_seq;
  for (int r = 0; r < s.rows; ++r)
    if (all || s.cur->row(r).version > since) out.push_back(r);
  return out;
}

size_t Screen::scrollback_size() const { return impl_->sb.size(); }
ScrollbackLine Screen::scrollback_line(size_t i) const { return impl_->sb.line(i); }
size_t Screen::scrollback_capacity() const { return impl_->sb.capacity(); }
size_t Screen::total_lines_scrolled() const { return impl_->sb.total_pushed(); }
size_t Screen::scrollback_bytes() const { return impl_->sb.bytes(); }

void Screen::send_text(std::string_view text) {
  Impl& s = *impl_;
  for (size_t i = 0; i < text.size();) {
    char32_t cp = utf8::decode(text, i);
    vterm_keyboard_unichar(s.vt.get(), cp, VTERM_MOD_NONE);
  }
  s.flush_events();
}

void Screen::send_paste(std::string_view text) {
  // As a terminal pastes: line ends become CR, and the end-of-paste marker
  // cannot be smuggled inside the pasted text. libvterm adds the brackets
  // only when the program enabled bracketed paste.
  Impl& s = *impl_;
  static constexpr std::string_view kEnd = "\x1b[201~";
  vterm_keyboard_start_paste(s.vt.get());
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, kEnd.size(), kEnd) == 0) {
      i += kEnd.size();
      continue;
    }
    char32_t cp = utf8::decode(text, i);
    if (cp == '\r' && i < text.size() && text[i] == '\n') ++i;
    if (cp == '\n') cp = '\r';
    vterm_keyboard_unichar(s.vt.get(), cp, VTERM_MOD_NONE);
  }
  vterm_keyboard_end_paste(s.vt.get());
  s.flush_events();
}

}  // namespace amux::render
