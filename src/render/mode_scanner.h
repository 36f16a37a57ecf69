// mode_scanner.h — track the terminal modes a client must mirror (DECCKM,
// keypad, bracketed paste, focus events, mouse modes and encodings, reverse
// video) by scanning the program's output for DECSET/DECRST, DECKPAM/DECKPNM
// and RIS.
//
// Why: libvterm 0.1.4 keeps these modes private, yet an attached client's
// terminal has to be put into the same modes so the keys and mouse reports it
// sends mean what the program expects. The scanner is a small state machine
// that carries its state across feed() calls, so a sequence split between two
// reads is still seen. Cost: a memchr for ESC over plain text.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "render/screen.h"

namespace amux::render {

class ModeScanner {
 public:
  // Scans `bytes`, updating `m`. Returns true if `m` changed. When
  // `cursor_restores` is given, appends the offset just past each sequence
  // that restores a saved cursor position (DECRC "ESC 8", "CSI ? 1048 l",
  // "CSI ? 1049 l"): the Screen checks the cursor there,
  // because libvterm 0.1.4 restores a position saved before a resize
  // without clamping it to the new size.
  bool scan(std::string_view bytes, Modes& m, std::vector<size_t>* cursor_restores = nullptr);

 private:
  // CsiSkip: a CSI without the '?' leader, which never matters here.
  enum class St : uint8_t { Ground, Esc, EscInter, Csi, CsiSkip };
  void start_csi();
  // Applies a CSI; returns true if it restores the cursor.
  bool csi_final(char final, Modes& m, bool& changed);

  St st_ = St::Ground;
  char leader_ = 0;       // '?', '>', '<', '=' or 0
  bool inter_ = false;    // an intermediate byte was seen
  bool have_digit_ = false;
  static constexpr int kMaxParams = 16;
  int nparams_ = 0;
  int params_[kMaxParams] = {};
};

}  // namespace amux::render
