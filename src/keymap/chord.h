// chord.h — match key bindings, including two-key chords ("C-b d"), in a
// stream of terminal input bytes.
//
// Why: an attached client passes every byte to the session except its own
// bindings (detach, next/previous session, back to the view). Input arrives
// in arbitrary pieces; a prefix key waits for the next key. Bytes that are no
// binding pass through unchanged and in order. The matcher knows nothing of
// sessions: a binding yields an action name.
//
// Waiting has two kinds, as in tmux. A whole prefix key ("C-b" of "C-b d")
// waits for the next key as long as it takes. Bytes that are merely the
// beginning of one key's byte form (a lone ESC, which begins the CSI u form
// of C-\ and every arrow key) are a key of their own unless the rest follows
// at once: the owner asks expiring() after feed() and, when true, calls
// flush() after its escape time (tmux's escape-time) if no byte came.
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
    // Action: every action bound to the matched keys, in binding order
    // (data is the first); one key may serve several actions.
    std::vector<std::string> actions = {};
  };
  // Feed input; returns events in order. A pending prefix is kept across calls.
  std::vector<Event> feed(std::string_view bytes);
  bool pending() const { return !pending_.empty(); }
  // What is pending is only the start of one key's byte form, not a whole
  // prefix key: it must not wait longer than the escape time.
  bool expiring() const { return expiring_; }
  // The escape time is over: pending bytes are matched as they are (a lone
  // ESC passes through as the Escape key). A whole prefix key is left pending.
  std::vector<Event> flush();
  // Forget a pending prefix or partial key.
  void reset() { pending_.clear(); expiring_ = false; }
  // The prefix key, as the program reads it: the first key of the
  // send-prefix chord, else of the first chord bound; "" without chords.
  const std::string& prefix() const { return prefix_; }

 private:
  struct Seq {
    std::vector<std::vector<std::string>> keys;  // per key: alternative byte strings
    std::string action;
  };
  std::vector<Event> run(std::string buf, bool final);
  std::vector<Seq> seqs_;
  std::string pending_;  // bytes of an incomplete chord
  std::string prefix_;
  bool expiring_ = false;
};

}  // namespace amux::keymap
