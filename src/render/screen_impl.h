// screen_impl.h — the Screen's private state, shared by the files that
// implement it (not part of the render layer's interface).
//
// Why: the Screen is one object, but what it does falls into separate
// concerns, each in its own file: the row store (screen_rows.cpp), the
// libvterm state callbacks that write into it (screen_callbacks.cpp),
// feeding with the guards against libvterm 0.1.4's crashes
// (screen_feed.cpp), the plain-ASCII fast path (screen_fast_text.cpp)
// and its chain of glyphs and SGR after a run (screen_chain.cpp),
// resizing (screen_resize.cpp) and the public accessors and input encoding
// (screen.cpp). They all work on the one Impl declared here. What libvterm
// 0.1.4 does wrong and how each guard answers it: docs/libvterm.md.
#pragma once

#include <vterm.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "render/cluster_table.h"
#include "render/csi_guard.h"
#include "render/mode_scanner.h"
#include "render/osc_notify.h"
#include "render/pen_filter.h"
#include "render/screen.h"
#include "render/scrollback.h"
#include "render/ul_colors.h"
#include "render/vt_shadow.h"
#include "render/width_filter.h"

namespace amux::render {

namespace screen_detail {

constexpr int kMaxDim = 2000;      // rows/cols are clamped to [1, kMaxDim]
constexpr uint8_t kProtected = 1;  // Cell::flags bit: DECSCA-protected

inline int clamp_dim(int v) { return std::clamp(v, 1, kMaxDim); }

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

// The end of the run of printable ASCII in p[i..n) (8 bytes at a time).
inline size_t run_end(const char* p, size_t i, size_t n) {
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

}  // namespace screen_detail

struct Screen::Impl {
  using Buffer = screen_detail::Buffer;

  Screen& self;
  std::unique_ptr<VTerm, decltype(&vterm_free)> vt{nullptr, &vterm_free};
  VTermState* state = nullptr;
  int rows;
  int cols;

  Buffer primary;
  std::unique_ptr<Buffer> alt;
  Buffer* cur;
  bool alt_active = false;

  // The pen is the Screen's own: libvterm is given no SGR (PenFilter turns
  // each into a marker applied in on_marker, with tmux's rules, sgr.h).
  Pen pen{};
  uint8_t pen_ul = 0;  // pen.ul's index in ul_colors (Cell::flags bits 1-7)
  Cell blank{};        // what erase writes: kBlank in the pen's background
  bool pen_default = true;  // blank is a default Cell
  // DECSC / DECRC (and ?1048, ?1049) save and restore the pen with the
  // cursor; libvterm's copy of the pen knows nothing of SGR.
  Pen saved_pen{};
  // libvterm erases the alternate screen right after switching to it: with
  // the default background, as tmux does, not the pen's.
  bool alt_erase_default = false;
  UlColors ul_colors;
  PenFilter pens;
  std::string marker_params;  // scratch for apply_marker
  Pen marker_pen;             // ...
  std::string pen_buf;        // PenFilter's output for the feed in progress
  std::string lane_buf;       // the lane's output (screen_lane.cpp)
  std::string lane_carry;     // ... the start of an SGR or UTF-8 sequence it holds back
  std::string lane_join;      // ... and that joined with the next feed

  Cursor cursor;
  std::string title, icon_name;
  Modes modes;
  uint64_t seq = 0, layout_seq = 0, meta_seq = 0;

  Scrollback sb;
  ClusterTable clusters;
  ModeScanner scanner;
  NotifyParser notify;
  CsiGuard csi_guard;
  WidthFilter widths;  // well-formed UTF-8, stand-ins for widths (guard 12)
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
        rows(screen_detail::clamp_dim(o.rows)),
        cols(screen_detail::clamp_dim(o.cols)),
        primary(rows, cols, Cell{}),
        cur(&primary),
        sb(o.scrollback_lines),
        fast_text(o.fast_text) {}

  uint64_t bump() { return ++seq; }
  void bump_meta() { meta_seq = bump(); }

  // After the pen changed: its underline colour's index, and the blank
  // erase writes. Terminals (and tmux) erase with the background colour
  // alone: no attribute, no foreground, no underline colour.
  void set_pen_cell() {
    pen_ul = ul_colors.intern(pen.ul);
    if (pen_ul == 0) pen.ul = Color::def();  // default, or the table is full
    blank = Cell{kBlank, Color::def(), pen.bg, 0, 1, 0};
    pen_default = pen.bg == Color::def();
  }
  // Applies pen marker `id` where libvterm hands it back (on_marker, the
  // chain): its SGR, or the pen the lane worked out for it.
  void apply_marker(uint32_t id);
  void restore_pen() {
    pen = saved_pen;
    set_pen_cell();
  }
  uint8_t cell_flags(bool prot) const { return uint8_t((prot ? screen_detail::kProtected : 0) | pen_ul << 1); }

  // Row store (screen_rows.cpp).
  void clear_row(Buffer& b, int r);
  void push_scrollback(Buffer& b, int r);
  void swap_rows(Buffer& b, int i, int j);
  void scroll_rows(int sr, int er, int d, uint64_t v);
  void erase_rect(int sr, int er, int sc, int ec, bool selective, uint64_t v);
  void move_cells(VTermRect dest, VTermRect src, uint64_t v);
  void switch_buffer(bool to_alt);
  bool row_is_blank(const Buffer& b, int r) const;

  // libvterm state callbacks (screen_callbacks.cpp).
  int on_putglyph(VTermGlyphInfo* info, VTermPos pos);
  int on_movecursor(VTermPos pos, VTermPos oldpos, int visible);
  int on_scrollrect(VTermRect rect, int downward, int rightward);
  int on_moverect(VTermRect dest, VTermRect src);
  int on_erase(VTermRect rect, int selective);
  int on_initpen();
  int on_setpenattr(VTermAttr attr, VTermValue* val);
  int on_settermprop(VTermProp prop, VTermValue* val);
  int on_osc(const char* command, size_t len);
  int on_marker(const char* leader, const long args[], int argcount, const char* intermed, char command);
  struct Trampolines;  // the C callbacks libvterm calls, to the members above
  static const VTermStateCallbacks kStateCallbacks;
  static const VTermParserCallbacks kFallbacks;
  static void cb_output(const char* s, size_t len, void* u);

  // Resizing (screen_resize.cpp).
  void realloc_buffer(Buffer& b, int new_rows, int new_cols);
  int on_resize(int new_rows, int new_cols, VTermPos* delta);

  // Feeding libvterm, with the guards (screen_feed.cpp).
  void feed_filtered(std::string_view bytes);
  void write_chunked(const char* p, size_t n);
  void clamp_cursor();
  void sync_cursor();

  // Delivers the events queued while libvterm ran to the owner (screen.cpp).
  void flush_events();

  // Writing to libvterm with VtShadow in step, and the plain-ASCII fast
  // path (screen_fast_text.cpp).
  void input(const char* p, size_t n);
  void write_plain(const char* p, size_t n);
  size_t after_fast(const char* p, size_t i, size_t b);
  size_t fast_after_probe(const char* src, size_t avail, unsigned char probe, uint64_t before);
  size_t fast_after_mark(const char* src, size_t avail);
  size_t write_fast(const char* src, size_t avail, VTermPos at, Cell t);
  void put_cells(const char* src, size_t k, VTermPos at, Cell t);
  void put_glyph(char32_t ch, int w, VTermPos at, uint8_t flags);
  void move_vterm_right(size_t k);
  void chain_markers(const char* p, size_t& i, size_t& b, size_t n, int prot);

  // The lane past the filters for text, SGR, CR and LF (screen_lane.cpp).
  bool lane_ready() const;
  size_t lane(std::string_view in, std::string& out);
  bool chain_after_mark(const char* p, size_t& seg, size_t& i, size_t& b, size_t n);
};

}  // namespace amux::render
