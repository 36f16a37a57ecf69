// state_history.h — the last state changes of a session and why each
// happened (`amux explain`).
//
// Why: a person who sees "blocked" wants to know what decided it — a hook,
// an OSC notification, a screen pattern (and the line it matched), the tty
// probe (and what the process was reading), output activity or the exit
// status — and how the session got there. The host adds one entry per
// change, keeps the last kKeep, and writes them with the record so they
// outlive the host.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include <nlohmann/json.hpp>

#include "mux/store/session_record.h"

namespace amux::mux {

struct StateTransition {
  SessionState state = SessionState::Starting;
  std::string waiting_for;
  std::string source;    // "notify", "notification", "screen", "probe", "output", "exit", "start"
  std::string evidence;  // one line: what that source saw
  int64_t at = 0;        // ms since the epoch
  nlohmann::json to_json() const;
};

class StateHistory {
 public:
  static constexpr size_t kKeep = 10;

  void add(StateTransition t);
  const std::deque<StateTransition>& entries() const { return entries_; }
  // The entries as a JSON array, oldest first.
  nlohmann::json to_json() const;
  // From a record's "transitions" (entries that do not parse are skipped,
  // only the last kKeep kept).
  static StateHistory from_json(const nlohmann::json& j);

 private:
  std::deque<StateTransition> entries_;
};

}  // namespace amux::mux
