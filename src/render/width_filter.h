// width_filter.h — what libvterm is given as text: well-formed UTF-8 only,
// and for a character whose width libvterm 0.1.4's old table gets wrong, a
// stand-in of the right width.
//
// Why: libvterm decides how far a glyph moves the cursor with its own
// width table, older than Unicode 9: it calls 🧠 (U+1F9E0) and every emoji
// from Unicode 10 on one column wide, while the person's terminal, tmux and
// amux's view (utf8proc, Unicode 15) draw them two wide, so the text after
// them lands a column off. libvterm cannot be changed (the system's 0.1.4 is
// linked), so the Screen hands it, in place of such a character, a code
// point libvterm gives the right width (width 2: an unassigned plane-3 code
// point, which libvterm's table calls wide; width 1: plane-15 private use;
// width 0: a variation selector from plane 14, which libvterm combines),
// and putglyph maps it back, so the cell holds the real character. Each
// Screen keeps its own table of stand-ins, allocated on first use and
// never reused; input that holds a code point from a stand-in range is
// itself replaced by a stand-in, so a stand-in is never ambiguous. REP, a
// combining mark after a stand-in and the wrap of a wide one at the right
// margin then follow from what libvterm does with the stand-in.
// Widths agree with terminal_width() (safe_text.h), the one width function
// of the render layer and the view. libvterm's own width of a code point is
// asked of libvterm itself (a one-row scratch VTerm, cached per thread), not
// copied into a table here.
// The filter decodes UTF-8 in the ground state itself (a small copy of
// libvterm's parser states, as ModeScanner has), so it also closes guard 12:
// an ill-formed or cut-short sequence is dropped before libvterm sees it,
// as tmux drops it (libvterm 0.1.4's decoder can emit more code points than
// bytes, which overflows on_text's stack array), and a sequence incomplete
// at the end of the input is held back until the next call. A C1 control
// sent as UTF-8 (U+0080..U+009F) is dropped too, as tmux drops it (libvterm
// gives it a width of -1 and steps back over the character before it).
// Combining marks: libvterm keeps five per cell and drops the rest; the
// fifth and later ones go to libvterm as one "tail" stand-in that stands
// for all of them, so a cell keeps up to kMaxMarks (tmux 3.3a keeps what
// fits in 21 bytes: ten two-byte marks).
// One character set fix: libvterm 0.1.4's DEC special graphics table (ESC
// ( 0, SO after ESC ) 0) draws `y` and `z` as U+2A7D and U+2A7E (⩽ ⩾)
// where xterm and tmux draw U+2264 and U+2265 (≤ ≥). Those two code
// points sent as UTF-8 get a stand-in, so a bare one reaching putglyph can
// only come from that table, and real() gives xterm's character for it.
// One rule beyond widths, from tmux: a wide character right after a zero
// width joiner that followed a glyph joins that glyph's cell (🧑‍🧠 is one
// two-column cell), given to libvterm as a zero-width stand-in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace amux::render {

class WidthFilter {
 public:
  // The stand-in ranges, by the width they stand for.
  static constexpr char32_t kWide0 = 0x32400, kWide1 = 0x3FFFD;      // width 2
  static constexpr char32_t kZero0 = 0xE0100, kZero1 = 0xE01EF;      // width 0
  static constexpr char32_t kNarrow0 = 0xF0000, kNarrow1 = 0xFFFFD;  // width 1

  // Of the width-0 range, the last kTails stand for the combining marks of
  // a cell beyond libvterm's slots (kMaxChars: base and five marks).
  static constexpr int kMaxChars = 6;   // VTERM_MAX_CHARS_PER_CELL in 0.1.4
  static constexpr int kMaxMarks = 16;  // combining marks kept per cell
  static constexpr int kTails = 48;
  static constexpr char32_t kTail0 = kZero1 + 1 - kTails;
  // Longest real_chars() result.
  static constexpr size_t kMaxReal = size_t(kMaxMarks) + 1;

  static bool in_standin_range(char32_t cp) {
    return (cp >= kWide0 && cp <= kWide1) || (cp >= kZero0 && cp <= kZero1) ||
           (cp >= kNarrow0 && cp <= kNarrow1);
  }

  // For the Screen's lane (screen_lane.cpp), which checks text the filter
  // would pass as it is without calling filter(): the filter is between
  // characters, outside any sequence, with no zero width joiner pending;
  bool at_rest() const { return st_ == St::Ground && need_ == 0 && !join_; }
  // the width (1 or 2) of a code point >= 0x80 that filter() passes as it
  // is as a glyph of its own, else 0 (a mark, a stand-in, a C1 control...);
  static int plain_glyph_width(char32_t cp);
  // and, after such text, the state filter() would have left.
  void passed_plain(bool ends_with_glyph) {
    glyph_ = ends_with_glyph;
    marks_ = ends_with_glyph ? 0 : -1;
    join_ = false;
  }
  // Filters `in` (program output, in order, any cut). Returns true and
  // sets `out` when what libvterm gets differs from `in` (a stand-in, a
  // dropped sequence, bytes held back or let go); false, `out` untouched, when `in`
  // passes as it is (the common case).
  bool filter(std::string_view in, std::string& out);

  // What libvterm's DEC special graphics table gives `y` and `z`, and what
  // xterm and tmux draw for them.
  static constexpr char32_t kVtermLessEq = 0x2A7D, kVtermGreaterEq = 0x2A7E;
  static constexpr char32_t kLessEq = 0x2264, kGreaterEq = 0x2265;
  static bool from_graphics_table(char32_t cp) { return cp == kVtermLessEq || cp == kVtermGreaterEq; }

  // The character a code point putglyph got stands for (itself unless it
  // is one of this filter's stand-ins, or came from the graphics table).
  char32_t real(char32_t cp) const {
    if (cp < kWide0) {
      if (from_graphics_table(cp)) return cp == kVtermLessEq ? kLessEq : kGreaterEq;
      return cp;
    }
    if (!in_standin_range(cp)) return cp;
    return lookup(cp);
  }

  // The characters a putglyph's chars[0..n) stand for, into out (room for
  // kMaxReal); returns how many.
  size_t real_chars(const uint32_t* chars, size_t n, uint32_t* out) const;

  // libvterm 0.1.4's width of a code point (0, 1 or 2), as libvterm says.
  static int libvterm_width(char32_t cp);
  // libvterm's width (0, 1 or 2) of a code point as it leaves the filter: a
  // stand-in's by its range, another's (then the same as terminal_width());
  // -1 for one the filter never lets through as it is.
  static int passed_width(char32_t cp);

 private:
  enum class St : uint8_t { Ground, Esc, EscInter, CsiLeader, CsiArgs, CsiInter, String, StringEsc };
  char32_t lookup(char32_t standin) const;
  // The stand-in for `cp` of width `w`, or 0 when that range is full.
  char32_t standin(char32_t cp, int w);
  // A complete code point decoded in the ground state from input bytes
  // [start, end) of this call (start may be "before this call" when the
  // sequence began in an earlier one).
  void finish(char32_t cp, std::string_view in, size_t end);
  void replace_seq(std::string_view in, size_t end, std::string_view with);
  void flush_to(std::string_view in, size_t i);

  St st_ = St::Ground;
  // The UTF-8 sequence being decoded (ground state).
  char seq_[4] = {};
  uint8_t seq_len_ = 0;
  uint8_t need_ = 0;
  unsigned char lo_ = 0x80, hi_ = 0xBF;  // range of the next continuation byte
  char32_t cp_ = 0;
  bool glyph_ = false;     // the last thing in the ground state was a printable character
  bool join_ = false;      // ... a zero width joiner after one
  int marks_ = -1;         // zero-width characters since the last glyph (-1: none)
  // Tails: the marks of a cell past libvterm's slots, by tail stand-in. They
  // are given out in turn; a cell keeps its own as long as fewer than kTails
  // other cells got one in the same feed.
  std::u32string tails_[kTails];
  int cur_tail_ = 0, next_tail_ = 0;
  bool seq_here_ = false;  // the sequence started in this call
  size_t seq_at_ = 0;      // ... at this offset

  // Output of the call in progress: `out_` holds what libvterm gets for
  // in[0, copied_) once something had to change.
  std::string* out_ = nullptr;
  bool dirty_ = false;
  size_t copied_ = 0;

  std::unordered_map<uint32_t, char32_t> fwd_;  // character | width << 21 -> stand-in
  std::vector<char32_t> back_[3];               // stand-in offset -> character, per width
};

}  // namespace amux::render
