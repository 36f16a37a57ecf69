// session_info.h — one row of the agent view, from the supervisor's session
// JSON (mux/wire/session_view.h).
//
// Why: the view works on a small, already-sanitized value, so nothing a
// session wrote (its name, its detail line) can reach the person's terminal
// as an escape sequence, and so the model can be tested without a daemon.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace amux::view {

// The states of docs/architecture.md §6 (+ starting).
// Unreachable: a row of a configured host that cannot be reached now (its
// last known row, kept).
enum class State { Starting, Working, Blocked, Idle, Done, Failed, Stopped, Unreachable };

State parse_state_word(const std::string& s);  // unknown → Working
const char* state_word(State s);               // "Working", "Needs input", "Idle", "Done", …
bool state_live(State s);                      // starting/working/blocked/idle

struct SessionInfo {
  std::string id;          // the row's key: the session id, or HOST:<id> for a remote one
  std::string host;        // "" on this machine, else the configured host's name
  std::string remote_id;   // the id on that host
  std::string name;        // sanitized
  std::string detail;      // sanitized
  std::string cwd;
  std::string agent;
  std::string worktree;
  std::string waiting_for;  // sanitized
  State state = State::Starting;
  bool pinned = false;
  bool alive = false;       // has a live process (pid present)
  int64_t created_at = 0;   // startedAt
  int64_t updated_at = 0;
  int64_t finished_at = 0;
  std::optional<int> exit_code, signal;

  // Throws nlohmann::json::exception on wrong types.
  static SessionInfo from_json(const nlohmann::json& j);
  // Milliseconds shown as the row's age: start → finish, or start → now.
  int64_t age_ms(int64_t now) const;
  bool operator==(const SessionInfo&) const = default;
};

}  // namespace amux::view

namespace amux::view {
// The detail shown in a row: the session's detail line, "exit 3 — …" for a
// failure that does not say so itself, prefixed by the state word when rows
// are grouped by directory (`with_state`).
std::string row_detail(const SessionInfo& s, bool with_state);
}  // namespace amux::view
