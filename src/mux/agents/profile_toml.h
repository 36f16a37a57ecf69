// profile_toml.h — reading one agent profile from its TOML tables. Private
// to src/mux/agents/: agent_profile.cpp layers the files and calls this.
#pragma once

#include <string>
#include <vector>

#include <toml++/toml.h>

#include "mux/agents/agent_profile.h"

namespace amux::mux::profile_detail {

// A ProfileError naming file:line: key.
[[noreturn]] void fail(const toml::node& n, const std::string& key, const std::string& what);

// One profile as written in several files, lowest precedence first: a key
// comes from the last file that sets it; options, patterns and env merge
// key by key. (The layers point into the parsed files, so every error still
// names the file and line it came from.)
using Layers = std::vector<const toml::table*>;

// The profile `name` from its layers; unknown keys add to `warnings`.
// Throws ProfileError naming file:line: key.
AgentProfile read_profile(const std::string& name, const Layers& ls, std::vector<std::string>& warnings);

}  // namespace amux::mux::profile_detail
