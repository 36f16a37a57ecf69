// session_info.cpp — see session_info.h.
#include "view/session_info.h"

#include "mux/sys/json_num.h"
#include "view/text_util.h"

namespace amux::view {

State parse_state_word(const std::string& s) {
  if (s == "starting") return State::Starting;
  if (s == "working") return State::Working;
  if (s == "blocked") return State::Blocked;
  if (s == "idle") return State::Idle;
  if (s == "done") return State::Done;
  if (s == "failed") return State::Failed;
  if (s == "stopped") return State::Stopped;
  if (s == "unreachable") return State::Unreachable;
  return State::Working;
}

const char* state_word(State s) {
  switch (s) {
    case State::Starting: return "Starting";
    case State::Working: return "Working";
    case State::Blocked: return "Needs input";
    case State::Idle: return "Idle";
    case State::Done: return "Done";
    case State::Failed: return "Failed";
    case State::Stopped: return "Stopped";
    case State::Unreachable: return "Unreachable";
  }
  return "";
}

bool state_live(State s) {
  return s == State::Starting || s == State::Working || s == State::Blocked || s == State::Idle;
}

SessionInfo SessionInfo::from_json(const nlohmann::json& j) {
  SessionInfo s;
  auto str = [&](const char* k) { return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string(); };
  auto num = [&](const char* k) { return j.contains(k) && j[k].is_number() ? mux::json_int<int64_t>(j[k]) : int64_t(0); };
  s.id = sanitize(str("id"));
  s.host = sanitize(str("host"));
  if (!s.host.empty()) {
    s.remote_id = s.id;
    s.id = s.host + ":" + s.remote_id;
  }
  s.name = sanitize(str("name"));
  s.detail = sanitize(str("detail"));
  s.cwd = sanitize(str("cwd"));
  s.agent = sanitize(str("agent"));
  s.worktree = sanitize(str("worktree"));
  s.waiting_for = sanitize(str("waitingFor"));
  s.state = parse_state_word(str("state"));
  s.pinned = j.value("pinned", false);
  s.alive = j.contains("pid") && state_live(s.state);
  s.created_at = num("startedAt");
  s.updated_at = num("updatedAt");
  s.finished_at = num("finishedAt");
  if (j.contains("exitCode") && j["exitCode"].is_number()) s.exit_code = mux::json_int<int>(j["exitCode"]);
  if (j.contains("signal") && j["signal"].is_number()) s.signal = mux::json_int<int>(j["signal"]);
  if (s.name.empty()) s.name = s.id.empty() ? s.host : s.id;
  return s;
}

int64_t SessionInfo::age_ms(int64_t now) const {
  int64_t end = !state_live(state) && finished_at ? finished_at : now;
  if (!state_live(state) && !finished_at) end = updated_at ? updated_at : now;
  if (!created_at) return 0;
  // Times come from files and peers: a difference that does not fit is
  // clamped, never overflowed (undefined behaviour).
  int64_t age = 0;
  if (__builtin_sub_overflow(end, created_at, &age)) return end < created_at ? INT64_MIN : INT64_MAX;
  return age;
}

}  // namespace amux::view

namespace amux::view {
std::string row_detail(const SessionInfo& s, bool with_state) {
  std::string d = s.detail;
  if (d.empty() && !s.waiting_for.empty()) d = s.waiting_for;
  if (s.state == State::Failed && d.rfind("exit", 0) != 0 && d.rfind("SIG", 0) != 0 &&
      d.find("host lost") == std::string::npos) {
    std::string why = s.exit_code ? "exit " + std::to_string(*s.exit_code)
                    : s.signal   ? "signal " + std::to_string(*s.signal)
                                 : "";
    if (!why.empty()) d = d.empty() ? why : why + " — " + d;
  }
  if (s.state == State::Stopped && d.empty()) d = "stopped";
  if (!with_state) return d;
  return d.empty() ? state_word(s.state) : std::string(state_word(s.state)) + " · " + d;
}
}  // namespace amux::view
