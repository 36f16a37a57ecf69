// csi_guard.h — drops the parameters of a CSI sequence beyond the 16th.
//
// Why: libvterm 0.1.4's parser keeps CSI arguments in a fixed array of 16
// (CSI_ARGS_MAX) and writes past it when a sequence has more: any program
// printing `ESC[1;1;…;1m` with 17 or more parameters crashes the host
// (found here: guard 9 in docs/libvterm.md, which lists all the guards).
// Terminals ignore such surplus anyway (xterm keeps 30, tmux 24), so the
// guard passes the sequence through with its first 16 parameters.
// It is a small state machine fed in chunks, so a sequence split across
// feeds is handled; text outside CSI sequences is skipped with memchr.
#pragma once

#include <string>
#include <string_view>

namespace amux::render {

class CsiGuard {
 public:
  static constexpr int kMaxArgs = 16;
  // Returns true and sets `out` when `in` had to change; false (and `out`
  // untouched) when it passes as it is, which is the common case.
  bool filter(std::string_view in, std::string& out);

  // Outside any sequence (the Screen's lane passes only SGR markers).
  bool at_rest() const { return st_ == St::Ground; }

 private:
  enum class St { Ground, Esc, Csi };
  St st_ = St::Ground;
  int seps_ = 0;          // parameter separators seen in this CSI
  bool dropping_ = false; // past the 16th parameter: drop parameter bytes
};

}  // namespace amux::render
