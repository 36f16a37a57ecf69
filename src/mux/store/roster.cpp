// roster.cpp — see roster.h.
#include "mux/store/roster.h"

#include "mux/store/atomic_file.h"
#include "mux/store/session_record.h"

namespace amux::mux {

std::set<std::string> load_pins(const Paths& p) {
  std::set<std::string> pins;
  auto text = read_file(p.pins_file());
  if (!text) return pins;
  try {
    auto j = nlohmann::json::parse(*text);
    if (j.is_array())
      for (auto& e : j)
        if (e.is_string()) pins.insert(e.get<std::string>());
  } catch (...) {
  }
  return pins;
}

int save_pins(const Paths& p, const std::set<std::string>& pins) {
  make_dirs(p.jobs_dir());
  nlohmann::json j = nlohmann::json::array();
  for (auto& id : pins) j.push_back(id);
  return write_file_atomic(p.pins_file(), j.dump() + "\n", 0600);
}

nlohmann::json load_roster(const Paths& p) {
  auto text = read_file(p.roster_file());
  if (!text) return nlohmann::json::object();
  try {
    auto j = nlohmann::json::parse(*text);
    if (j.is_object()) return j;
  } catch (...) {
  }
  return nlohmann::json::object();
}

int save_roster(const Paths& p, nlohmann::json roster) {
  make_dirs(p.daemon_dir());
  roster["updatedAt"] = now_ms();
  return write_file_atomic(p.roster_file(), roster.dump(2) + "\n", 0600);
}

}  // namespace amux::mux
