// session_record.h — one session's record, jobs/<id>/state.json.
//
// Why: the record is what survives every process: the host writes its live
// fields (state, pid, detail, exit), the supervisor its roster fields (name,
// pin); any client reads it to list sessions without asking anyone. Fields
// this version does not know are kept on rewrite, so an older and a newer
// amux can share a config dir. Keys are camelCase (like Claude Code's).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mux/store/paths.h"

namespace amux::mux {

// States of docs/architecture.md §6, plus "starting" before the program runs.
enum class SessionState { Starting, Working, Blocked, Idle, Done, Failed, Stopped };
const char* state_name(SessionState s);            // "working", ...
const char* state_label(SessionState s);           // "Working", "Needs input", ...
std::optional<SessionState> parse_state(std::string_view s);
bool state_is_live(SessionState s);                // starting/working/blocked/idle

struct SessionRecord {
  std::string id;                 // 8 hex digits
  std::string name;
  std::string name_source = "auto";  // "auto" | "user"
  std::string kind = "shell";     // "shell" (--exec) | "agent"
  std::string agent = "shell";    // profile name
  std::string prompt;             // agent prompt or shell command text
  std::vector<std::string> argv;          // what runs
  std::vector<std::string> resume_argv;   // what runs on restart (empty: argv)
  std::vector<std::string> start_argv;    // the first argv, for a restart with nothing to resume
  std::vector<std::string> resume_if;     // glob patterns; none exists: restart with start_argv
  std::string cwd;
  std::vector<std::string> env;   // "K=V" overrides for the child
  std::string session_uuid;       // {session_uuid} for agent profiles
  std::string worktree;           // path when amux made one
  std::string worktree_base;      // the commit the worktree started from (`amux diff`)

  SessionState state = SessionState::Starting;
  std::string detail;
  std::string waiting_for;

  int pid = 0;                    // child pid while alive
  int host_pid = 0;
  uint64_t host_start_time = 0;   // /proc/<pid>/stat starttime, to detect pid reuse
  std::string socket;             // host socket path
  int rows = 50, cols = 200;

  int64_t created_at = 0;         // ms since epoch
  int64_t updated_at = 0;
  int64_t started_at = 0;
  int64_t finished_at = 0;
  std::optional<int> exit_code;
  std::optional<int> signal;
  bool had_work = false;          // got any input or output (for reaping empty rows)
  // The last state changes, oldest first, each {state, source, evidence,
  // at, waitingFor?} (state_history.h keeps them bounded; `amux explain`).
  nlohmann::json transitions = nlohmann::json::array();
  int attached = 0;               // clients attached now (the host's count)

  nlohmann::json extra = nlohmann::json::object();  // unknown fields, kept

  nlohmann::json to_json() const;
  static SessionRecord from_json(const nlohmann::json& j);  // throws on wrong types
};

// Load jobs/<id>/state.json; nullopt when missing or unreadable (error set).
std::optional<SessionRecord> load_record(const Paths& p, const std::string& id,
                                         std::string* error = nullptr);
// Atomic write; 0 or -errno.
int save_record(const Paths& p, SessionRecord& rec);  // sets updated_at
// All records under jobs/, sorted by created_at.
std::vector<SessionRecord> load_all_records(const Paths& p);

int64_t now_ms();

}  // namespace amux::mux
