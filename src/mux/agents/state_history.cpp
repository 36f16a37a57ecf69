// state_history.cpp — see state_history.h.
#include "mux/agents/state_history.h"

namespace amux::mux {

nlohmann::json StateTransition::to_json() const {
  nlohmann::json j = {{"state", state_name(state)}, {"source", source}, {"evidence", evidence}, {"at", at}};
  if (!waiting_for.empty()) j["waitingFor"] = waiting_for;
  return j;
}

void StateHistory::add(StateTransition t) {
  entries_.push_back(std::move(t));
  while (entries_.size() > kKeep) entries_.pop_front();
}

nlohmann::json StateHistory::to_json() const {
  nlohmann::json a = nlohmann::json::array();
  for (auto& e : entries_) a.push_back(e.to_json());
  return a;
}

StateHistory StateHistory::from_json(const nlohmann::json& j) {
  StateHistory h;
  if (!j.is_array()) return h;
  for (auto& e : j) {
    if (!e.is_object()) continue;
    auto st = parse_state(e.value("state", std::string()));
    if (!st) continue;
    StateTransition t;
    t.state = *st;
    try {
      t.source = e.value("source", std::string());
      t.evidence = e.value("evidence", std::string());
      t.waiting_for = e.value("waitingFor", std::string());
      t.at = e.value("at", int64_t(0));
    } catch (const nlohmann::json::exception&) {
      continue;  // a wrong type in a hand-edited record
    }
    h.add(std::move(t));
  }
  return h;
}

}  // namespace amux::mux
