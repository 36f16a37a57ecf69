// utf8.h — UTF-8 encode/decode helpers, the one decoder amux uses.
//
// Why: cells hold code points; text dumps, compacted scrollback lines and
// input encoding need UTF-8. Invalid input decodes to U+FFFD, one byte at a
// time, so a decoder never stalls or reads past the end. The validation
// itself is utf8proc's (utf8proc_iterate: leads C2..F4, no overlong forms,
// no surrogates, nothing above U+10FFFF); the keymap, which may not include
// render, calls utf8proc_iterate directly, so both read UTF-8 alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <utf8proc.h>

namespace amux::render::utf8 {

inline constexpr char32_t kReplacement = 0xFFFD;

// Writes the UTF-8 form of `cp` (U+FFFD for surrogates and values >
// U+10FFFF) to buf, which has room for 4 bytes; returns the bytes written.
inline size_t encode(char32_t cp, char* buf) {
  if (cp < 0x80) {
    buf[0] = char(cp);
    return 1;
  }
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = kReplacement;
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
  return n;
}

// Appends the UTF-8 form of `cp` (as encode).
inline void append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(char(cp));
    return;
  }
  char buf[4];
  out.append(buf, encode(cp, buf));
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

// A byte that continues a sequence (10xxxxxx), never starts one.
inline bool is_continuation(unsigned char b) { return (b & 0xC0) == 0x80; }

// Decodes one code point at s[pos] and advances pos (at least by one byte).
inline char32_t decode(std::string_view s, size_t& pos) {
  auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) {
    ++pos;
    return b0;
  }
  utf8proc_int32_t cp = -1;
  const utf8proc_ssize_t n =
      utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + pos),
                       utf8proc_ssize_t(s.size() - pos), &cp);
  if (n <= 0) {
    ++pos;
    return kReplacement;
  }
  pos += size_t(n);
  return char32_t(cp);
}

// Number of bytes at the end of `s` that start a UTF-8 sequence not yet
// complete (0..3): the bytes to hold back until more input arrives.
inline size_t incomplete_tail(std::string_view s) {
  size_t n = s.size();
  // Look back over at most 3 continuation bytes for a lead byte.
  for (size_t back = 1; back <= 4 && back <= n; ++back) {
    auto b = static_cast<unsigned char>(s[n - back]);
    if (is_continuation(b)) continue;
    size_t need = sequence_length(b);
    if (need > back) return back;  // lead byte whose sequence is cut short
    return 0;
  }
  return 0;
}

}  // namespace amux::render::utf8
