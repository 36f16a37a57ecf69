// agents_hosts.h — the configured hosts' sessions added to `agents` (see
// agents_hosts.cpp).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "cli/context.h"

namespace amux::cli {

// How long `agents --json` waits for the hosts, all together.
inline constexpr int kHostListDeadlineMs = 1500;

// `local` (an array) followed by the rows of every configured host (only
// `only_host` when given), each with "host"; an unreachable host's last
// known rows come with state "unreachable" and the reason as detail.
// Throws CommandError when only_host is not configured.
nlohmann::json add_host_rows(Context& ctx, nlohmann::json local, const std::string& only_host, bool all);

}  // namespace amux::cli
