// mode_scanner.cpp — see mode_scanner.h. The states and transitions follow
// libvterm 0.1.4's parser.c (vterm_input_write) byte for byte, UTF-8 mode.
#include "render/mode_scanner.h"

#include <cstring>

namespace amux::render {

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

void ModeScanner::csi_final(char final, size_t at, Modes& m, bool& changed,
                            std::vector<ScanCut>* cuts) {
  st_ = St::Ground;
  if (nleader_ == 0 && !inter_ && final == 'b') {  // REP
    if (cuts) cuts->push_back(ScanCut{ScanCut::Kind::Rep, at - 1});
    return;
  }
  if (nleader_ != 1 || leader_ != '?' || inter_ || (final != 'h' && final != 'l')) return;
  // DECSET / DECRST: every parameter, as xterm applies them; the Screen
  // hands libvterm the ones after the first.
  const bool set = final == 'h';
  Modes before = m;
  int n = nparams_ + 1 < kMaxParams ? nparams_ + 1 : kMaxParams;
  ScanCut cut{ScanCut::Kind::Modes, at};
  cut.set = set;
  for (int i = 0; i < n; ++i) {
    int p = params_[i];
    if (p < 0) continue;
    apply_private_mode(p, set, m);
    if (p == 1048 || p == 1049) (set ? cut.save : cut.restore) = true;
    if (i > 0) cut.extra[cut.nextra++] = p;
  }
  if (!(before == m)) changed = true;
  if (!cuts) return;
  if (cut.nextra > 0) {
    cuts->push_back(cut);
  } else if (cut.restore) {
    cuts->push_back(ScanCut{ScanCut::Kind::Restore, at});
  } else if (cut.save) {
    cuts->push_back(ScanCut{ScanCut::Kind::Save, at});
  }
  // (CSI u is no cursor restore in libvterm 0.1.4, nor is CSI s a save.)
  // DECSTR (CSI ! p) is deliberately ignored: libvterm 0.1.4 does not
  // implement it, and keys are encoded by libvterm, so the modes must follow
  // libvterm's view.
}

void ModeScanner::esc_byte(unsigned char c, size_t at, size_t esc_at, bool esc_here, Modes& m,
                           bool& changed, std::vector<ScanCut>* cuts) {
  // libvterm looks at '[', ']' and 'P' before it looks at intermediates.
  if (c == '[') {
    st_ = St::CsiLeader;
    nleader_ = 0;
    leader_ = 0;
    inter_ = false;
    nparams_ = 0;
    params_[0] = -1;
    return;
  }
  if (c == ']' || c == 'P') {  // OSC, DCS
    st_ = St::String;
    string_start_ = esc_here ? esc_at : 0;
    string_esc_here_ = esc_here;
    return;
  }
  if (c >= 0x20 && c <= 0x2f) {
    st_ = St::EscInter;
    return;
  }
  // libvterm 0.1.4 ignores bytes >= 0x80 here and stays in the escape
  // state: "ESC 0xcc 8" is a DECRC (guard 7).
  if (c >= 0x80) return;
  if (st_ == St::Esc) {
    if (c == '=' || c == '>') {
      bool on = c == '=';
      if (m.app_keypad != on) changed = true;
      m.app_keypad = on;
    } else if (c == '8') {  // DECRC
      if (cuts) cuts->push_back(ScanCut{ScanCut::Kind::Restore, at});
    } else if (c == '7') {  // DECSC
      if (cuts) cuts->push_back(ScanCut{ScanCut::Kind::Save, at});
    } else if (c == 'c') {  // RIS
      if (!(m == Modes{})) changed = true;
      m = Modes{};
    }
  }
  st_ = St::Ground;
}

bool ModeScanner::scan(std::string_view bytes, Modes& m, std::vector<ScanCut>* cuts,
                       size_t* open_string) {
  bool changed = false;
  const char* const base = bytes.data();
  const char* p = base;
  const char* end = p + bytes.size();
  size_t esc_at = 0;      // where the current escape began
  bool esc_here = false;  // ... in these bytes (else in an earlier call)
  string_start_ = 0;
  while (p < end) {
    if (st_ == St::Ground) {
      const void* esc = std::memchr(p, 0x1b, size_t(end - p));
      if (!esc) break;
      p = static_cast<const char*>(esc) + 1;
      esc_at = size_t(p - 1 - base);
      esc_here = true;
      st_ = St::Esc;
      continue;
    }
    auto c = static_cast<unsigned char>(*p++);
    if (c == 0x00 || c == 0x7f) continue;  // NUL, DEL: ignored everywhere
    if (c == 0x18 || c == 0x1a) {          // CAN, SUB abort a sequence
      st_ = St::Ground;
      continue;
    }
    if (c == 0x1b) {
      st_ = st_ == St::String ? St::StringEsc : St::Esc;
      esc_at = size_t(p - 1 - base);
      esc_here = true;
      continue;
    }
    if (c == 0x07 && st_ == St::String) {  // BEL ends a string
      st_ = St::Ground;
      continue;
    }
    if (c < 0x20) continue;  // other C0 controls execute inside sequences
    const size_t at = size_t(p - base);
    switch (st_) {
      case St::StringEsc:
        if (c == '\\') {  // ST
          st_ = St::Ground;
          break;
        }
        st_ = St::Esc;  // the string is dropped; this byte follows an ESC
        esc_byte(c, at, esc_at, esc_here, m, changed, cuts);
        break;
      case St::Esc:
      case St::EscInter:
        esc_byte(c, at, esc_at, esc_here, m, changed, cuts);
        break;
      case St::CsiLeader:
        if (c >= 0x3c && c <= 0x3f) {
          if (nleader_++ == 0) leader_ = char(c);
          break;
        }
        st_ = St::CsiArgs;
        [[fallthrough]];
      case St::CsiArgs:
        if (c >= '0' && c <= '9') {
          int& v = params_[nparams_];
          if (v < 0) v = 0;
          if (v < 100000) v = v * 10 + (c - '0');
          break;
        }
        if (c == ';' || c == ':') {
          if (nparams_ + 1 < kMaxParams) params_[++nparams_] = -1;
          break;
        }
        st_ = St::CsiInter;
        [[fallthrough]];
      case St::CsiInter:
        if (c >= 0x20 && c <= 0x2f) {
          inter_ = true;
        } else if (c >= 0x40 && c <= 0x7e) {
          csi_final(char(c), at, m, changed, cuts);
        } else {
          st_ = St::Ground;  // an invalid CSI ends here
        }
        break;
      case St::String:  // string contents
      case St::Ground:
        break;
    }
  }
  if (open_string)
    *open_string = (st_ == St::String || st_ == St::StringEsc) ? string_start_ : kNoString;
  return changed;
}

}  // namespace amux::render
