// mode_scanner.h — follow the program's output the way libvterm 0.1.4's
// parser does, to track the terminal modes a client must mirror and to find
// the places where the Screen has to step in between libvterm's writes.
//
// Why: libvterm 0.1.4 keeps DECCKM, keypad, bracketed paste, focus events,
// mouse modes and encodings and reverse video private, yet an attached
// client's terminal has to be put into the same modes so the keys and mouse
// reports it sends mean what the program expects. And some of libvterm's
// sequences need the Screen's help (screen_feed.cpp; docs/libvterm.md):
//  - a cursor restore (DECRC, CSI ? 1048 l, CSI ? 1049 l) must be followed
//    by a clamp of the cursor (guard 7) and restores the Screen's pen; a
//    save (DECSC, CSI ? 1048 h, CSI ? 1049 h) saves the pen;
//  - REP (CSI n b) loops forever when the last glyph had no width (guard
//    10): its final byte is reported so the Screen can check first;
//  - DECSET/DECRST apply only their first parameter in libvterm: the rest
//    are reported so the Screen can hand them over one by one, as xterm
//    and tmux apply every parameter; mode 47 (the alternate screen, older
//    than 1047), which libvterm does not know, is reported as 1047, as
//    tmux and xterm switch screens for both;
//  - a DECRQSS for SGR (DCS $ q m ST) is answered by libvterm from its own
//    pen, which never sees an SGR (the Screen keeps the pen): it is
//    reported so the Screen can answer from its pen instead;
//  - an OSC or DCS string cut between two writes loses its first part in
//    libvterm (and a cut between ESC and '\' gives the OSC callback a
//    length of -1): the start of a string still open at the end of the
//    bytes is reported so the Screen can hold it back.
// The scanner is a small state machine that carries its state across
// calls, so a sequence split between two reads is still seen. Cost: a
// memchr for ESC over plain text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "render/screen.h"

namespace amux::render {

// A place in the scanned bytes where the Screen must act.
struct ScanCut {
  enum class Kind : uint8_t {
    Restore,  // `at` is just past a cursor-restoring sequence
    Save,     // `at` is just past a cursor-saving sequence
    Rep,      // `at` is the offset of a REP's final byte 'b'
    Modes,    // `at` is just past a DECSET/DECRST with several parameters
    ReportSgr,  // `at` is the ESC of a DCS $ q m ST, `len` bytes long
  };
  Kind kind = Kind::Restore;
  size_t at = 0;
  size_t len = 0;  // ReportSgr
  // Modes: the parameters after the first (and a first 47, which libvterm
  // ignores, as 1047), whether it was a set ('h'), and
  // whether any parameter restores the cursor (1048/1049 reset) or saves
  // it (1048/1049 set).
  bool set = false;
  bool restore = false;
  bool save = false;
  uint8_t nextra = 0;
  int extra[16] = {};
};

class ModeScanner {
 public:
  static constexpr size_t kNoString = size_t(-1);
  // Scans `bytes`, updating `m`. Returns true if `m` changed. Appends the
  // places the Screen must act to `cuts` (in order). `open_string` gets the
  // offset where an OSC/DCS string still open at the end of `bytes` began
  // (its ESC, or 0 when that ESC was in an earlier call), else kNoString.
  bool scan(std::string_view bytes, Modes& m, std::vector<ScanCut>* cuts = nullptr,
            size_t* open_string = nullptr);
  // The owner held back the open string from its start and will scan it
  // again: go back to the state before it (the byte before an ESC never
  // matters; when the ESC came in an earlier call, the held bytes start
  // after it).
  void forget_open_string() { st_ = string_esc_here_ ? St::Ground : St::Esc; }
  // The owner held back only the ESC that ends the bytes inside a string.
  void unread_string_esc() { st_ = St::String; }

  // Outside any sequence (the Screen's lane passes only SGR markers).
  bool at_rest() const { return st_ == St::Ground; }

 private:
  enum class St : uint8_t { Ground, Esc, EscInter, CsiLeader, CsiArgs, CsiInter, String, StringEsc };
  // Handles `c` in the escape state (after ESC or its intermediates).
  void esc_byte(unsigned char c, size_t at, size_t esc_at, bool esc_here, Modes& m,
                bool& changed, std::vector<ScanCut>* cuts);
  void csi_final(char final, size_t at, Modes& m, bool& changed, std::vector<ScanCut>* cuts);

  St st_ = St::Ground;
  size_t string_start_ = 0;
  bool string_esc_here_ = false;  // the string's ESC was in the last call
  // A DCS string: its first bytes (dcs_n_ > kDcsKept: longer, or with a
  // control), and whether its ESC was in this call.
  static constexpr int kDcsKept = 3;
  bool dcs_ = false;
  bool dcs_here_ = false;
  int dcs_n_ = 0;
  char dcs_buf_[kDcsKept] = {};
  // At the end of a string just past `at`: a DECRQSS for SGR is reported.
  void string_end(size_t at, std::vector<ScanCut>* cuts);
  int nleader_ = 0;
  char leader_ = 0;       // the first leader byte ('?', '>', '<', '=') or 0
  bool inter_ = false;    // an intermediate byte was seen
  static constexpr int kMaxParams = 16;
  int nparams_ = 0;       // index of the parameter being read
  int params_[kMaxParams] = {};  // -1: missing
};

}  // namespace amux::render
