// attention.cpp — see attention.h.
#include "view/attention.h"

namespace amux::view {

bool needs_person(const std::string& state) {
  return state == "blocked" || state == "done" || state == "failed";
}

namespace {
std::string str(const nlohmann::json& j, const char* k) {
  auto it = j.find(k);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
int attached_of(const nlohmann::json& j) {
  auto it = j.find("attached");
  return it != j.end() && it->is_number_integer() ? it->get<int>() : 0;
}
}  // namespace

void Attention::reset(const nlohmann::json& sessions) {
  known_.clear();
  if (!sessions.is_array()) return;
  for (auto& s : sessions)
    if (s.is_object() && !str(s, "id").empty())
      known_[str(s, "id")] = Known{str(s, "state"), str(s, "name"), attached_of(s), std::nullopt};
}

void Attention::update(const nlohmann::json& s, int64_t now) {
  if (!s.is_object()) return;
  const std::string id = str(s, "id"), state = str(s, "state");
  if (id.empty()) return;
  auto [it, added] = known_.try_emplace(id);
  Known& k = it->second;
  const bool changed = !added && k.state != state;
  k.name = str(s, "name");
  k.attached = attached_of(s);
  if (added || changed) {
    // A new change replaces one not told yet; back to work cancels it.
    if (changed && needs_person(state)) k.pending_since = now;
    else k.pending_since.reset();
  }
  k.state = state;
  // Someone attached sees it: nothing to tell about this change.
  if (k.attached > 0) k.pending_since.reset();
}

void Attention::removed(const std::string& id) { known_.erase(id); }

std::vector<AttentionCall> Attention::due(int64_t now, const std::function<bool(const std::string&)>& looking) {
  std::vector<AttentionCall> out;
  for (auto& [id, k] : known_) {
    if (!k.pending_since || now - *k.pending_since < hold_ms_) continue;
    k.pending_since.reset();  // told, or skipped: once per change either way
    if (k.attached > 0 || (looking && looking(id))) continue;
    out.push_back({id, k.name, k.state});
  }
  return out;
}

std::optional<int64_t> Attention::next_due() const {
  std::optional<int64_t> next;
  for (auto& [id, k] : known_)
    if (k.pending_since && (!next || *k.pending_since + hold_ms_ < *next)) next = *k.pending_since + hold_ms_;
  return next;
}

}  // namespace amux::view
