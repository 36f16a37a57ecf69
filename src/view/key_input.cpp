// key_input.cpp — see key_input.h.
#include "view/key_input.h"

#include <sstream>
#include <stdexcept>

#include "keymap/key_names.h"
#include "render/utf8.h"

namespace amux::view {
namespace {

bool csi_final(unsigned char c) { return c >= 0x40 && c <= 0x7e; }

// Length of a complete CSI sequence starting at s[0] == ESC, s[1] == '[';
// 0 when incomplete, npos-like (size_t)-1 when malformed (then 2 bytes are dropped).
size_t csi_length(std::string_view s) {
  for (size_t i = 2; i < s.size(); i++) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (csi_final(c)) return i + 1;
    if (c < 0x20 || c > 0x3f) {
      if (c >= 0x20 && c <= 0x2f) continue;  // intermediates
      return size_t(-1);
    }
    if (i > 64) return size_t(-1);
  }
  return 0;
}

bool parse_sgr_mouse(std::string_view seq, InputEvent& ev) {
  // ESC [ < b ; x ; y (M|m)
  if (seq.size() < 6 || seq[2] != '<') return false;
  int v[3] = {0, 0, 0};
  int k = 0;
  for (size_t i = 3; i + 1 < seq.size(); i++) {
    char c = seq[i];
    if (c == ';') {
      if (++k > 2) return false;
    } else if (c >= '0' && c <= '9') {
      v[k] = v[k] * 10 + (c - '0');
      if (v[k] > 100000) return false;
    } else {
      return false;
    }
  }
  if (k != 2) return false;
  ev.kind = InputEvent::Mouse;
  ev.button = v[0];
  ev.x = v[1] - 1;
  ev.y = v[2] - 1;
  ev.press = seq.back() == 'M';
  return true;
}

}  // namespace

std::vector<InputEvent> InputDecoder::feed(std::string_view bytes) {
  buf_.append(bytes);
  std::vector<InputEvent> out;
  size_t i = 0;
  auto key = [&](size_t len) {
    InputEvent ev;
    ev.kind = InputEvent::Key;
    ev.bytes = buf_.substr(i, len);
    out.push_back(std::move(ev));
    i += len;
  };
  while (i < buf_.size()) {
    std::string_view rest = std::string_view(buf_).substr(i);
    if (in_paste_) {
      size_t end = rest.find("\x1b[201~");
      if (end == std::string_view::npos) {
        // Keep a possible partial end marker.
        size_t keep = std::min<size_t>(rest.size(), 5);
        paste_.append(rest.substr(0, rest.size() - keep));
        i += rest.size() - keep;
        if (keep == rest.size()) break;
        continue;
      }
      paste_.append(rest.substr(0, end));
      InputEvent ev;
      ev.kind = InputEvent::Paste;
      ev.text = std::move(paste_);
      paste_.clear();
      out.push_back(std::move(ev));
      in_paste_ = false;
      i += end + 6;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(rest[0]);
    if (c == 0x1b) {
      if (rest.size() == 1) break;  // wait: lone ESC or start of a sequence
      char n = rest[1];
      if (n == '[') {
        size_t len = csi_length(rest);
        if (len == 0) break;
        if (len == size_t(-1)) { i += 2; continue; }
        std::string_view seq = rest.substr(0, len);
        if (seq == "\x1b[200~") {
          in_paste_ = true;
          i += len;
          continue;
        }
        InputEvent ev;
        if (parse_sgr_mouse(seq, ev)) {
          out.push_back(ev);
          i += len;
          continue;
        }
        key(len);
        continue;
      }
      if (n == 'O') {
        if (rest.size() < 3) break;
        key(3);
        continue;
      }
      if (n == '\x1b') {  // ESC ESC …: the first is a key of its own
        key(1);
        continue;
      }
      // Alt + one key (a UTF-8 character or a control byte).
      size_t clen = render::utf8::sequence_length(static_cast<unsigned char>(n));
      if (rest.size() < 1 + clen) break;
      key(1 + clen);
      continue;
    }
    if (c < 0x20 || c == 0x7f) {
      key(1);
      continue;
    }
    size_t clen = render::utf8::sequence_length(c);
    if (rest.size() < clen) break;
    size_t pos = 0;
    std::string_view ch = rest.substr(0, clen);
    char32_t cp = render::utf8::decode(ch, pos);
    InputEvent ev;
    ev.kind = InputEvent::Text;
    ev.bytes = std::string(rest.substr(0, pos));
    render::utf8::append(ev.text, cp);
    out.push_back(std::move(ev));
    i += pos;
  }
  buf_.erase(0, i);
  return out;
}

std::vector<InputEvent> InputDecoder::flush() {
  std::vector<InputEvent> out;
  if (in_paste_) return out;  // a paste waits for its end marker
  while (!buf_.empty()) {
    // The first byte (a lone ESC, or the start of a sequence that never
    // finished) becomes a key of its own; the rest is decoded again.
    InputEvent ev;
    ev.kind = InputEvent::Key;
    ev.bytes = buf_.substr(0, 1);
    std::string rest = buf_.substr(1);
    buf_.clear();
    out.push_back(std::move(ev));
    auto more = feed(rest);
    out.insert(out.end(), more.begin(), more.end());
  }
  return out;
}

ActionMap::ActionMap(const keymap::KeymapTable& table, const std::string& context) {
  for (const auto& b : table.bindings(context)) {
    std::istringstream in(b.keys);
    std::vector<std::string> names;
    std::string k;
    while (in >> k) names.push_back(k);
    if (names.empty()) continue;
    keys_[b.action].push_back(b.keys);
    auto first = keymap::key_bytes(names[0]);
    if (first.empty()) throw std::invalid_argument("unknown key '" + names[0] + "' for " + b.action);
    if (names.size() == 1) {
      for (auto& f : first) single_[f].push_back(b.action);
      continue;
    }
    auto second = keymap::key_bytes(names[1]);
    if (second.empty()) throw std::invalid_argument("unknown key '" + names[1] + "' for " + b.action);
    for (auto& f : first)
      for (auto& s : second) chords_[f][s].push_back(b.action);
  }
}

std::vector<std::string> ActionMap::actions(const InputEvent& ev) {
  if (ev.kind == InputEvent::Mouse || ev.kind == InputEvent::Paste) {
    prefix_.clear();
    return {};
  }
  if (!prefix_.empty()) {
    auto it = chords_.find(prefix_);
    prefix_.clear();
    if (it != chords_.end()) {
      auto s = it->second.find(ev.bytes);
      if (s != it->second.end()) return s->second;
    }
    return {};
  }
  if (chords_.count(ev.bytes)) {
    prefix_ = ev.bytes;
    return {};
  }
  auto it = single_.find(ev.bytes);
  return it == single_.end() ? std::vector<std::string>{} : it->second;
}

bool ActionMap::has(const InputEvent& ev, const std::string& action) const {
  auto it = single_.find(ev.bytes);
  if (it == single_.end()) return false;
  for (auto& a : it->second)
    if (a == action) return true;
  return false;
}

std::vector<std::string> ActionMap::labels(const std::string& action) const {
  std::vector<std::string> out;
  auto it = keys_.find(action);
  if (it == keys_.end()) return out;
  for (auto& k : it->second) {
    std::istringstream in(k);
    std::string name, label;
    while (in >> name) label += (label.empty() ? "" : " ") + keymap::key_label(name);
    out.push_back(label);
  }
  return out;
}

std::string ActionMap::label(const std::string& action) const {
  auto l = labels(action);
  return l.empty() ? "" : l[0];
}

}  // namespace amux::view
