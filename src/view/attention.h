// attention.h — when to tell the person that a session needs them: it
// became blocked, or finished, nobody is attached to it, and the person is
// not looking at it.
//
// Why: a person working in one session (or in the agent view) should hear
// once that another one waits for them or is done — not on every flicker,
// not twice for one change, and not for the session in front of them. This
// is plain logic with the clock passed in; the agent view and the attach
// client feed it the supervisor's session events and emit what it says is
// due (notify_out.h says how).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace amux::view {

struct AttentionCall {
  std::string id, name, state;  // name and state as the supervisor sent them (unsanitized)
};

class Attention {
 public:
  // A change must hold this long before it is told (state_hold_ms).
  explicit Attention(int hold_ms) : hold_ms_(hold_ms) {}

  // The list at the start: what sessions are in already is not news.
  void reset(const nlohmann::json& sessions);
  // A session's latest public JSON (a watch event), or its removal.
  void update(const nlohmann::json& session, int64_t now);
  void removed(const std::string& id);

  // The calls due at `now`, each once; a session the person looks at
  // (`looking`), or one someone is attached to, is skipped for this change.
  std::vector<AttentionCall> due(int64_t now, const std::function<bool(const std::string&)>& looking);
  // When the next call may be due (nullopt: none pending).
  std::optional<int64_t> next_due() const;

 private:
  struct Known {
    std::string state, name;
    int attached = 0;
    std::optional<int64_t> pending_since;  // a change to tell, since then
  };
  int hold_ms_;
  std::map<std::string, Known> known_;
};

// Whether a state is one to tell the person about.
bool needs_person(const std::string& state);

}  // namespace amux::view
