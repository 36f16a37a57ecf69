// width_filter.cpp — see width_filter.h. The parser states follow
// libvterm 0.1.4's parser.c in UTF-8 mode, as ModeScanner's do.
#include "render/width_filter.h"

#include <vterm.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>

#include "render/safe_text.h"
#include "render/utf8.h"

namespace amux::render {

namespace {

// Per code point: bit 7 known, bits 0-1 terminal_width(), bit 2 libvterm's
// width differs. Pages of 256 code points, allocated when first asked.
class WidthCache {
 public:
  uint8_t get(char32_t cp) {
    auto& page = pages_[cp >> 8];
    if (!page) page = std::make_unique<std::array<uint8_t, 256>>();
    uint8_t& v = (*page)[cp & 0xff];
    if (!v) {
      int u = terminal_width(cp);
      v = uint8_t(0x80 | u | (probe(cp) != u ? 4 : 0));
    }
    return v;
  }
  int probe(char32_t cp) {
    if (!vt_) {
      vt_.reset(vterm_new(1, 8));
      vterm_set_utf8(vt_.get(), 1);
      state_ = vterm_obtain_state(vt_.get());
      vterm_state_reset(state_, 1);
    }
    // Home, a base character, then cp: how far the cursor moves past the
    // base is cp's width (0 when libvterm combines it with the base).
    std::string s = "\x1b[Ha";
    utf8::append(s, cp);
    vterm_input_write(vt_.get(), s.data(), s.size());
    VTermPos pos;
    vterm_state_get_cursorpos(state_, &pos);
    return std::clamp(pos.col - 1, 0, 2);
  }

 private:
  std::array<std::unique_ptr<std::array<uint8_t, 256>>, 0x1100> pages_;
  std::unique_ptr<VTerm, decltype(&vterm_free)> vt_{nullptr, &vterm_free};
  VTermState* state_ = nullptr;
};

WidthCache& cache() {
  static thread_local WidthCache c;
  return c;
}

// The end of the run of bytes < 0x80 other than ESC in p[i..n) (8 bytes at
// a time): all the ground state does there is skip them.
size_t ascii_end(const char* p, size_t i, size_t n) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  while (i + 8 <= n) {
    uint64_t x;
    std::memcpy(&x, p + i, 8);
    uint64_t e = x ^ (0x1b * kOnes);  // a zero byte where x has an ESC
    if ((x | ((e - kOnes) & ~e)) & kHigh) break;
    i += 8;
  }
  while (i < n && static_cast<unsigned char>(p[i]) < 0x80 && p[i] != '\x1b') ++i;
  return i;
}

// Ill-formed UTF-8 is dropped, as tmux does.
constexpr std::string_view kDropped = "";

}  // namespace

int WidthFilter::libvterm_width(char32_t cp) { return cache().probe(cp); }

int WidthFilter::passed_width(char32_t cp) {
  if (cp >= kWide0 && cp <= kWide1) return 2;
  if (cp >= kNarrow0 && cp <= kNarrow1) return 1;
  if (cp >= kZero0 && cp <= kZero1) return 0;
  if (cp < 0xA0 || cp > 0x10FFFF) return -1;
  uint8_t info = cache().get(cp);
  return info & 4 ? -1 : info & 3;
}

int WidthFilter::plain_glyph_width(char32_t cp) {
  if (cp < 0xA0 || cp > 0x10FFFF || in_standin_range(cp) || from_graphics_table(cp)) return 0;
  uint8_t info = cache().get(cp);
  return info & 4 ? 0 : info & 3;
}

size_t WidthFilter::real_chars(const uint32_t* chars, size_t n, uint32_t* out) const {
  size_t m = 0;
  for (size_t i = 0; i < n && m < kMaxReal; ++i) {
    char32_t cp = chars[i];
    if (cp >= kTail0 && cp <= kZero1) {
      for (char32_t t : tails_[cp - kTail0])
        if (m < kMaxReal) out[m++] = t;
    } else {
      out[m++] = real(cp);
    }
  }
  return m;
}

char32_t WidthFilter::lookup(char32_t s) const {
  const std::vector<char32_t>* v;
  char32_t base;
  if (s >= kWide0 && s <= kWide1) {
    v = &back_[2];
    base = kWide0;
  } else if (s >= kZero0 && s <= kZero1) {
    v = &back_[0];
    base = kZero0;
  } else {
    v = &back_[1];
    base = kNarrow0;
  }
  size_t i = s - base;
  // A stand-in never given out cannot reach putglyph (input in the ranges
  // is always replaced); U+FFFD if it somehow does.
  return i < v->size() ? (*v)[i] : utf8::kReplacement;
}

char32_t WidthFilter::standin(char32_t cp, int w) {
  const uint32_t key = uint32_t(cp) | uint32_t(w) << 21;
  auto it = fwd_.find(key);
  if (it != fwd_.end()) return it->second;
  static constexpr char32_t kFirst[3] = {kZero0, kNarrow0, kWide0};
  static constexpr char32_t kLast[3] = {kTail0 - 1, kNarrow1, kWide1};
  std::vector<char32_t>& v = back_[w];
  if (v.size() > size_t(kLast[w] - kFirst[w])) return 0;
  char32_t s = kFirst[w] + char32_t(v.size());
  v.push_back(cp);
  fwd_.emplace(key, s);
  return s;
}

void WidthFilter::flush_to(std::string_view in, size_t i) {
  if (!dirty_) {
    out_->clear();
    dirty_ = true;
  }
  if (i > copied_) out_->append(in.substr(copied_, i - copied_));
  copied_ = i;
}

// The sequence ending at in[end) becomes `with` (its bytes from an earlier
// call were held back, never given out).
void WidthFilter::replace_seq(std::string_view in, size_t end, std::string_view with) {
  flush_to(in, seq_here_ ? seq_at_ : 0);
  out_->append(with);
  copied_ = end;
}

void WidthFilter::finish(char32_t cp, std::string_view in, size_t end) {
  if (cp >= 0x80 && cp < 0xA0) {
    // A C1 control sent as UTF-8: libvterm 0.1.4 prints it with width -1
    // (the cursor steps back, the next character lands on the one before).
    // tmux drops it, and so does the filter: nothing else changes.
    replace_seq(in, end, {});
    need_ = 0;
    seq_len_ = 0;
    return;
  }
  char32_t sub = 0;
  bool joined = join_;
  join_ = false;
  if (cp >= 0xA0) {
    uint8_t info = cache().get(cp);
    int w = info & 3;
    // A wide character after a zero width joiner that followed a glyph
    // joins that glyph's cell (an emoji ZWJ sequence), as in tmux.
    bool join = joined && w == 2;
    if (join) w = 0;
    if (w > 0) {
      marks_ = 0;
    } else if (marks_ >= 0 && ++marks_ >= kMaxChars - 1) {
      // The last of libvterm's slots for this cell: a tail stand-in that
      // stands for this mark and every one after it (libvterm drops those
      // but calls putglyph again for each, with the grown tail).
      if (marks_ == kMaxChars - 1) {
        cur_tail_ = next_tail_;
        next_tail_ = (next_tail_ + 1) % kTails;
        tails_[cur_tail_].clear();
      }
      if (tails_[cur_tail_].size() < size_t(kMaxMarks - (kMaxChars - 2))) tails_[cur_tail_].push_back(cp);
      sub = kTail0 + char32_t(cur_tail_);
    }
    // (⩽ ⩾ as UTF-8: a stand-in, so that only the graphics table gives
    // libvterm's putglyph the bare code points, see real().)
    if (!sub && (join || (info & 4) || in_standin_range(cp) || from_graphics_table(cp))) {
      sub = standin(cp, w);
      // A character from a stand-in range with no stand-in left: U+FFFD.
      if (!sub && in_standin_range(cp)) sub = utf8::kReplacement;
    }
  }
  if (sub) {
    std::string enc;
    utf8::append(enc, sub);
    replace_seq(in, end, enc);
  } else if (!seq_here_) {
    // Held back from the last call: give it out now.
    flush_to(in, 0);
    out_->append(seq_, seq_len_);
    copied_ = end;
  }
  if (cp == 0x200D && glyph_) join_ = true;
  glyph_ = cp >= 0xA0;
  if (!glyph_) marks_ = -1;
  need_ = 0;
  seq_len_ = 0;
}

bool WidthFilter::filter(std::string_view in, std::string& out) {
  out_ = &out;
  dirty_ = false;
  copied_ = 0;
  seq_here_ = false;
  const size_t n = in.size();
  for (size_t i = 0; i < n;) {
    auto c = static_cast<unsigned char>(in[i]);
    if (st_ == St::Ground) {
      if (need_ > 0) {
        if (c >= lo_ && c <= hi_) {
          seq_[seq_len_++] = char(c);
          cp_ = (cp_ << 6) | (c & 0x3F);
          lo_ = 0x80;
          hi_ = 0xBF;
          ++i;
          if (--need_ == 0) finish(cp_, in, i);
          continue;
        }
        // Cut short: dropped; c is looked at afresh.
        replace_seq(in, i, kDropped);
        join_ = glyph_ = false;
        marks_ = -1;
        need_ = 0;
        seq_len_ = 0;
        continue;
      }
      if (c < 0x80) {
        // Printable ASCII and controls: only ESC changes the state.
        join_ = false;
        ++i;
        if (c == 0x1b) {
          glyph_ = false;
          marks_ = -1;
          st_ = St::Esc;
          continue;
        }
        i = ascii_end(in.data(), i, n);
        // What a mark after the run joins: its last byte, if printable.
        auto last = static_cast<unsigned char>(in[i - 1]);
        glyph_ = last >= 0x20 && last < 0x7f;
        marks_ = glyph_ ? 0 : -1;
        continue;
      }
      // A lead byte (Unicode's table of well-formed sequences).
      seq_here_ = true;
      seq_at_ = i;
      seq_len_ = 1;
      seq_[0] = char(c);
      lo_ = 0x80;
      hi_ = 0xBF;
      if (c >= 0xC2 && c <= 0xDF) {
        need_ = 1;
        cp_ = c & 0x1F;
      } else if (c >= 0xE0 && c <= 0xEF) {
        need_ = 2;
        cp_ = c & 0x0F;
        if (c == 0xE0) lo_ = 0xA0;
        if (c == 0xED) hi_ = 0x9F;
      } else if (c >= 0xF0 && c <= 0xF4) {
        need_ = 3;
        cp_ = c & 0x07;
        if (c == 0xF0) lo_ = 0x90;
        if (c == 0xF4) hi_ = 0x8F;
      } else {
        replace_seq(in, i + 1, kDropped);  // not a lead byte
        seq_len_ = 0;
        join_ = glyph_ = false;
        marks_ = -1;
      }
      ++i;
      continue;
    }
    ++i;
    // (join_, glyph_ and marks_ were cleared at the ESC.)
    if (st_ == St::CsiArgs) {
      // Parameter bytes, the bulk of a sequence: skipped in a row.
      auto param = [](unsigned char b) { return (b >= '0' && b <= '9') || b == ';' || b == ':'; };
      if (param(c)) {
        while (i < n && param(static_cast<unsigned char>(in[i]))) ++i;
        continue;
      }
    }
    const bool in_string = st_ == St::String || st_ == St::StringEsc;
    if (c == 0x00 || c == 0x7f || (in_string && c < 0x20 && c != 0x1b && c != 0x18 && c != 0x1a && c != 0x07)) {
      // Guard 15: inside an OSC/DCS string libvterm 0.1.4 ends the string's
      // fragment at each NUL, DEL and C0 control (it runs the control), and
      // an ESC \ with such a byte between ESC and \ then hands the string
      // a length of -1 (its string buffer is then filled from past the
      // input). They are dropped inside a string, as tmux ignores them
      // there; NUL and DEL are ignored everywhere anyway.
      if (in_string) {
        flush_to(in, i - 1);
        copied_ = i;
      }
      continue;
    }
    if (c == 0x18 || c == 0x1a) {          // CAN, SUB abort a sequence
      st_ = St::Ground;
      continue;
    }
    if (c == 0x1b) {
      st_ = st_ == St::String ? St::StringEsc : St::Esc;
      continue;
    }
    if (c == 0x07 && st_ == St::String) {
      st_ = St::Ground;
      continue;
    }
    if (c < 0x20) continue;
    switch (st_) {
      case St::StringEsc:
        if (c == '\\') {
          st_ = St::Ground;
          break;
        }
        st_ = St::Esc;
        [[fallthrough]];
      case St::Esc:
      case St::EscInter:
        if (c == '[') st_ = St::CsiLeader;
        else if (c == ']' || c == 'P') st_ = St::String;
        else if (c >= 0x20 && c <= 0x2f) st_ = St::EscInter;
        else if (c < 0x80) st_ = St::Ground;  // (bytes >= 0x80 are ignored here)
        break;
      case St::CsiLeader:
        if (c >= 0x3c && c <= 0x3f) break;
        st_ = St::CsiArgs;
        [[fallthrough]];
      case St::CsiArgs:
        if ((c >= '0' && c <= '9') || c == ';' || c == ':') break;
        st_ = St::CsiInter;
        [[fallthrough]];
      case St::CsiInter:
        if (!(c >= 0x20 && c <= 0x2f)) st_ = St::Ground;  // final byte, or an invalid CSI ends
        break;
      case St::String:
      case St::Ground:
        break;
    }
  }
  if (need_ > 0 && seq_here_) {
    // Incomplete at the end: hold it back (copied into seq_ already).
    flush_to(in, seq_at_);
    copied_ = n;
  } else if (need_ > 0 && dirty_) {
    copied_ = n;
  } else if (need_ > 0) {
    // Every byte of this call continued a sequence held from before.
    flush_to(in, 0);
    copied_ = n;
  }
  if (dirty_) flush_to(in, n);
  out_ = nullptr;
  return dirty_;
}

}  // namespace amux::render
