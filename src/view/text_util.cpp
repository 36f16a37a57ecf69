// text_util.cpp — see text_util.h.
#include "view/text_util.h"

#include <cwchar>
#include <cstdlib>

#include "render/utf8.h"

namespace amux::view {

bool printable(char32_t cp) {
  if (cp < 0x20 || cp == 0x7f) return false;
  if (cp >= 0x80 && cp < 0xa0) return false;                 // C1
  if (cp >= 0x202a && cp <= 0x202e) return false;            // bidi embeddings/overrides
  if (cp >= 0x2066 && cp <= 0x2069) return false;            // bidi isolates
  if (cp == 0x200e || cp == 0x200f || cp == 0x061c) return false;  // direction marks
  if (cp >= 0xd800 && cp <= 0xdfff) return false;
  return cp <= 0x10ffff;
}

std::string sanitize(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    char32_t cp = render::utf8::decode(s, i);
    if (cp == '\t' || cp == '\n' || cp == '\r') cp = ' ';
    if (!printable(cp)) continue;
    render::utf8::append(out, cp);
  }
  return out;
}

int char_width(char32_t cp) {
  if (cp < 0x80) return cp >= 0x20 && cp != 0x7f ? 1 : 0;
  int w = wcwidth(wchar_t(cp));
  if (w < 0) return printable(cp) ? 1 : 0;
  return w;
}

int display_width(std::string_view s) {
  int w = 0;
  size_t i = 0;
  while (i < s.size()) w += char_width(render::utf8::decode(s, i));
  return w;
}

std::string fit(std::string_view s, int width, bool ellipsis) {
  if (width <= 0) return "";
  if (display_width(s) <= width) return std::string(s);
  int limit = ellipsis ? width - 1 : width;
  std::string out;
  int w = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    char32_t cp = render::utf8::decode(s, i);
    int cw = char_width(cp);
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

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

std::string short_age(int64_t ms) {
  int64_t s = ms < 0 ? 0 : ms / 1000;
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m";
  if (s < 86400) return std::to_string(s / 3600) + "h";
  return std::to_string(s / 86400) + "d";
}

std::string tilde_path(const std::string& path) {
  const char* home = getenv("HOME");
  if (!home || !*home || std::string_view(home) == "/") return path;
  std::string h = home;
  if (path == h) return "~";
  if (path.rfind(h + "/", 0) == 0) return "~" + path.substr(h.size());
  return path;
}

}  // namespace amux::view
