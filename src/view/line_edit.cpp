// line_edit.cpp — see line_edit.h.
#include "view/line_edit.h"

#include "keymap/key_names.h"
#include "render/utf8.h"
#include "view/text_util.h"

namespace amux::view {
namespace {

std::u32string decode_all(std::string_view s) {
  std::u32string out;
  size_t i = 0;
  while (i < s.size()) out.push_back(render::utf8::decode(s, i));
  return out;
}

std::string encode(std::u32string_view s) {
  std::string out;
  for (char32_t c : s) render::utf8::append(out, c);
  return out;
}

bool is_key(std::string_view bytes, const char* name) {
  for (auto& b : keymap::key_bytes(name))
    if (b == bytes) return true;
  return false;
}

}  // namespace

void LineEdit::set(std::string_view utf8) {
  s_.clear();
  caret_ = 0;
  insert(utf8);
}

std::string LineEdit::text() const { return encode(s_); }

std::string LineEdit::before_caret() const { return encode(std::u32string_view(s_).substr(0, caret_)); }

void LineEdit::insert(std::string_view utf8) {
  std::u32string add;
  for (char32_t c : decode_all(utf8)) {
    if (c == '\r') c = '\n';
    if (c == '\t') c = ' ';
    if (c != '\n' && !printable(c)) continue;
    add.push_back(c);
  }
  s_.insert(caret_, add);
  caret_ += add.size();
}

bool LineEdit::backspace() {
  if (caret_ == 0) return false;
  s_.erase(--caret_, 1);
  return true;
}

bool LineEdit::del() {
  if (caret_ >= s_.size()) return false;
  s_.erase(caret_, 1);
  return true;
}

bool LineEdit::left() {
  if (caret_ == 0) return false;
  caret_--;
  return true;
}

bool LineEdit::right() {
  if (caret_ >= s_.size()) return false;
  caret_++;
  return true;
}

void LineEdit::home() { caret_ = 0; }
void LineEdit::end() { caret_ = s_.size(); }

void LineEdit::kill_to_start() {
  s_.erase(0, caret_);
  caret_ = 0;
}

void LineEdit::kill_to_end() { s_.erase(caret_); }

void LineEdit::kill_word() {
  size_t e = caret_;
  while (caret_ > 0 && s_[caret_ - 1] == ' ') caret_--;
  while (caret_ > 0 && s_[caret_ - 1] != ' ' && s_[caret_ - 1] != '\n') caret_--;
  s_.erase(caret_, e - caret_);
}

bool LineEdit::edit_key(std::string_view b) {
  if (is_key(b, "BSpace")) { backspace(); return true; }
  if (is_key(b, "Delete")) { del(); return true; }
  if (is_key(b, "Left")) { left(); return true; }
  if (is_key(b, "Right")) { right(); return true; }
  if (is_key(b, "Home") || b == "\x01") { home(); return true; }
  if (is_key(b, "End") || b == "\x05") { end(); return true; }
  if (b == "\x15") { kill_to_start(); return true; }
  if (b == "\x17") { kill_word(); return true; }
  if (b == "\x0b") { kill_to_end(); return true; }
  return false;
}

}  // namespace amux::view
