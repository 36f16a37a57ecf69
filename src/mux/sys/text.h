// text.h — trimming and shell quoting, shared by the mux and the view.
//
// Why: a program's output (git's paths), a typed prompt and a command line
// built for a person to paste or for `sh -c` all need the same two small
// operations; one copy here keeps them alike. Header-only.
#pragma once

#include <string>
#include <string_view>

namespace amux::mux {

// s without leading and trailing ASCII whitespace (space, tab, CR, LF).
inline std::string trim(std::string_view s) {
  constexpr std::string_view kBlank = " \t\r\n";
  const size_t b = s.find_first_not_of(kBlank);
  if (b == std::string_view::npos) return "";
  const size_t e = s.find_last_not_of(kBlank);
  return std::string(s.substr(b, e - b + 1));
}

// s as one POSIX shell word: single-quoted, each ' written as '\''.
inline std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

}  // namespace amux::mux
