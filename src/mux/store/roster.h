// roster.h — the supervisor's own files: daemon/roster.json (who runs) and
// jobs/pins.json (pinned ids). Both are written atomically; unknown fields in
// roster.json are kept.
#pragma once

#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "mux/store/paths.h"

namespace amux::mux {

std::set<std::string> load_pins(const Paths& p);
int save_pins(const Paths& p, const std::set<std::string>& pins);

// roster.json: {"pid","version","protocol","startedAt","origin","updatedAt",
//               "hosts": {"<id>": {"hostPid","hostStartTime","socket"}}}
nlohmann::json load_roster(const Paths& p);
int save_roster(const Paths& p, nlohmann::json roster);

}  // namespace amux::mux
