// vt_shadow.h — a shadow of libvterm 0.1.4's input parser and of the few
// private state bits that decide whether a run of printable ASCII may bypass
// libvterm.
//
// Why: the Screen's fast path (screen_fast_text.cpp) writes runs of
// printable ASCII straight into its row store instead of handing every
// character to libvterm, whose one putglyph callback per character is most
// of a session host's cost. That is only the same as what libvterm would do
// when libvterm would take the run as plain text: not inside an escape sequence,
// a CSI or an OSC/DCS string, decoded byte for byte as ASCII, without insert
// or origin mode. libvterm 0.1.4 keeps all of that private, so this class
// follows every byte the Screen gives libvterm with the same state machine
// as libvterm's parser.c and on_text (state.c) and tracks:
//  - the parser state (text is text only in the ground state);
//  - text "calls": libvterm decodes a maximal piece of text of one
//    vterm_input_write with one decoder, chosen by the piece's first byte:
//    the GL character set's decoder for an ASCII byte (UTF-8 after a reset in
//    UTF-8 mode, or US-ASCII / a 94-character table after SCS), libvterm's
//    separate UTF-8 decoder for a byte >= 0x80, the single-shifted set's for
//    one code point after SS2/SS3. An ASCII byte is "plain here" only when it
//    is decoded by the GL set's decoder and that decoder maps ASCII to
//    itself, so splitting the piece before or after such a byte changes
//    neither the decoder nor the code points;
//  - the UTF-8 decoders' "bytes remaining" (each G set has its own decoder
//    and state, kept across calls). on_text gives a call room for as many
//    code points as the WRITE has bytes left, and a decoder left in the
//    middle of a sequence (invalid UTF-8 cut by a control) turns the next
//    ASCII byte into two code points (U+FFFD and the byte). A call that
//    started that way can then run out of room one byte early when a write
//    is cut short, and a one-byte write starting that way makes libvterm
//    write one code point past its stack array. So a byte is plain here only
//    when the GL decoder is between sequences and its call did not start in
//    the middle of one;
//  - G0..G3 (SCS: ESC ( ) * + with 0, A or B), the GL shift (SO, SI, LS2,
//    LS3, which act in any parser state) and single shifts (ESC N, ESC O);
//  - insert mode (IRM, CSI 4 h/l) and origin mode (DECOM, CSI ? 6 h/l). As
//    in libvterm 0.1.4, only the first parameter of SM/RM/DECSET/DECRST
//    counts, and a sequence with a leader other than one '?' or '>' or with
//    more than one intermediate byte is ignored;
//  - RIS (ESC c) resets all of it (libvterm 0.1.4 does not implement DECSTR).
//  - "quiet since the mark": whether libvterm has been given nothing since
//    mark_quiet() but complete SGR sequences (CSI params m, or the marker
//    `CSI id p` PenFilter puts in their place), CR, LF and the
//    bytes it ignores. None of those can set libvterm's pending wrap, change
//    DECSCA, or write a glyph; LF can change a row's double-width flag only
//    by scrolling one in, so it counts only while no DECDWL/DECDHL was seen
//    since the last RIS.
// Where it cannot be sure (a mode number too large to follow, a single shift
// before non-ASCII text), it errs towards "not plain", which only costs speed.
// Everything else the fast path needs (pending wrap, double-width lines,
// DECSCA, the pen) the Screen observes from putglyph callbacks: of the first
// character of a run (the probe), or of the last character of the previous
// fast run when only SGR, CR and LF came since (docs/libvterm.md).
#pragma once

#include <cstddef>
#include <cstdint>

namespace amux::render {

class VtShadow {
 public:
  static bool printable(unsigned char c) { return c >= 0x20 && c < 0x7f; }

  // Follows p[i..n) — part of one vterm_input_write — and stops at the first
  // printable ASCII byte libvterm would take as text (in the ground state);
  // returns its index (the shadow stands before it), or n.
  size_t scan(const char* p, size_t i, size_t n);
  // Takes `len` printable ASCII bytes at the current position (ground state).
  void ascii(size_t len);
  // A vterm_input_write ended here: libvterm's text call ends with it.
  void end_write() { call_ = Call::None; }
  // Follows all of p[0..n) (one vterm_input_write, no fast path).
  void advance(const char* p, size_t n);

  // True when a printable ASCII byte at the current position, and the ones
  // after it up to the next non-ASCII byte, would each be decoded as itself
  // by the GL set's decoder, in a text call that a write boundary right
  // before or after any of them would not change; and neither insert nor
  // origin mode is on.
  bool plain_here() const {
    if (st_ != St::Normal || irm_ || decom_) return false;
    switch (call_) {
      case Call::None:
        if (gsingle_ || gsingle_maybe_) return false;
        return g_[gl_] == Set::Ascii || (g_[gl_] == Set::Utf8 && rem_[gl_] == 0);
      case Call::GlUtf8: return !call_stale_ && rem_[gl_] == 0;
      case Call::GlAscii: return true;
      // GlTable: not ASCII. Utf8: the rest of the piece would go to the GL
      // decoder after a cut, not to the UTF-8 one. Unsure: unknown decoder.
      default: return false;
    }
  }

  // Starts "quiet since the mark" (see the file comment).
  void mark_quiet() { quiet_ = true; }
  bool quiet() const { return quiet_; }

  // For tests.
  bool ground() const { return st_ == St::Normal; }
  bool insert_mode() const { return irm_; }
  bool origin_mode() const { return decom_; }

 private:
  enum class St : uint8_t { Normal, Esc, CsiLeader, CsiArgs, CsiInter, String, EscInString };
  enum class Set : uint8_t { Utf8, Ascii, Table };
  // The decoder of the text call in progress. GlUtf8/GlAscii/GlTable: the
  // call started with an ASCII byte and uses the GL set's decoder (the
  // US-ASCII and table decoders stop at a byte >= 0x80). Utf8: it started
  // with a byte >= 0x80 and uses libvterm's own UTF-8 decoder. Unsure: a
  // single shift may have been pending when it started.
  enum class Call : uint8_t { None, GlUtf8, GlAscii, GlTable, Utf8, Unsure };

  void step(unsigned char c);
  void utf8_byte(unsigned char c);  // a byte >= 0x80 for the GL set's UTF-8 decoder
  void forget_decoders();           // their states are no longer known
  void control(unsigned char c);
  void escape(unsigned char final);
  void csi(unsigned char final);
  void reset();

  St st_ = St::Normal;
  Call call_ = Call::None;
  Set g_[4] = {Set::Utf8, Set::Utf8, Set::Utf8, Set::Utf8};  // after a reset in UTF-8 mode
  uint8_t gl_ = 0;
  uint8_t gsingle_ = 0;         // 2 or 3: SS2/SS3 is pending
  bool gsingle_maybe_ = false;  // one may be pending (after an Unsure call)
  // Per set, its UTF-8 decoder's bytes_remaining (encoding.c), or kUnknown.
  static constexpr uint8_t kUnknown = 0xff;
  uint8_t rem_[4] = {0, 0, 0, 0};
  bool call_stale_ = false;  // the GlUtf8 call started with rem_ != 0
  bool quiet_ = false;
  bool dwl_seen_ = false;  // ESC # 3, 4 or 6 since the last RIS
  bool irm_ = false;
  bool decom_ = false;

  // The sequence being parsed (libvterm keeps at most 15 intermediate and
  // 15 leader bytes; only the count and the first matter here).
  uint8_t inter_n_ = 0, inter0_ = 0;
  uint8_t leader_n_ = 0, leader0_ = 0;
  bool arg0_missing_ = true, arg0_big_ = false;
  uint32_t arg0_ = 0;
  bool arg0_done_ = false;  // a ';' or ':' ended the first parameter
};

}  // namespace amux::render
