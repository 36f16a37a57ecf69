// state_tracker.h — decides a live session's state from every source the
// host sees (docs/architecture.md §6), strongest first.
//
// Why: a row must tell the truth about whether its program works, waits on a
// person or has finished a turn, and no single source can: `amux notify`
// (and the Claude Code hooks that call it) is exact but optional; OSC 9/99/777
// notifications and BEL say "look at me"; the kernel knows whether the
// foreground process sleeps reading the terminal; an agent's screen says
// "esc to interrupt" or shows a numbered permission question. This class is
// plain logic with the clock passed in, so every rule is unit-tested without a
// PTY; the host feeds it and asks it what the state is.
//
// Rules, strongest first (exit is handled by the host, it ends tracking):
//  1. An explicit notify holds until the next notify (or input from a
//     person, which ends an idle/blocked notify: the program got its answer).
//  2. An OSC notification or BEL means blocked (waitingFor: its text or
//     "attention") until a person types, or the program prints more while not
//     reading the terminal (it moved on).
//  3. The tty probe: not reading → working, even when silent or when the last
//     line looks like a question. Reading → blocked, unless the profile's
//     screen patterns (held for settle_ms) say working or idle, or output
//     flowed in the last `active_ms` (an event loop that animates while it
//     works also sleeps in poll on the terminal).
//     With count_repaints off (agent sessions), only output that adds to
//     the screen (on_growth: a row painted for the first time, or a scroll)
//     counts as flowing: an animation (spinner, logo) that repaints the same
//     rows under a question the program is waiting on does not.
//  4. Patterns alone when the probe cannot tell (Unknown).
//
// Hold: a change of state that rests only on output activity or the probe
// (source "output" or "probe", before and after) is shown once the new state
// has held for hold_ms, so a TUI that repaints, then sits reading its
// terminal (top), stays in one group. A quiet reader counts as blocked from
// the moment its output stopped. The first state, and every change that
// involves notify, a notification or a screen pattern, or comes within
// hold_ms of a person's input, is shown at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "mux/store/session_record.h"
#include "pty/tty_probe.h"

namespace amux::mux {

struct TrackedState {
  SessionState state = SessionState::Working;
  std::string waiting_for;  // when blocked: "permission", "input", a notification's text
  std::string detail;       // from notify --detail or a notification; "" = host decides
  std::string source;       // "notify", "notification", "probe", "screen", "output" (for logs/tests)
  bool operator==(const TrackedState&) const = default;
};

class StateTracker {
 public:
  struct Options {
    int settle_ms = 500;    // a screen pattern must hold this long
    int active_ms = 1000;   // output this recent counts as working
    int hold_ms = 0;        // see "Hold" above; 0 shows every change at once
    bool count_repaints = true;  // false: only on_growth() output is activity (rule 3)
  };
  StateTracker() = default;
  explicit StateTracker(Options o) : opt_(o) {}

  // Sources. now_ms is any monotonic clock in milliseconds.
  void on_notify(SessionState s, std::string detail, std::string waiting_for, int64_t now_ms);
  void on_notification(std::string text, int64_t now_ms);  // OSC 9/99/777 or BEL ("")
  void on_output(int64_t now_ms);
  // Output at now_ms added to the screen rather than repainting it.
  void on_growth(int64_t now_ms);
  void on_input(int64_t now_ms);  // a person typed or replied
  void on_probe(pty::TtyReadState r, int64_t now_ms);
  // The profile's pattern verdict for the visible screen (nullopt: none).
  void on_screen(std::optional<SessionState> pattern, int64_t now_ms);

  // The state to show now (the hold applied). Call it whenever a source
  // changed and when hold_until() is due.
  TrackedState current(int64_t now_ms);
  // A screen pattern was seen that has not held for settle_ms yet.
  bool settling() const { return pattern_seen_ != pattern_; }
  // When a state being held back would be shown if it still holds then
  // (nullopt: none is held back). Ask current() again at that time.
  std::optional<int64_t> hold_until() const;

 private:
  Options opt_;
  std::optional<TrackedState> notified_;
  std::optional<std::string> attention_;  // pending OSC/BEL text
  bool output_since_attention_ = false;
  int64_t last_output_ = -1'000'000;
  int64_t last_growth_ = -1'000'000;
  pty::TtyReadState probe_ = pty::TtyReadState::Unknown;
  std::optional<SessionState> pattern_;       // the settled pattern state
  std::optional<SessionState> pattern_seen_;  // the latest verdict, maybe not settled
  int64_t pattern_since_ = 0;
  // Hold
  TrackedState decide(int64_t now_ms) const;  // the state without the hold
  std::optional<TrackedState> shown_;
  std::optional<SessionState> held_;  // a state waiting to have held long enough
  int64_t held_since_ = 0;
  int64_t last_input_ = -1'000'000'000;
  int64_t reading_since_ = 0;
};

}  // namespace amux::mux
