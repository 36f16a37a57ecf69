// csi_guard.cpp — see csi_guard.h.
#include "render/csi_guard.h"

#include <cstring>

namespace amux::render {

bool CsiGuard::filter(std::string_view in, std::string& out) {
  bool changed = false;
  size_t copied = 0;  // bytes of `in` already in `out` (only when changed)
  const char* p = in.data();
  const size_t n = in.size();
  size_t i = 0;
  while (i < n) {
    if (st_ == St::Ground) {
      const void* esc = std::memchr(p + i, 0x1b, n - i);
      if (!esc) break;
      i = size_t(static_cast<const char*>(esc) - p) + 1;
      st_ = St::Esc;
      continue;
    }
    const unsigned char c = static_cast<unsigned char>(p[i]);
    if (st_ == St::Esc) {
      // As libvterm's parser: a C0 control after ESC is executed and the
      // escape sequence goes on ("ESC VT [" is a CSI; found by
      // fuzz_screen), NUL and DEL are ignored, and so is a byte from 0x80 on
      // ("ESC \xef [" is a CSI too); CAN and SUB abort it. libvterm 0.1.4
      // also looks for '[' before it looks at intermediates: "ESC + [" is
      // a CSI, not the escape "+[" (found by fuzz_screen: 20 parameters
      // after it overran libvterm's array and crashed it).
      if (c == '[') {
        st_ = St::Csi;
        seps_ = 0;
        dropping_ = false;
      } else if (c == 0x18 || c == 0x1a || (c >= 0x30 && c < 0x7f)) {
        st_ = St::Ground;
      }  // (an intermediate, 0x20-0x2f, keeps the escape going)
      ++i;
      continue;
    }
    // In a CSI sequence.
    if (c == 0x1b) {
      st_ = St::Esc;
      ++i;
      continue;
    }
    if (c == 0x18 || c == 0x1a) {  // CAN, SUB abort the sequence
      st_ = St::Ground;
      ++i;
      continue;
    }
    const bool param = (c >= '0' && c <= '9') || c == ';' || c == ':';
    if (param && (c == ';' || c == ':') && !dropping_ && ++seps_ >= kMaxArgs) dropping_ = true;
    if (param && dropping_) {
      if (!changed) {
        out.assign(p, i);
        changed = true;
      } else {
        out.append(p + copied, i - copied);
      }
      copied = i + 1;  // skip this byte
      ++i;
      continue;
    }
    if (c >= 0x40 && c <= 0x7e) st_ = St::Ground;  // final byte
    ++i;
  }
  if (changed) out.append(p + copied, n - copied);
  return changed;
}

}  // namespace amux::render
