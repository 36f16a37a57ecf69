// pen_filter.h — takes every SGR sequence out of what libvterm is given,
// so the Screen keeps the pen itself.
//
// Why: libvterm 0.1.4's pen lacks attributes programs use (dim, conceal,
// overline, dotted and dashed underlines, underline colour) and misreads
// others (SGR 58 in the semicolon form corrupts it, an empty colour-space
// field shifts an RGB colour; see sgr.h). The Screen applies SGR itself with
// tmux's rules, but it must do so at the right point in the stream: after
// the text before the SGR is written, before the text after it. So each
// `CSI params m` (no leader, no intermediate) becomes a marker,
// `CSI <id> p`: a sequence libvterm's state does not know, which it hands,
// in order, to the Screen's fallback CSI callback, where the parameters
// saved under that id are applied (take()). A program's own `CSI ... p`
// without leader or intermediate (no terminal gives it a meaning) is
// dropped, so every marker libvterm sees is one of ours. The filter follows
// libvterm 0.1.4's parser states (parser.c, UTF-8 mode) so it sees the same
// sequences libvterm does, across any split between calls: a CSI still
// open at the end of the input is held back until it ends. Parameters
// longer than kMaxParams bytes are let through and the sequence is ended
// with a CAN instead of its final byte (the SGR is ignored).
// C0 controls inside a CSI are executed by libvterm where they stand; the
// filter gives them out at once, ahead of the held part, which libvterm
// has not acted on yet, so the effect is the same.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "render/cell.h"

namespace amux::render {

class PenFilter {
 public:
  static constexpr char kMarkerFinal = 'p';
  static constexpr size_t kMaxParams = 256;

  // Filters `in` into `out` (cleared first). Returns false, `out`
  // untouched, when `in` passes as it is (it held no SGR, no `CSI ... p`
  // and no part of an open CSI).
  bool filter(std::string_view in, std::string& out);

  // What marker `id` stands for: its parameters, or (is_pen) the pen it
  // sets; false for an id never given out (or already taken). Markers are
  // taken in the order they were given out; older ones still waiting are
  // forgotten.
  bool take(uint32_t id, std::string& params, Pen& pen, bool& is_pen);

  size_t pending() const { return count_; }

  // For the Screen's lane (screen_lane.cpp), which finds whole SGRs in text
  // without calling filter(): the filter is outside any sequence;
  bool at_rest() const { return st_ == St::Ground && held_.empty(); }
  // and appends to `out` the marker for an SGR with these parameters
  // (at most kMaxParams bytes), as filter() would; or the marker for an
  // SGR the lane applied itself, which sets `pen` where it stands.
  void append_marker(std::string_view params, std::string& out);
  void append_pen_marker(const Pen& pen, std::string& out);

 private:
  enum class St : uint8_t {
    Ground,
    Esc,       // after ESC (and any intermediates)
    CsiStart,  // after ESC [: the leader bytes may come
    Sgr,       // a CSI that may still be an SGR: held back
    Csi,       // any other CSI: passed through
    String,    // OSC or DCS
    StringEsc  // ESC inside a string
  };
  void begin_out(std::string_view in, size_t i);
  // The held CSI is not an SGR: give out what was held back from earlier
  // calls, so libvterm sees the sequence as the program sent it.
  void release_held(std::string_view in);
  // The held CSI ended at in[i]: an SGR (a marker in its place) or a `p`
  // (nothing, or a CAN that ends an ESC already given out).
  void finish_held(std::string_view in, size_t i, bool sgr);

  St st_ = St::Ground;
  bool overflow_ = false;  // this CSI's parameters were too long to hold
  // Where a passed-through CSI is: leader bytes, parameters, intermediates.
  enum class Phase : uint8_t { Leader, Args, Inter } phase_ = Phase::Args;
  bool esc_here_ = false;  // the last ESC is in this call's input
  size_t esc_at_ = 0;      // ... at this offset
  // The CSI that may be an SGR: its parameter bytes, how many of them came
  // in earlier calls (held back, not given out), the C0 controls inside it
  // not given out yet, and where it starts in this call's input.
  std::string held_;
  size_t held_prev_ = 0;
  std::string c0s_;
  std::string esc_c0s_;  // C0 controls between an ESC of this call and its '['
  bool held_here_ = false;     // its '[' is in this call's input
  size_t held_at_ = 0;         // ... and it starts here (its ESC, or the '[')
  bool esc_dangling_ = false;  // its ESC was given out in an earlier call

  // Output of the call in progress: out_ holds what libvterm gets for
  // in[0, copied_) once something changed.
  std::string* out_ = nullptr;
  bool dirty_ = false;
  size_t copied_ = 0;

  // Markers given out, not yet taken: a ring (oldest at head_) whose
  // strings keep their capacity, so an SGR costs no allocation.
  struct Entry {
    uint32_t id = 0;
    bool is_pen = false;
    Pen pen;
    std::string params;
  };
  Entry& push_entry(std::string& out);
  std::vector<Entry> ring_;
  size_t head_ = 0;
  size_t count_ = 0;
  uint32_t next_id_ = 1;
};

}  // namespace amux::render
