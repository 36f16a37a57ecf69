// host_text.cpp — text from the screen, as the host's answers need it.
//
// Why: state details, tiles, captures and `logs -f` all turn cells into
// plain one-line or multi-line text and must keep an answer inside one
// frame; these small helpers do it the same way everywhere in the host.
#include "mux/host/host_impl.h"

namespace amux::mux::host_detail {

std::string clean_line(std::string s) {
  std::string out;
  for (unsigned char ch : s)
    if (ch >= 0x20 && ch != 0x7f) out.push_back(char(ch));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  size_t b = out.find_first_not_of(' ');
  return b == std::string::npos ? "" : out.substr(b);
}

std::string fit_text(std::string text) {
  constexpr size_t kMaxText = kMaxFrame - (256u << 10);
  if (text.size() <= kMaxText) return text;
  size_t cut = text.size() - kMaxText;
  size_t nl = text.find('\n', cut);
  return nl == std::string::npos ? text.substr(cut) : text.substr(nl + 1);
}

std::string cells_text(const render::Screen& s, const std::vector<render::Cell>& cells) {
  std::string out;
  for (const auto& c : cells) {
    if (c.ch == render::kWideTail) continue;
    if (c.ch == render::kBlank) {
      out.push_back(' ');
      continue;
    }
    std::string t = s.cell_text(c);
    out += t.empty() ? " " : t;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace amux::mux::host_detail
