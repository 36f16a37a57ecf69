// key_input.h — terminal input for the agent view: raw bytes split into
// keys, text, mouse reports and pastes, and keys matched to the view's
// bindings (keymap.toml context [view]).
//
// Why: the view reads its terminal raw (not through ncurses' key decoding)
// so every binding is a key name from keymap.toml, including keys ncurses
// does not know (CSI u forms, Shift+Enter as modifyOtherKeys sends it). A
// lone ESC is ambiguous until a short pause shows no sequence follows; the
// owner calls flush() after that pause.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "keymap/chord.h"
#include "keymap/keymap_table.h"

namespace amux::view {

struct InputEvent {
  enum Kind { Key, Text, Mouse, Paste } kind = Key;
  std::string bytes;  // Key: the raw sequence
  std::string text;   // Text: one printable character (UTF-8); Paste: the pasted text
  // Mouse (SGR 1006): button 0 left, 1 middle, 2 right, 64/65 wheel up/down;
  // x, y are 0-based cells.
  int button = 0, x = 0, y = 0;
  bool press = true;
};

class InputDecoder {
 public:
  // Decode what is complete; an unfinished sequence waits for more bytes.
  std::vector<InputEvent> feed(std::string_view bytes);
  // Give up waiting: whatever is pending becomes keys (a lone ESC → Escape).
  std::vector<InputEvent> flush();
  bool pending() const { return !buf_.empty(); }

 private:
  std::string buf_;
  bool in_paste_ = false;
  std::string paste_;
};

// Bindings of one keymap context matched on decoded key events. The
// matching is keymap::ChordMatcher's, the one attach uses; the decoder has
// already waited out the escape time, so every event is a whole key.
class ActionMap {
 public:
  // Throws std::invalid_argument on a key name key_bytes() does not know.
  ActionMap(const keymap::KeymapTable& table, const std::string& context);
  // Actions bound to this key event, in table order. For a chord's first key
  // it returns {} and remembers the prefix; the next key completes it (or
  // ends the chord with no action).
  std::vector<std::string> actions(const InputEvent& ev);
  bool waiting_chord() const { return matcher_.pending(); }
  // Key labels of an action for hints ("ctrl+t"); the first one or "".
  std::string label(const std::string& action) const;
  std::vector<std::string> labels(const std::string& action) const;

 private:
  keymap::ChordMatcher matcher_;
  std::map<std::string, std::vector<std::string>> keys_;  // action → key names
};

}  // namespace amux::view
