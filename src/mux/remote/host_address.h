// host_address.h — how a user's words name a session on another machine.
//
// Why: every command that takes a session also takes `NAME:<id>` (or
// `NAME:<name part>`) for a session on the configured host NAME; one parser
// keeps that rule the same for all of them and for the view.
#pragma once

#include <optional>
#include <string>

#include "mux/store/config.h"

namespace amux::mux {

struct HostAddress {
  const HostEntry* host = nullptr;  // the configured host
  std::string query;                // what names the session there (id, prefix, name part)
};

// `NAME:rest` where NAME is a configured host and rest is not empty; nullopt
// for anything else (a local id or name, even one with a ':' in it).
std::optional<HostAddress> parse_host_address(const Config& c, const std::string& words);

// The one-line error for `--host NAME` when NAME is not configured.
std::string unknown_host_error(const Config& c, const std::string& name);

}  // namespace amux::mux
