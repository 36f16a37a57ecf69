// safe_text.cpp — see safe_text.h.
#include "render/safe_text.h"

#include <utf8proc.h>

#include <cstdio>

#include "render/utf8.h"

namespace amux::render {

bool printable(char32_t cp) {
  if (cp < 0x20 || cp == 0x7f) return false;
  if (cp >= 0x80 && cp < 0xa0) return false;                       // C1
  if (cp >= 0x202a && cp <= 0x202e) return false;                  // bidi embeddings/overrides
  if (cp >= 0x2066 && cp <= 0x2069) return false;                  // bidi isolates
  if (cp == 0x200e || cp == 0x200f || cp == 0x061c) return false;  // direction marks
  if (cp == 0x2028 || cp == 0x2029) return false;                  // line/paragraph separators
  if (cp >= 0xd800 && cp <= 0xdfff) return false;
  return cp <= 0x10ffff;
}

namespace {

std::string clean(std::string_view s, bool keep_newlines) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    char32_t cp = utf8::decode(s, i);
    if (cp == '\n' && keep_newlines) {
      out.push_back('\n');
      continue;
    }
    if (cp == '\t' || cp == '\n' || cp == '\r') cp = ' ';
    if (!printable(cp)) continue;
    utf8::append(out, cp);
  }
  return out;
}

}  // namespace

std::string sanitize(std::string_view s) { return clean(s, false); }

std::string sanitize_lines(std::string_view s) { return clean(s, true); }

std::string json_safe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    char32_t cp = utf8::decode(s, i);
    // Structural characters and escaped controls are ASCII and printable or
    // whitespace; only raw code points inside strings get here unprintable.
    if (cp >= 0x20 && !printable(cp) && !(cp == utf8::kReplacement && i - start == 1)) {
      // JSON escapes a code point past the BMP as a surrogate pair.
      auto escape = [&out](unsigned u) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", u & 0xffffu);
        out += buf;
      };
      if (cp > 0xffff) {
        escape(0xd800 + ((unsigned(cp) - 0x10000) >> 10));
        escape(0xdc00 + ((unsigned(cp) - 0x10000) & 0x3ff));
      } else {
        escape(unsigned(cp));
      }
      continue;
    }
    out.append(s.substr(start, i - start));
  }
  return out;
}

int terminal_width(char32_t cp) {
  if (cp > 0x10FFFF) return 1;
  // Hangul medial vowels and final consonants (conjoining jamo) join the
  // syllable before them: no cell of their own, as in glibc and tmux.
  auto bound = utf8proc_get_property(utf8proc_int32_t(cp))->boundclass;
  if (bound == UTF8PROC_BOUNDCLASS_V || bound == UTF8PROC_BOUNDCLASS_T) return 0;
  int w = utf8proc_charwidth(utf8proc_int32_t(cp));
  return w < 0 ? 0 : w > 2 ? 2 : w;
}

int char_width(char32_t cp) {
  if (!printable(cp)) return 0;
  return terminal_width(cp);
}

int display_width(std::string_view s) {
  int w = 0;
  size_t i = 0;
  while (i < s.size()) w += char_width(utf8::decode(s, i));
  return w;
}

std::string fit(std::string_view s, int width, bool ellipsis) {
  if (width <= 0) return "";
  if (display_width(s) <= width) return std::string(s);
  const int limit = ellipsis ? width - 1 : width;
  std::string out;
  int w = 0;
  size_t i = 0;
  utf8proc_int32_t state = 0;  // carried across clusters (emoji sequences, flag pairs)
  while (i < s.size()) {
    // One grapheme cluster: a code point and all that follow it without a break.
    size_t start = i;
    char32_t prev = utf8::decode(s, i);
    int cw = char_width(prev);
    while (i < s.size()) {
      size_t j = i;
      char32_t next = utf8::decode(s, j);
      if (utf8proc_grapheme_break_stateful(utf8proc_int32_t(prev), utf8proc_int32_t(next), &state)) break;
      cw += char_width(next);
      prev = next;
      i = j;
    }
    if (w + cw > limit) break;
    out.append(s.substr(start, i - start));
    w += cw;
  }
  if (ellipsis) out += "…";
  return out;
}

std::string fit_pad(std::string_view s, int width, bool ellipsis) {
  std::string out = fit(s, width, ellipsis);
  int w = display_width(out);
  if (w < width) out.append(size_t(width - w), ' ');
  return out;
}

}  // namespace amux::render
