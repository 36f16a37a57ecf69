// host_rows.h — the rows of sessions on other machines, as `agents --json`
// and the view show them.
//
// Why: a remote session is the remote amux's own JSON with "host" added;
// when a host cannot be reached its rows must not vanish: the last list
// seen from it is kept on this machine (config dir, hosts/<name>.json) and
// shown with the state "unreachable" and the reason as detail. Nothing is
// written on the remote side.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mux/store/config.h"
#include "mux/store/paths.h"

namespace amux::mux {

// The state a remote row gets while its host cannot be reached.
inline constexpr const char* kUnreachable = "unreachable";

// Each session of `sessions` (an array) with "host": name.
nlohmann::json tag_host(nlohmann::json sessions, const std::string& host);

// The last list seen from a host (an array, empty when none), and keeping one.
nlohmann::json load_host_rows(const Paths& p, const std::string& host);
void save_host_rows(const Paths& p, const std::string& host, const nlohmann::json& sessions);

// The rows of a host that cannot be reached: its last list with state
// "unreachable" and detail `reason`, or one row for the host itself
// (id "", name = the host) when no list was ever seen.
nlohmann::json unreachable_rows(const nlohmann::json& last, const std::string& host, const std::string& reason);

struct HostListing {
  const HostEntry* host = nullptr;
  bool ok = false;
  nlohmann::json sessions = nlohmann::json::array();  // tagged with "host"
  std::string error;                                  // one line, when !ok
};

// `amux agents --json --all` on every host at once, each over its master
// connection, all within `deadline_ms`; a host that did not answer by then
// has ok=false. `all` false leaves out finished sessions.
std::vector<HostListing> list_hosts(const Paths& p, const std::vector<const HostEntry*>& hosts, bool all,
                                    int deadline_ms);

}  // namespace amux::mux
