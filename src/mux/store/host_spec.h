// host_spec.h — what a session host needs besides its record: the settings
// from config.toml and the agent's resolved screen patterns, as a small JSON
// file next to the record (jobs/<id>/host.json).
//
// Why: the host is its own small binary (build/amux-host, kept small for memory
// target) that links no TOML reader, so whoever launches it (the supervisor,
// `amux --bg`; host_launcher.h) reads config.toml and agents.toml and writes
// this file just before starting the host, which only reads it. Written
// atomically (atomic_file.h).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "mux/store/paths.h"
#include "mux/agents/screen_patterns.h"

namespace amux::mux {

struct HostSpec {
  // config.toml [session] / [reap]
  size_t scrollback_lines = 10000;
  double shell_linger = 300;
  double stopped_linger = 300;
  double idle_agent = 3600;
  // config.toml escape_time_ms, state_hold_ms
  int escape_time_ms = 20;
  int state_hold_ms = 2000;
  int sync_hold_ms = 1000;  // config.toml sync_hold_ms
  // The agent's screen patterns (none for a shell job or an agent without any).
  ScreenPatterns screen;
  // Why an agent has no patterns (its profile could not be loaded); the host logs it.
  std::string screen_note;
};

nlohmann::json host_spec_to_json(const HostSpec& s);
// Throws std::runtime_error for a malformed spec.
HostSpec host_spec_from_json(const nlohmann::json& j);

std::string host_spec_file(const Paths& p, const std::string& id);  // jobs/<id>/host.json
int save_host_spec(const Paths& p, const std::string& id, const HostSpec& s);  // 0 or -errno
// nullopt with a one-line *err when missing or malformed.
std::optional<HostSpec> load_host_spec(const Paths& p, const std::string& id, std::string* err);

}  // namespace amux::mux
