// pen_filter.cpp — see pen_filter.h. The states follow libvterm 0.1.4's
// parser.c (vterm_input_write) in UTF-8 mode.
#include "render/pen_filter.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace amux::render {

namespace {
constexpr uint32_t kMaxId = 0x3FFFFFFF;       // ids stay well inside a CSI argument
constexpr size_t kMaxQueue = 65536;           // markers given out, not yet taken
bool is_param(unsigned char c) { return (c >= '0' && c <= '9') || c == ';' || c == ':'; }
bool is_inter(unsigned char c) { return c >= 0x20 && c <= 0x2f; }
}  // namespace

void PenFilter::begin_out(std::string_view in, size_t i) {
  if (!dirty_) {
    out_->clear();
    dirty_ = true;
  }
  if (i > copied_) out_->append(in.substr(copied_, i - copied_));
  copied_ = i;
}

void PenFilter::release_held(std::string_view in) {
  if (!held_here_) {
    // Nothing of this call has been given out yet (the CSI began earlier).
    begin_out(in, 0);
    out_->append("\x1b[").append(held_, 0, held_prev_);
  }
  held_.clear();
  c0s_.clear();
}

void PenFilter::finish_held(std::string_view in, size_t i, bool sgr) {
  begin_out(in, held_here_ ? held_at_ : 0);
  out_->append(c0s_);
  if (sgr) {
    append_marker(held_, *out_);
  } else if (esc_dangling_) {
    out_->push_back('\x18');  // CAN: ends the escape libvterm is in
  }
  copied_ = i + 1;
  held_.clear();
  c0s_.clear();
}

void PenFilter::append_marker(std::string_view params, std::string& out) {
  Entry& e = push_entry(out);
  e.is_pen = false;
  e.params.assign(params);
}

void PenFilter::append_pen_marker(const Pen& pen, std::string& out) {
  Entry& e = push_entry(out);
  e.is_pen = true;
  e.pen = pen;
}

// A new entry at the ring's end, its marker appended to `out`.
PenFilter::Entry& PenFilter::push_entry(std::string& out) {
  uint32_t id = next_id_;
  next_id_ = next_id_ >= kMaxId ? 1 : next_id_ + 1;
  if (count_ >= kMaxQueue) {  // the oldest is forgotten
    head_ = head_ + 1 == ring_.size() ? 0 : head_ + 1;
    --count_;
  }
  if (count_ == ring_.size()) {  // grow, oldest first
    std::vector<Entry> next(std::max<size_t>(16, ring_.size() * 2));
    for (size_t k = 0; k < count_; ++k) next[k] = std::move(ring_[(head_ + k) % ring_.size()]);
    ring_.swap(next);
    head_ = 0;
  }
  size_t at = head_ + count_;
  if (at >= ring_.size()) at -= ring_.size();
  Entry& e = ring_[at];
  ++count_;
  e.id = id;
  char marker[16] = {'\x1b', '['};
  char* end = std::to_chars(marker + 2, marker + sizeof marker - 1, id).ptr;
  *end++ = kMarkerFinal;
  out.append(marker, size_t(end - marker));
  return e;
}

bool PenFilter::take(uint32_t id, std::string& params, Pen& pen, bool& is_pen) {
  const size_t cap = ring_.size();
  for (size_t k = 0, at = head_; k < count_; ++k, at = at + 1 == cap ? 0 : at + 1) {
    if (ring_[at].id != id) continue;
    is_pen = ring_[at].is_pen;
    if (is_pen) pen = ring_[at].pen;
    else params.assign(ring_[at].params);  // (a copy: both keep their capacity)
    head_ = at + 1 == cap ? 0 : at + 1;
    count_ -= k + 1;
    return true;
  }
  return false;
}

bool PenFilter::filter(std::string_view in, std::string& out) {
  out_ = &out;
  dirty_ = false;
  copied_ = 0;
  esc_here_ = false;
  held_here_ = false;
  held_at_ = 0;
  held_prev_ = held_.size();
  const size_t n = in.size();
  const char* p = in.data();
  size_t i = 0;
  while (i < n) {
    if (st_ == St::Ground) {
      const void* e = std::memchr(p + i, 0x1b, n - i);
      if (!e) break;
      i = size_t(static_cast<const char*>(e) - p);
    }
    const unsigned char c = static_cast<unsigned char>(p[i]);
    const bool held = st_ == St::CsiStart || st_ == St::Sgr;
    // Bytes every state handles the same way (parser.c, before its switch).
    if (c == 0x00 || c == 0x7f) {  // NUL, DEL: ignored
      ++i;
      continue;
    }
    if (c == 0x18 || c == 0x1a) {  // CAN, SUB: back to the ground state
      if (held) release_held(in);
      st_ = St::Ground;
      ++i;
      continue;
    }
    if (c == 0x1b) {
      if (held) release_held(in);  // (an ESC cancels a CSI)
      st_ = st_ == St::String ? St::StringEsc : St::Esc;
      esc_here_ = true;
      esc_at_ = i;
      esc_c0s_.clear();
      ++i;
      continue;
    }
    if (c == 0x07 && st_ == St::String) {  // BEL ends a string
      st_ = St::Ground;
      ++i;
      continue;
    }
    if (c < 0x20) {  // other C0: executed where it stands, the state stays
      if (held) c0s_.push_back(char(c));
      else if (st_ == St::Esc) esc_c0s_.push_back(char(c));  // kept if this becomes an SGR
      ++i;
      continue;
    }
    switch (st_) {
      case St::Ground:  // not reached: memchr found an ESC
        break;
      case St::StringEsc:
        if (c == 0x5c) {  // ST
          st_ = St::Ground;
          break;
        }
        st_ = St::Esc;
        [[fallthrough]];
      case St::Esc:
        if (c == '[') {
          st_ = St::CsiStart;
          overflow_ = false;
          held_.clear();
          held_prev_ = 0;
          c0s_.clear();
          if (esc_here_) c0s_.swap(esc_c0s_);  // an SGR's marker starts at its ESC
          held_here_ = true;
          held_at_ = esc_here_ ? esc_at_ : i;
          esc_dangling_ = !esc_here_;
        } else if (c == ']' || c == 'P') {
          st_ = St::String;
        } else if (!is_inter(c) && c < 0x7f) {
          st_ = St::Ground;  // an escape sequence or a C1 control
        }
        // intermediates stay; bytes >= 0x80 are ignored in the escape state
        break;
      case St::CsiStart:
        if (c >= 0x3c && c <= 0x3f) {  // a leader: not an SGR
          release_held(in);
          st_ = St::Csi;
          phase_ = Phase::Leader;
          break;
        }
        st_ = St::Sgr;
        [[fallthrough]];
      case St::Sgr:
        if (is_param(c)) {
          // The run of parameter bytes, held at once.
          size_t j = i + 1;
          while (j < n && is_param(static_cast<unsigned char>(p[j]))) ++j;
          if (held_.size() + (j - i) <= kMaxParams) {
            held_.append(p + i, j - i);
            i = j;
            continue;
          }
          // Too long to hold: through to libvterm, and its end cancelled.
          size_t fit = kMaxParams - held_.size();
          held_.append(p + i, fit);
          i += fit;  // (the byte past the limit is a parameter: skipped below)
          release_held(in);
          overflow_ = true;
          st_ = St::Csi;
          phase_ = Phase::Args;
        } else if (c == 'm') {
          finish_held(in, i, true);
          st_ = St::Ground;
        } else if (c == kMarkerFinal) {
          finish_held(in, i, false);
          st_ = St::Ground;
        } else {
          // An intermediate (not an SGR), another final or an invalid byte
          // (which ends the CSI): libvterm gets the sequence as it was.
          release_held(in);
          st_ = is_inter(c) ? St::Csi : St::Ground;
          phase_ = Phase::Inter;
        }
        break;
      case St::Csi:
        // parser.c: leader bytes first, then parameters, then
        // intermediates; a final byte or any other byte ends the CSI.
        if (phase_ == Phase::Leader && c >= 0x3c && c <= 0x3f) break;
        if (phase_ != Phase::Inter && is_param(c)) {
          phase_ = Phase::Args;
          break;
        }
        if (is_inter(c)) {
          phase_ = Phase::Inter;
          break;
        }
        if (overflow_ && (c == 'm' || c == kMarkerFinal)) {
          begin_out(in, i);
          out_->push_back('\x18');
          copied_ = i + 1;
        }
        st_ = St::Ground;
        break;
      case St::String:
        break;
    }
    ++i;
  }
  if (st_ == St::CsiStart || st_ == St::Sgr) {
    // Still open: hold it back (its C0 controls go out now).
    begin_out(in, held_here_ ? held_at_ : 0);
    out_->append(c0s_);
    c0s_.clear();
    copied_ = n;
  }
  if (dirty_ && copied_ < n) out_->append(in.substr(copied_));
  return dirty_;
}

}  // namespace amux::render
