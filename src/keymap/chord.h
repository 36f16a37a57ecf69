// chord.h — match key bindings, including two-key chords ("C-b d"), in a
// stream of terminal input bytes.
//
// Why: an attached client passes every byte to the session except its own
// bindings (detach, next/previous session, back to the view). Input arrives
// in arbitrary pieces; a prefix key waits for the next key. Bytes that are no
// binding pass through unchanged and in order. The matcher knows nothing of
// sessions: a binding yields an action name.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace amux::keymap {

struct Binding {
  std::string keys;    // "C-\\" or "C-b d" (space-separated key names)
  std::string action;  // e.g. "detach"
};

class ChordMatcher {
 public:
  // Throws std::invalid_argument naming the bad key.
  explicit ChordMatcher(const std::vector<Binding>& bindings);

  struct Event {
    enum Kind { Passthrough, Action } kind;
    std::string data;  // bytes for Passthrough, action name for Action
  };
  // Feed input; returns events in order. A pending prefix is kept across calls.
  std::vector<Event> feed(std::string_view bytes);
  bool pending() const { return !pending_.empty(); }

 private:
  struct Seq {
    std::vector<std::vector<std::string>> keys;  // per key: alternative byte strings
    std::string action;
  };
  std::vector<Seq> seqs_;
  std::string pending_;  // bytes of an incomplete chord
};

}  // namespace amux::keymap
