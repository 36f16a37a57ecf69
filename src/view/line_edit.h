// line_edit.h — an editable line of text with a caret (the prompt box, the
// find box, rename and the peek reply line).
//
// Why: four places in the view take typed text; one small editor gives them
// the same keys (←/→, Home/End, Backspace, Delete, C-a, C-e, C-u, C-w, C-k)
// and keeps caret math in code points so UTF-8 is never cut in half.
#pragma once

#include <string>
#include <string_view>

namespace amux::view {

class LineEdit {
 public:
  void set(std::string_view utf8);          // caret to the end
  std::string text() const;
  bool empty() const { return s_.empty(); }
  size_t caret() const { return caret_; }   // in code points
  const std::u32string& chars() const { return s_; }

  void insert(std::string_view utf8);       // control characters except '\n' are dropped
  bool backspace();
  bool del();
  bool left();
  bool right();
  void home();
  void end();
  void clear() { s_.clear(); caret_ = 0; }
  void kill_to_start();
  void kill_to_end();
  void kill_word();

  // Editing keys by raw bytes (←, →, Home, End, Backspace, Delete, C-a, C-e,
  // C-u, C-w, C-k). Returns true when the key was an editing key.
  bool edit_key(std::string_view bytes);

  // The text before the caret (for placing the terminal cursor).
  std::string before_caret() const;

 private:
  std::u32string s_;
  size_t caret_ = 0;
};

}  // namespace amux::view
