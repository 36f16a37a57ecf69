// session_record.cpp — jobs/<id>/state.json: JSON mapping, load and save.
//
// Why: the record is the one file every amux process agrees on (see
// session_record.h). Unknown keys ride along in `extra` so a newer amux's
// fields survive an older amux's rewrite; optional fields are omitted when
// unset so the files stay small and readable.
#include "mux/store/session_record.h"

#include <dirent.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <type_traits>

#include "mux/store/atomic_file.h"
#include "mux/store/session_id.h"
#include "mux/sys/json_num.h"

namespace amux::mux {

using nlohmann::json;

namespace {

struct StateInfo {
  SessionState s;
  const char* name;
  const char* label;
};
constexpr StateInfo kStates[] = {
    {SessionState::Starting, "starting", "Starting"},
    {SessionState::Working, "working", "Working"},
    {SessionState::Blocked, "blocked", "Needs input"},
    {SessionState::Idle, "idle", "Idle"},
    {SessionState::Done, "done", "Completed"},
    {SessionState::Failed, "failed", "Failed"},
    {SessionState::Stopped, "stopped", "Stopped"},
};

// The keys to_json writes; everything else found on load goes to `extra`.
constexpr const char* kKnownKeys[] = {
    "id",        "name",      "nameSource", "kind",      "agent",         "prompt",
    "argv",      "resumeArgv", "cwd",       "env",       "sessionId",     "worktree",
    "state",     "detail",    "waitingFor", "pid",       "hostPid",       "hostStartTime",
    "socket",    "rows",      "cols",       "createdAt", "updatedAt",     "startedAt",
    "finishedAt", "exitCode", "signal",     "hadWork",   "startArgv",     "resumeIf",
    "worktreeBase", "transitions", "attached",
};

bool known_key(const std::string& k) {
  for (const char* kk : kKnownKeys)
    if (k == kk) return true;
  return false;
}

// Read j[key] into out when present (and not null); wrong types throw.
template <typename T>
void get_opt(const json& j, const char* key, T& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
    out = json_int<T>(*it);  // 1e300 in a file is clamped, not undefined behaviour
  else
    out = it->template get<T>();
}

}  // namespace

const char* state_name(SessionState s) {
  for (const auto& i : kStates)
    if (i.s == s) return i.name;
  return "unknown";
}

const char* state_label(SessionState s) {
  for (const auto& i : kStates)
    if (i.s == s) return i.label;
  return "Unknown";
}

std::optional<SessionState> parse_state(std::string_view s) {
  for (const auto& i : kStates)
    if (s == i.name) return i.s;
  return std::nullopt;
}

bool state_is_live(SessionState s) {
  return s == SessionState::Starting || s == SessionState::Working ||
         s == SessionState::Blocked || s == SessionState::Idle;
}

json SessionRecord::to_json() const {
  json j = extra.is_object() ? extra : json::object();
  for (const char* k : kKnownKeys) j.erase(k);
  j["id"] = id;
  j["name"] = name;
  j["nameSource"] = name_source;
  j["kind"] = kind;
  j["agent"] = agent;
  if (!prompt.empty()) j["prompt"] = prompt;
  j["argv"] = argv;
  if (!resume_argv.empty()) j["resumeArgv"] = resume_argv;
  if (!start_argv.empty()) j["startArgv"] = start_argv;
  if (!resume_if.empty()) j["resumeIf"] = resume_if;
  if (!cwd.empty()) j["cwd"] = cwd;
  if (!env.empty()) j["env"] = env;
  if (!session_uuid.empty()) j["sessionId"] = session_uuid;
  if (!worktree.empty()) j["worktree"] = worktree;
  if (!worktree_base.empty()) j["worktreeBase"] = worktree_base;
  j["state"] = state_name(state);
  if (!detail.empty()) j["detail"] = detail;
  if (!waiting_for.empty()) j["waitingFor"] = waiting_for;
  if (pid > 0) j["pid"] = pid;
  if (host_pid > 0) j["hostPid"] = host_pid;
  if (host_start_time > 0) j["hostStartTime"] = host_start_time;
  if (!socket.empty()) j["socket"] = socket;
  j["rows"] = rows;
  j["cols"] = cols;
  j["createdAt"] = created_at;
  j["updatedAt"] = updated_at;
  if (started_at > 0) j["startedAt"] = started_at;
  if (finished_at > 0) j["finishedAt"] = finished_at;
  if (exit_code) j["exitCode"] = *exit_code;
  if (signal) j["signal"] = *signal;
  j["hadWork"] = had_work;
  if (transitions.is_array() && !transitions.empty()) j["transitions"] = transitions;
  if (attached > 0) j["attached"] = attached;
  return j;
}

SessionRecord SessionRecord::from_json(const json& j) {
  if (!j.is_object()) throw std::invalid_argument("session record is not a JSON object");
  SessionRecord r;
  get_opt(j, "id", r.id);
  get_opt(j, "name", r.name);
  get_opt(j, "nameSource", r.name_source);
  get_opt(j, "kind", r.kind);
  get_opt(j, "agent", r.agent);
  get_opt(j, "prompt", r.prompt);
  get_opt(j, "argv", r.argv);
  get_opt(j, "resumeArgv", r.resume_argv);
  get_opt(j, "startArgv", r.start_argv);
  get_opt(j, "resumeIf", r.resume_if);
  get_opt(j, "cwd", r.cwd);
  get_opt(j, "env", r.env);
  get_opt(j, "sessionId", r.session_uuid);
  get_opt(j, "worktree", r.worktree);
  get_opt(j, "worktreeBase", r.worktree_base);
  std::string st;
  get_opt(j, "state", st);
  if (!st.empty()) {
    auto s = parse_state(st);
    if (!s) throw std::invalid_argument("unknown session state '" + st + "'");
    r.state = *s;
  }
  get_opt(j, "detail", r.detail);
  get_opt(j, "waitingFor", r.waiting_for);
  get_opt(j, "pid", r.pid);
  get_opt(j, "hostPid", r.host_pid);
  get_opt(j, "hostStartTime", r.host_start_time);
  get_opt(j, "socket", r.socket);
  get_opt(j, "rows", r.rows);
  get_opt(j, "cols", r.cols);
  get_opt(j, "createdAt", r.created_at);
  get_opt(j, "updatedAt", r.updated_at);
  get_opt(j, "startedAt", r.started_at);
  get_opt(j, "finishedAt", r.finished_at);
  if (auto it = j.find("exitCode"); it != j.end() && !it->is_null()) r.exit_code = json_int<int>(*it);
  if (auto it = j.find("signal"); it != j.end() && !it->is_null()) r.signal = json_int<int>(*it);
  get_opt(j, "hadWork", r.had_work);
  if (auto it = j.find("transitions"); it != j.end() && it->is_array()) r.transitions = *it;
  get_opt(j, "attached", r.attached);
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!known_key(it.key())) r.extra[it.key()] = it.value();
  return r;
}

std::optional<SessionRecord> load_record(const Paths& p, const std::string& id,
                                         std::string* error) {
  if (!is_session_id(id)) {
    if (error) *error = "invalid session id (expected 8 hex digits)";
    return std::nullopt;
  }
  const std::string path = p.state_file(id);
  auto text = read_file(path);
  if (!text) {
    if (error) *error = "cannot read " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  try {
    SessionRecord r = SessionRecord::from_json(json::parse(*text));
    if (r.id.empty()) r.id = id;
    // The id inside names the paths built later: it must be this record's own.
    if (r.id != id) throw std::invalid_argument("its id is not " + id);
    return r;
  } catch (const std::exception& e) {
    if (error) *error = "bad session record " + path + ": " + e.what();
    return std::nullopt;
  }
}

int save_record(const Paths& p, SessionRecord& rec) {
  if (!is_session_id(rec.id)) return -EINVAL;
  if (int rc = make_dirs(p.job_dir(rec.id) + "/tmp", 0700); rc < 0) return rc;
  rec.updated_at = now_ms();
  if (rec.created_at == 0) rec.created_at = rec.updated_at;
  std::string text =
      rec.to_json().dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  return write_file_atomic(p.state_file(rec.id), text, 0600);
}

std::vector<SessionRecord> load_all_records(const Paths& p) {
  std::vector<SessionRecord> out;
  DIR* d = ::opendir(p.jobs_dir().c_str());
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (!is_session_id(name)) continue;  // pins.json, temp files, strays
    if (auto r = load_record(p, name)) out.push_back(std::move(*r));
  }
  ::closedir(d);
  std::sort(out.begin(), out.end(), [](const SessionRecord& a, const SessionRecord& b) {
    return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
  });
  return out;
}

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace amux::mux
