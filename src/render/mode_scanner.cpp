// mode_scanner.cpp — see mode_scanner.h.
#include "render/mode_scanner.h"

#include <cstring>

namespace amux::render {

void ModeScanner::start_csi() {
  st_ = St::Csi;
  leader_ = 0;
  inter_ = false;
  have_digit_ = false;
  nparams_ = 0;
  params_[0] = 0;
}

// Applies one DECSET (set) or DECRST parameter the way libvterm 0.1.4 does:
// resetting any mouse mode turns the mouse off, resetting any encoding goes
// back to the default encoding.
static void apply_private_mode(int p, bool set, Modes& m) {
  switch (p) {
    case 1: m.app_cursor = set; break;
    case 5: m.reverse_video = set; break;
    case 1000:
    case 1002:
    case 1003: m.mouse = set ? p : 0; break;
    case 1004: m.focus_events = set; break;
    case 1005:
    case 1006:
    case 1015: m.mouse_encoding = set ? p : 0; break;
    case 2004: m.bracketed_paste = set; break;
    default: break;
  }
}

bool ModeScanner::csi_final(char final, Modes& m, bool& changed) {
  st_ = St::Ground;
  bool restore = false;
  if (leader_ == '?' && !inter_ && (final == 'h' || final == 'l')) {
    Modes before = m;
    int n = nparams_ + 1 < kMaxParams ? nparams_ + 1 : kMaxParams;
    for (int i = 0; i < n; ++i) {
      apply_private_mode(params_[i], final == 'h', m);
      if (final == 'l' && (params_[i] == 1048 || params_[i] == 1049)) restore = true;
    }
    if (!(before == m)) changed = true;
  }
  // (CSI u is no cursor restore in libvterm 0.1.4, nor is CSI s a save.)
  // DECSTR (CSI ! p) is deliberately ignored: libvterm 0.1.4 does not
  // implement it, and keys are encoded by libvterm, so the modes must follow
  // libvterm's view.
  return restore;
}

bool ModeScanner::scan(std::string_view bytes, Modes& m, std::vector<size_t>* cursor_restores) {
  bool changed = false;
  const char* p = bytes.data();
  const char* end = p + bytes.size();
  while (p < end) {
    if (st_ == St::Ground) {
      const void* esc = std::memchr(p, 0x1b, size_t(end - p));
      if (!esc) return changed;
      p = static_cast<const char*>(esc) + 1;
      st_ = St::Esc;
      continue;
    }
    if (st_ == St::CsiSkip) {
      // Runs to the final byte without looking at the parameters.
      while (p < end) {
        auto c = static_cast<unsigned char>(*p++);
        if (c >= 0x40 && c <= 0x7e) {
          st_ = St::Ground;
          break;
        }
        if (c == 0x1b) {
          st_ = St::Esc;
          break;
        }
        if (c == 0x18 || c == 0x1a || c >= 0x80) {
          st_ = St::Ground;
          break;
        }
      }
      continue;
    }
    auto c = static_cast<unsigned char>(*p++);
    if (c == 0x1b) {
      st_ = St::Esc;
      continue;
    }
    if (c == 0x18 || c == 0x1a) {  // CAN, SUB abort a sequence
      st_ = St::Ground;
      continue;
    }
    switch (st_) {
      case St::Esc:
        if (c < 0x20) break;  // C0 controls execute inside sequences
        // libvterm 0.1.4 ignores DEL and bytes >= 0x80 after ESC and stays in
        // the escape state: "ESC 0xcc 8" is a DECRC (guard 7).
        if (c >= 0x7f) break;
        if (c == '[') {
          start_csi();
        } else if (c == '=' || c == '>') {
          bool on = c == '=';
          if (m.app_keypad != on) changed = true;
          m.app_keypad = on;
          st_ = St::Ground;
        } else if (c == '8') {  // DECRC
          if (cursor_restores) cursor_restores->push_back(size_t(p - bytes.data()));
          st_ = St::Ground;
        } else if (c == 'c') {  // RIS
          if (!(m == Modes{})) changed = true;
          m = Modes{};
          st_ = St::Ground;
        } else if (c >= 0x20 && c <= 0x2f) {
          st_ = St::EscInter;
        } else {
          st_ = St::Ground;
        }
        break;
      case St::EscInter:
        if (c < 0x20 || (c >= 0x20 && c <= 0x2f)) break;
        st_ = St::Ground;
        break;
      case St::Csi:
        if (!leader_ && nparams_ == 0 && !have_digit_ && c >= 0x20 && c != '?') {
          // Not a private-mode sequence: skip it (re-examine this byte).
          st_ = St::CsiSkip;
          --p;
          break;
        }
        if (c >= '0' && c <= '9') {
          if (nparams_ < kMaxParams) {
            int& v = params_[nparams_];
            if (v < 100000) v = v * 10 + (c - '0');
          }
          have_digit_ = true;
        } else if (c == ';' || c == ':') {
          if (nparams_ < kMaxParams) ++nparams_;
          if (nparams_ < kMaxParams) params_[nparams_] = 0;
          have_digit_ = false;
        } else if (c >= 0x3c && c <= 0x3f) {
          if (nparams_ == 0 && !have_digit_ && !leader_) leader_ = char(c);
          if (leader_ != '?') st_ = St::CsiSkip;
        } else if (c >= 0x20 && c <= 0x2f) {
          inter_ = true;
        } else if (c >= 0x40 && c <= 0x7e) {
          if (csi_final(char(c), m, changed) && cursor_restores)
            cursor_restores->push_back(size_t(p - bytes.data()));
        } else if (c < 0x20 || c == 0x7f) {
          // executed or ignored inside a CSI; the sequence goes on
        } else {
          st_ = St::Ground;
        }
        break;
      case St::Ground:
      case St::CsiSkip:
        break;
    }
  }
  return changed;
}

}  // namespace amux::render
