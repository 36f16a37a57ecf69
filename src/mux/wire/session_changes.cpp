// session_changes.cpp — see session_changes.h.
#include "mux/wire/session_changes.h"

#include <set>

#include "mux/store/session_record.h"

namespace amux::mux {

using json = nlohmann::json;

namespace {
std::string str(const json& s, const char* key) {
  auto it = s.find(key);
  return it != s.end() && it->is_string() ? it->get<std::string>() : std::string();
}
}  // namespace

bool SessionChanges::wanted(const json& s) const {
  const std::string cwd = str(s, "cwd");
  if (!cwd_.empty() && cwd != cwd_ && cwd.rfind(cwd_ + "/", 0) != 0) return false;
  if (all_ || known_.count(str(s, "id"))) return true;
  auto st = parse_state(str(s, "state"));
  return (st && state_is_live(*st)) || s.value("pinned", false);
}

void SessionChanges::reset(const json& sessions) {
  known_.clear();
  if (!sessions.is_array()) return;
  for (auto& s : sessions)
    if (s.is_object() && !str(s, "id").empty() && wanted(s)) known_[str(s, "id")] = s;
}

void SessionChanges::upsert(const json& s, std::vector<json>& out) {
  const std::string id = str(s, "id");
  if (id.empty() || !wanted(s)) return;
  auto it = known_.find(id);
  if (it == known_.end()) {
    known_[id] = s;
    out.push_back({{"event", "added"}, {"id", id}, {"session", s}});
    return;
  }
  const json old = it->second;
  // An event older than what the list already showed (the host wrote its
  // record again before the supervisor passed the first write on).
  if (s.value("updatedAt", int64_t(0)) < old.value("updatedAt", int64_t(0))) return;
  it->second = s;
  if (str(old, "state") != str(s, "state"))
    out.push_back({{"event", "state"}, {"id", id}, {"state", str(s, "state")}, {"from", str(old, "state")}, {"session", s}});
  if (str(old, "name") != str(s, "name"))
    out.push_back({{"event", "name"}, {"id", id}, {"name", str(s, "name")}, {"from", str(old, "name")}, {"session", s}});
  if (old.value("pinned", false) != s.value("pinned", false))
    out.push_back({{"event", "pin"}, {"id", id}, {"pinned", s.value("pinned", false)}, {"session", s}});
}

void SessionChanges::remove(const std::string& id, std::vector<json>& out) {
  if (known_.erase(id)) out.push_back({{"event", "removed"}, {"id", id}});
}

std::vector<json> SessionChanges::apply(const json& ev) {
  std::vector<json> out;
  if (!ev.is_object()) return out;
  if (auto it = ev.find("session"); it != ev.end() && it->is_object()) {
    upsert(*it, out);
  } else if (auto r = ev.find("removed"); r != ev.end() && r->is_string()) {
    remove(r->get<std::string>(), out);
  } else if (auto a = ev.find("sessions"); a != ev.end() && a->is_array()) {
    // The whole list again (events were dropped): what is missing from it
    // was removed meanwhile.
    std::set<std::string> present;
    for (auto& s : *a) {
      if (!s.is_object()) continue;
      present.insert(str(s, "id"));
      upsert(s, out);
    }
    std::vector<std::string> gone;
    for (auto& [id, s] : known_)
      if (!present.count(id)) gone.push_back(id);
    for (auto& id : gone) remove(id, out);
  }
  return out;
}

}  // namespace amux::mux
