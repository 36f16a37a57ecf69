// tile_image.cpp — see tile_image.h.
#include "view/tile_image.h"

#include <algorithm>
#include <vector>

#include "mux/sys/json_num.h"
#include "view/text_util.h"

namespace amux::view {

TileEvent read_tile_event(const nlohmann::json& j) {
  TileEvent e;
  if (!j.is_object()) return e;
  auto str = [&](const char* k) {
    auto it = j.find(k);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  e.text = str("text");
  e.title = str("title");
  auto c = j.find("cursor");
  if (c != j.end() && c->is_array() && c->size() == 2 && (*c)[0].is_number() && (*c)[1].is_number()) {
    e.cursor_row = mux::json_int<int>((*c)[0], -1, 1 << 20);
    e.cursor_col = mux::json_int<int>((*c)[1], -1, 1 << 20);
  }
  return e;
}
namespace {

// Display width of a line with its escape sequences left out.
int visible_width(std::string_view line) {
  std::string plain;
  for (size_t i = 0; i < line.size(); i++) {
    if (line[i] == '\x1b') {
      // Skip CSI … final, or ESC + one byte.
      if (i + 1 < line.size() && line[i + 1] == '[') {
        i += 2;
        while (i < line.size() && !(line[i] >= 0x40 && line[i] <= 0x7e)) i++;
      } else {
        i++;
      }
      continue;
    }
    plain.push_back(line[i]);
  }
  return display_width(plain);
}

// The text with only SGR sequences kept: any other escape sequence (title,
// mode switches, clipboard writes, cursor moves) and any C0 control but
// newline and tab is dropped before the text reaches libvterm.
std::string sgr_only(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    if (c == 0x1b) {
      if (i + 1 >= in.size()) break;
      char n = in[i + 1];
      if (n == '[') {
        size_t j = i + 2;
        while (j < in.size() && !(in[j] >= 0x40 && in[j] <= 0x7e)) j++;
        if (j >= in.size()) break;
        bool sgr = in[j] == 'm';
        for (size_t k = i + 2; k < j && sgr; k++)
          if (!((in[k] >= '0' && in[k] <= '9') || in[k] == ';' || in[k] == ':')) sgr = false;
        if (sgr) out.append(in.substr(i, j + 1 - i));
        i = j + 1;
        continue;
      }
      if (n == ']' || n == 'P' || n == 'X' || n == '^' || n == '_') {
        size_t j = i + 2;
        while (j < in.size() && in[j] != '\x07' && !(in[j] == '\x1b' && j + 1 < in.size() && in[j + 1] == '\\')) j++;
        i = j >= in.size() ? j : in[j] == '\x07' ? j + 1 : j + 2;
        continue;
      }
      i += 2;
      continue;
    }
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
      i++;
      continue;
    }
    out.push_back(char(c));
    i++;
  }
  return out;
}

}  // namespace

bool TileImage::set(const std::string& text, int cursor_row, int cursor_col, const std::string& title) {
  std::string t = sanitize(title);
  if (screen_ && text == text_ && cursor_row == cursor_row_ && cursor_col == cursor_col_ && t == title_)
    return false;
  std::string clean = sgr_only(text);
  std::vector<std::string_view> lines;
  std::string_view all(clean);
  while (!all.empty()) {
    size_t nl = all.find('\n');
    lines.push_back(all.substr(0, nl));
    if (nl == std::string_view::npos) break;
    all.remove_prefix(nl + 1);
  }
  int rows = std::max<int>(1, int(lines.size()));
  if (cursor_row >= rows) rows = cursor_row + 1;
  int cols = 1;
  for (auto l : lines) cols = std::max(cols, visible_width(l));
  cols = std::min(cols + 1, 1000);
  rows = std::min(rows, 1000);
  if (!screen_ || screen_->rows() != rows || screen_->cols() != cols) {
    screen_ = std::make_unique<render::Screen>(render::Screen::Options{rows, cols, 0});
    screen_->on_output = [](std::string_view) {};
  }
  std::string feed = "\x1b[0m\x1b[H\x1b[2J\x1b[?7l";
  last_text_row_ = -1;
  for (size_t r = 0; r < lines.size() && int(r) < rows; r++) {
    feed += "\x1b[" + std::to_string(r + 1) + ";1H\x1b[0m";
    feed.append(lines[r]);
    if (lines[r].find_first_not_of(' ') != std::string_view::npos) last_text_row_ = int(r);
  }
  screen_->feed(feed);
  text_ = text;
  lines_ = int(lines.size());
  cursor_row_ = cursor_row;
  cursor_col_ = cursor_col;
  title_ = t;
  version_++;
  return true;
}

void TileImage::window(int h, int w, int* top, int* left) const {
  *top = 0;
  *left = 0;
  if (!screen_) return;
  int anchor = cursor_row_ >= 0 ? std::max(cursor_row_, last_text_row_) : last_text_row_;
  if (cursor_row_ >= 0 && last_text_row_ > cursor_row_ + h - 1) anchor = cursor_row_ + h - 1;
  if (anchor >= h) *top = anchor - h + 1;
  if (cursor_col_ >= w) *left = cursor_col_ - w + 1;
}

}  // namespace amux::view
