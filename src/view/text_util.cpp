// text_util.cpp — see text_util.h.
#include "view/text_util.h"

#include <cstdlib>


namespace amux::view {

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
