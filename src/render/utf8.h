// utf8.h — tiny UTF-8 encode/decode helpers shared by the render layer.
//
// Why: cells hold code points; text dumps, compacted scrollback lines and
// input encoding need UTF-8. Invalid input decodes to U+FFFD, one byte at a
// time, so a decoder never stalls or reads past the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace amux::render::utf8 {

inline constexpr char32_t kReplacement = 0xFFFD;

// Appends the UTF-8 form of `cp` (U+FFFD for surrogates and values > U+10FFFF).
inline void append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(char(cp));
    return;
  }
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = kReplacement;
  char buf[4];
  size_t n;
  if (cp < 0x800) {
    buf[0] = char(0xC0 | (cp >> 6));
    buf[1] = char(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    buf[0] = char(0xE0 | (cp >> 12));
    buf[1] = char(0x80 | ((cp >> 6) & 0x3F));
    buf[2] = char(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    buf[0] = char(0xF0 | (cp >> 18));
    buf[1] = char(0x80 | ((cp >> 12) & 0x3F));
    buf[2] = char(0x80 | ((cp >> 6) & 0x3F));
    buf[3] = char(0x80 | (cp & 0x3F));
    n = 4;
  }
  out.append(buf, n);
}

// Length of the sequence a lead byte announces (1 for ASCII and for bytes
// that cannot start a sequence).
inline size_t sequence_length(unsigned char b) {
  if (b < 0xC2) return 1;
  if (b < 0xE0) return 2;
  if (b < 0xF0) return 3;
  if (b < 0xF5) return 4;
  return 1;
}

// Decodes one code point at s[pos] and advances pos (at least by one byte).
inline char32_t decode(std::string_view s, size_t& pos) {
  auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) {
    ++pos;
    return b0;
  }
  size_t n = sequence_length(b0);
  if (n == 1 || pos + n > s.size()) {
    ++pos;
    return kReplacement;
  }
  char32_t cp = b0 & (0xFF >> (n + 1));
  for (size_t i = 1; i < n; ++i) {
    auto b = static_cast<unsigned char>(s[pos + i]);
    if ((b & 0xC0) != 0x80) {
      ++pos;
      return kReplacement;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  // Overlong forms and surrogates are invalid.
  static constexpr char32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
    ++pos;
    return kReplacement;
  }
  pos += n;
  return cp;
}

// Number of bytes at the end of `s` that start a UTF-8 sequence not yet
// complete (0..3): the bytes to hold back until more input arrives.
inline size_t incomplete_tail(std::string_view s) {
  size_t n = s.size();
  // Look back over at most 3 continuation bytes for a lead byte.
  for (size_t back = 1; back <= 4 && back <= n; ++back) {
    auto b = static_cast<unsigned char>(s[n - back]);
    if ((b & 0xC0) == 0x80) continue;  // continuation byte
    size_t need = sequence_length(b);
    if (need > back) return back;  // lead byte whose sequence is cut short
    return 0;
  }
  return 0;
}

}  // namespace amux::render::utf8
