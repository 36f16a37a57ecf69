// session_changes.h — turn the supervisor's watch events into the changes a
// script follows (`amux agents --json --follow`, `amux wait`).
//
// Why: the supervisor pushes a session's whole public JSON on every record
// write (and the whole list again after a watcher fell behind); a script
// wants to know what changed: a session was added, its state, name or pin
// changed, or it was removed. This keeps the last object seen per id and
// says which of those changed, one object per change.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace amux::mux {

class SessionChanges {
 public:
  // Which sessions count: with `all` false, a finished session that is not
  // pinned is only followed when it was already known (so its last state
  // change is seen); `cwd` limits to sessions in that directory or below.
  SessionChanges(bool all, std::string cwd) : all_(all), cwd_(std::move(cwd)) {}

  // The first list: remembered, no changes reported.
  void reset(const nlohmann::json& sessions);
  // One event frame from the supervisor ({"session":…}, {"removed":id} or
  // {"sessions":[…]}): the changes it makes, each
  //   {"event":"added","id",…,"session":{…}}
  //   {"event":"state","id",…,"state":new,"from":old,"session":{…}}
  //   {"event":"name","id",…,"name":new,"from":old,"session":{…}}
  //   {"event":"pin","id",…,"pinned":bool,"session":{…}}
  //   {"event":"removed","id",…}
  std::vector<nlohmann::json> apply(const nlohmann::json& event);

  // The sessions followed now, by id.
  const std::map<std::string, nlohmann::json>& known() const { return known_; }

 private:
  bool wanted(const nlohmann::json& s) const;
  void upsert(const nlohmann::json& s, std::vector<nlohmann::json>& out);
  void remove(const std::string& id, std::vector<nlohmann::json>& out);

  bool all_;
  std::string cwd_;
  std::map<std::string, nlohmann::json> known_;
};

}  // namespace amux::mux
