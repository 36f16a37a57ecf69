// agents_hosts.h — the configured hosts' sessions added to `agents` (see
// agents_hosts.cpp).
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/context.h"

namespace amux::cli {

// How long `agents --json` waits for the hosts, all together.
inline constexpr int kHostListDeadlineMs = 1500;

// local() (an array; not called when only_host is given) followed by the
// rows of every configured host (only `only_host` when given), each with
// "host"; an unreachable host's last known rows come with state
// "unreachable" and the reason as detail. The hosts are asked while local()
// runs. Throws CommandError when only_host is not configured.
nlohmann::json list_with_hosts(Context& ctx, const std::function<nlohmann::json()>& local,
                               const std::string& only_host, bool all);

}  // namespace amux::cli
