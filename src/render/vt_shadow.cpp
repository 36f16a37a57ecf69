// vt_shadow.cpp — see vt_shadow.h. Each branch names the libvterm 0.1.4 code
// it follows (parser.c: vterm_input_write; state.c: on_text, on_control,
// on_escape, on_csi, vterm_state_reset; encoding.c: the decoders).
#include "render/vt_shadow.h"

#include "render/pen_filter.h"

namespace amux::render {

void VtShadow::reset() {
  // vterm_state_reset (RIS): every set back to the default decoder (UTF-8 in
  // UTF-8 mode), GL = G0, no single shift, insert and origin mode off.
  for (Set& s : g_) s = Set::Utf8;
  for (uint8_t& r : rem_) r = 0;
  gl_ = 0;
  gsingle_ = 0;
  gsingle_maybe_ = false;
  dwl_seen_ = false;  // every line single-width again
  irm_ = false;
  decom_ = false;
}

size_t VtShadow::scan(const char* p, size_t i, size_t n) {
  while (i < n) {
    auto c = static_cast<unsigned char>(p[i]);
    if (st_ == St::Normal && c >= 0x20 && c != 0x7f) {
      if (c < 0x7f) return i;
      // Text starting or continuing with a byte >= 0x80 (UTF-8 mode: never a
      // C1 control in the ground state). The US-ASCII and table decoders
      // stop before it and libvterm starts a new call with its own UTF-8
      // decoder (or the single-shifted set's); the UTF-8 decoders go on.
      quiet_ = false;
      if (call_ == Call::None) {
        if (gsingle_ || gsingle_maybe_) {
          // The shifted set decodes one code point (or none yet, and the
          // shift stays); then calls start anew. Not followed here.
          call_ = Call::Unsure;
          gsingle_ = 0;
          gsingle_maybe_ = true;
          forget_decoders();
        } else {
          call_ = Call::Utf8;
        }
      } else if (call_ == Call::GlAscii || call_ == Call::GlTable) {
        call_ = Call::Utf8;
      }
      if (call_ == Call::GlUtf8) {
        utf8_byte(c);
        ++i;
        continue;
      }
      ++i;
      while (i < n && static_cast<unsigned char>(p[i]) >= 0x80) ++i;
      continue;
    }
    step(c);
    ++i;
  }
  return n;
}

void VtShadow::ascii(size_t len) {
  if (len == 0) return;
  quiet_ = false;
  bool stale_start = false;
  if (call_ == Call::None) {
    if (gsingle_) {
      // on_text with a single shift decodes one code point (cplen 1) from
      // the shifted set; for an ASCII first byte that is exactly this byte
      // (after a U+FFFD if that set's decoder was in a sequence), and the
      // shift is then over. The next byte starts a new call.
      if (g_[gsingle_] == Set::Utf8) rem_[gsingle_] = 0;
      gsingle_ = 0;
      if (--len == 0) return;
    } else if (gsingle_maybe_) {
      // Either the same, or no shift was pending and this byte starts a
      // call of the GL set. Which decoder took it is unknown; the GL set's
      // decodes the next bytes either way.
      gsingle_maybe_ = false;
      forget_decoders();
      if (--len == 0) return;
      stale_start = true;
    }
    Set s = g_[gl_];
    call_ = s == Set::Utf8 ? Call::GlUtf8 : s == Set::Ascii ? Call::GlAscii : Call::GlTable;
    call_stale_ = stale_start || (s == Set::Utf8 && rem_[gl_] != 0);
  }
  // Every decoder takes printable ASCII and goes on; a UTF-8 one ends any
  // sequence it was in.
  if (call_ == Call::GlUtf8) rem_[gl_] = 0;
}

// decode_utf8 (encoding.c): how a byte >= 0x80 changes bytes_remaining.
void VtShadow::utf8_byte(unsigned char c) {
  uint8_t& rem = rem_[gl_];
  if (c < 0xc0) {  // continuation: continues a sequence, else U+FFFD
    if (rem != 0 && rem != kUnknown) --rem;
  } else if (c < 0xe0) {
    rem = 1;
  } else if (c < 0xf0) {
    rem = 2;
  } else if (c < 0xf8) {
    rem = 3;
  } else if (c < 0xfc) {
    rem = 4;
  } else if (c < 0xfe) {
    rem = 5;
  }
  // 0xfe, 0xff: U+FFFD, the state stays
}

void VtShadow::forget_decoders() {
  for (uint8_t& r : rem_) r = kUnknown;
}

void VtShadow::advance(const char* p, size_t n) {
  size_t i = 0;
  while ((i = scan(p, i, n)) < n) {
    size_t b = i + 1;
    while (b < n && printable(static_cast<unsigned char>(p[b]))) ++b;
    ascii(b - i);
    i = b;
  }
}

// One byte that is not ground-state text (parser.c, vterm_input_write).
void VtShadow::step(unsigned char c) {
  if (c == 0x00 || c == 0x7f) {  // NUL, DEL: skipped; a text call ends
    call_ = Call::None;
    return;
  }
  if (c == 0x18 || c == 0x1a) {  // CAN, SUB
    st_ = St::Normal;
    call_ = Call::None;
    quiet_ = false;
    return;
  }
  if (c == 0x1b) {
    inter_n_ = 0;
    st_ = st_ == St::String ? St::EscInString : St::Esc;
    call_ = Call::None;
    return;  // (quiet until the sequence turns out not to be SGR)
  }
  if (c == 0x07 && st_ == St::String) {  // BEL ends an OSC/DCS string
    st_ = St::Normal;
    quiet_ = false;
    return;
  }
  if (c < 0x20) {  // other C0: executed in any state, the state stays
    control(c);
    call_ = Call::None;
    if (c != 0x0d && !(c == 0x0a && !dwl_seen_)) quiet_ = false;
    return;
  }
  if (st_ != St::CsiArgs && st_ != St::CsiLeader && !(st_ == St::Esc && c == 0x5b)) {
    // Only "ESC [ digits ; : m" stays quiet; its final byte is checked in csi().
    quiet_ = false;
  }
  switch (st_) {
    case St::EscInString:
      if (c == 0x5c) {  // ST
        st_ = St::Normal;
        return;
      }
      st_ = St::Esc;
      [[fallthrough]];
    case St::Esc:
      if (c == 0x50 || c == 0x5d) {  // DCS, OSC
        st_ = St::String;
      } else if (c == 0x5b) {  // CSI
        leader_n_ = 0;
        st_ = St::CsiLeader;
      } else if (c >= 0x20 && c <= 0x2f) {
        if (inter_n_ < 15) {
          if (inter_n_ == 0) inter0_ = c;
          ++inter_n_;
        }
      } else if (inter_n_ == 0 && c >= 0x40 && c < 0x60) {
        // ESC Fe: the C1 control c + 0x40. Only SS2/SS3 matter here.
        if (c == 'N') gsingle_ = 2;
        else if (c == 'O') gsingle_ = 3;
        st_ = St::Normal;
      } else if (c >= 0x30 && c < 0x7f) {
        escape(c);
        st_ = St::Normal;
      }
      // else (>= 0x80): libvterm stays in the escape state
      return;
    case St::CsiLeader:
      if (c >= 0x3c && c <= 0x3f) {
        if (leader_n_ < 15) {
          if (leader_n_ == 0) leader0_ = c;
          ++leader_n_;
        }
        return;
      }
      arg0_missing_ = true;
      arg0_big_ = false;
      arg0_ = 0;
      arg0_done_ = false;
      st_ = St::CsiArgs;
      [[fallthrough]];
    case St::CsiArgs:
      if (c >= '0' && c <= '9') {
        if (!arg0_done_) {
          arg0_missing_ = false;
          // Past 9 digits libvterm's arithmetic (a long, masked to 31 bits,
          // with a sentinel for "missing") is not worth following exactly.
          if (!arg0_big_) {
            arg0_ = arg0_ * 10 + uint32_t(c - '0');
            if (arg0_ > 999999999u) arg0_big_ = true;
          }
        }
        return;
      }
      if (c == ':' || c == ';') {
        arg0_done_ = true;
        return;
      }
      inter_n_ = 0;
      st_ = St::CsiInter;
      [[fallthrough]];
    case St::CsiInter:
      if (c >= 0x20 && c <= 0x2f) {
        if (inter_n_ < 15) {
          if (inter_n_ == 0) inter0_ = c;
          ++inter_n_;
        }
        return;
      }
      if (c >= 0x40 && c <= 0x7e) csi(c);
      st_ = St::Normal;  // a final byte, or an invalid one ending the CSI
      return;
    case St::String:
      return;  // (0x9c ends a string only outside UTF-8 mode)
    case St::Normal:
      return;  // not reached: ground-state text is handled by scan()
  }
}

// state.c on_control: the GL shifts.
void VtShadow::control(unsigned char c) {
  if (c == 0x0e) gl_ = 1;       // SO = LS1
  else if (c == 0x0f) gl_ = 0;  // SI = LS0
}

// state.c on_escape, dispatched on the first byte of intermediates + final.
void VtShadow::escape(unsigned char final) {
  unsigned char first = inter_n_ ? inter0_ : final;
  size_t len = size_t(inter_n_) + 1;
  switch (first) {
    case '(':
    case ')':
    case '*':
    case '+':  // SCS: designate G0..G3 (encoding.c: ENC_SINGLE_94 '0', 'A', 'B')
      if (len != 2) return;
      if (final == 'B') g_[first - '('] = Set::Ascii;
      else if (final == '0' || final == 'A') g_[first - '('] = Set::Table;
      return;  // unknown designations leave the set as it was
    case 'c': reset(); return;  // RIS
    case '#':  // DECDHL, DECDWL (DECSWL '5' and DECALN '8' make no line wide)
      if (len == 2 && (final == '3' || final == '4' || final == '6')) dwl_seen_ = true;
      return;
    case 'n': gl_ = 2; return;  // LS2
    case 'o': gl_ = 3; return;  // LS3
    default: return;
  }
}

// state.c on_csi: SM/RM for IRM, DECSET/DECRST for DECOM.
void VtShadow::csi(unsigned char final) {
  // Quiet: an SGR, or the marker PenFilter puts in an SGR's place (it only
  // changes the Screen's pen).
  if ((final != 'm' && final != PenFilter::kMarkerFinal) || leader_n_ != 0 || inter_n_ != 0)
    quiet_ = false;
  if (leader_n_ > 1) return;
  if (leader_n_ == 1 && leader0_ != '?' && leader0_ != '>') return;
  if (inter_n_ != 0) return;  // no tracked sequence has an intermediate
  if (final != 'h' && final != 'l') return;
  if (arg0_missing_) return;  // "if(!CSI_ARG_IS_MISSING(args[0]))"
  bool set = final == 'h';
  char leader = leader_n_ ? char(leader0_) : 0;
  if (leader != 0 && leader != '?') return;
  bool& mode = leader == '?' ? decom_ : irm_;
  uint32_t which = leader == '?' ? 6 : 4;
  if (arg0_big_) {
    if (set) mode = true;  // it might have been this mode: assume it is on
    return;
  }
  if (arg0_ == which) mode = set;
}

}  // namespace amux::render
