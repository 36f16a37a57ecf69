// key_input.cpp — see key_input.h.
#include "view/key_input.h"

#include <sstream>

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
  // ESC [ < b ; x ; y (M|m), each number present, x and y from 1.
  if (seq.size() < 9 || seq[2] != '<' || (seq.back() != 'M' && seq.back() != 'm')) return false;
  int v[3] = {0, 0, 0};
  int k = 0;
  bool digits = false;
  for (size_t i = 3; i + 1 < seq.size(); i++) {
    char c = seq[i];
    if (c == ';') {
      if (!digits || ++k > 2) return false;
      digits = false;
    } else if (c >= '0' && c <= '9') {
      v[k] = v[k] * 10 + (c - '0');
      if (v[k] > 100000) return false;
      digits = true;
    } else {
      return false;
    }
  }
  if (k != 2 || !digits || v[1] < 1 || v[2] < 1) return false;
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
  // A paste waits for its end marker, also one that began in what is
  // decoded again below.
  while (!buf_.empty() && !in_paste_) {
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

ActionMap::ActionMap(const keymap::KeymapTable& table, const std::string& context)
    : matcher_(table.bindings(context)) {
  for (const auto& b : table.bindings(context)) keys_[b.action].push_back(b.keys);
}

std::vector<std::string> ActionMap::actions(const InputEvent& ev) {
  if (ev.kind == InputEvent::Mouse || ev.kind == InputEvent::Paste) {
    matcher_.reset();
    return {};
  }
  const bool chord_open = matcher_.pending();
  auto events = matcher_.feed(ev.bytes);
  if (matcher_.expiring()) {  // the decoder delimited the key: nothing more comes for it
    auto rest = matcher_.flush();
    events.insert(events.end(), rest.begin(), rest.end());
  }
  if (matcher_.pending()) {
    // A chord's second key never opens a new chord.
    if (chord_open) matcher_.reset();
    return {};
  }
  // Only a binding that is this whole key (or completes the open chord) counts.
  if (events.size() != 1 || events[0].kind != keymap::ChordMatcher::Event::Action) return {};
  return events[0].actions;
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
