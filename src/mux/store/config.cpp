// config.cpp — config.toml through toml++ (see config.h).
#include "mux/store/config.h"

#include <cctype>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include <toml++/toml.h>

namespace amux::mux {
namespace {

// Longer would make Escape useless or a row's state stale for minutes.
constexpr int kMaxEscapeTimeMs = 5000;
constexpr int kMaxStateHoldMs = 600000;
constexpr int kMaxSyncHoldMs = 60000;  // longer would freeze a session's picture

std::string where(const std::string& origin, const toml::node& n, const std::string& key) {
  std::ostringstream s;
  s << origin;
  if (n.source().begin.line) s << ":" << n.source().begin.line;
  s << ": " << key;
  return s.str();
}

template <typename T>
void get(const toml::table& t, const std::string& origin, const std::string& prefix,
         const char* key, T& out) {
  const toml::node* n = t.get(key);
  if (!n) return;
  std::string full = prefix.empty() ? key : prefix + "." + key;
  if constexpr (std::is_same_v<T, std::string>) {
    if (auto v = n->value<std::string>()) { out = *v; return; }
    throw ConfigError(where(origin, *n, full) + ": expected a string");
  } else if constexpr (std::is_same_v<T, bool>) {
    if (auto v = n->value<bool>()) { out = *v; return; }
    throw ConfigError(where(origin, *n, full) + ": expected true or false");
  } else if constexpr (std::is_same_v<T, double>) {
    if (n->is_number()) {
      double v = *n->value<double>();
      if (v < 0) throw ConfigError(where(origin, *n, full) + ": must not be negative");
      out = v;
      return;
    }
    throw ConfigError(where(origin, *n, full) + ": expected a number of seconds");
  } else {
    if (auto v = n->is_boolean() ? std::nullopt : n->value<int64_t>()) {
      if (*v < 0) throw ConfigError(where(origin, *n, full) + ": must not be negative");
      if (uint64_t(*v) > uint64_t(std::numeric_limits<T>::max()))
        throw ConfigError(where(origin, *n, full) + ": too large");
      out = T(*v);
      return;
    }
    throw ConfigError(where(origin, *n, full) + ": expected an integer");
  }
}

void check_keys(const toml::table& t, const std::string& origin, const std::string& prefix,
                const std::set<std::string>& known, std::vector<std::string>& warnings) {
  for (auto&& [k, v] : t) {
    std::string key(k.str());
    if (!known.count(key)) {
      std::string full = prefix.empty() ? key : prefix + "." + key;
      warnings.push_back(where(origin, v, full) + ": unknown key (ignored)");
    }
  }
}

const toml::table* section(const toml::table& root, const std::string& origin, const char* name) {
  const toml::node* n = root.get(name);
  if (!n) return nullptr;
  if (!n->is_table()) throw ConfigError(where(origin, *n, name) + ": expected a [" + name + "] table");
  return n->as_table();
}

bool host_name_ok(const std::string& n) {
  if (n.empty() || n.size() > 32) return false;
  for (char ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_' && ch != '.') return false;
  return true;
}

// [hosts.NAME] tables: the name is used in ids (`NAME:<id>`) and in the
// ssh control socket's file name, so it is kept to a safe alphabet.
void parse_hosts(const toml::table& hosts, const std::string& origin, Config& c) {
  for (auto&& [k, v] : hosts) {
    std::string name(k.str()), key = "hosts." + name;
    if (!v.is_table()) throw ConfigError(where(origin, v, key) + ": expected a [" + key + "] table");
    if (!host_name_ok(name))
      throw ConfigError(where(origin, v, key) +
                        ": a host name is 1-32 letters, digits, '-', '_' or '.'");
    const toml::table& t = *v.as_table();
    check_keys(t, origin, key, {"ssh", "ssh_args", "amux"}, c.warnings);
    HostEntry h;
    h.name = name;
    get(t, origin, key, "ssh", h.ssh);
    if (h.ssh.empty() || h.ssh[0] == '-')
      throw ConfigError(where(origin, v, key) + ": ssh must name a destination (\"user@host\")");
    if (const toml::node* a = t.get("ssh_args")) {
      const toml::array* arr = a->as_array();
      if (!arr) throw ConfigError(where(origin, *a, key + ".ssh_args") + ": expected an array of strings");
      for (auto& e : *arr) {
        auto sv = e.value<std::string>();
        if (!sv) throw ConfigError(where(origin, e, key + ".ssh_args") + ": expected an array of strings");
        h.ssh_args.push_back(*sv);
      }
    }
    get(t, origin, key, "amux", h.amux);
    if (h.amux.find_first_not_of(" \t") == std::string::npos)
      throw ConfigError(where(origin, v, key + ".amux") + ": must not be empty");
    c.hosts.push_back(std::move(h));
  }
}

}  // namespace

Config parse_config(const std::string& text, const std::string& origin, Config c) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    std::ostringstream s;
    s << origin << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
      << e.description();
    throw ConfigError(s.str());
  }
  check_keys(root, origin, "",
             {"default_agent", "escape_time_ms", "state_hold_ms", "sync_output", "sync_hold_ms", "clipboard", "mouse", "session",
              "reap", "daemon", "worktree", "view", "hosts", "notify", "notify_command"},
             c.warnings);
  get(root, origin, "", "default_agent", c.default_agent);
  get(root, origin, "", "escape_time_ms", c.escape_time_ms);
  if (c.escape_time_ms > kMaxEscapeTimeMs)
    throw ConfigError(where(origin, *root.get("escape_time_ms"), "escape_time_ms") +
                      ": must be between 0 and " + std::to_string(kMaxEscapeTimeMs) + " ms");
  get(root, origin, "", "state_hold_ms", c.state_hold_ms);
  if (c.state_hold_ms > kMaxStateHoldMs)
    throw ConfigError(where(origin, *root.get("state_hold_ms"), "state_hold_ms") +
                      ": must be between 0 and " + std::to_string(kMaxStateHoldMs) + " ms");
  get(root, origin, "", "notify", c.notify);
  if (c.notify != "osc9" && c.notify != "osc777" && c.notify != "bell" && c.notify != "off")
    throw ConfigError(where(origin, *root.get("notify"), "notify") +
                      ": must be \"osc9\", \"osc777\", \"bell\" or \"off\"");
  if (const toml::node* n = root.get("notify_command")) {
    const toml::array* a = n->as_array();
    c.notify_command.clear();
    for (size_t i = 0; a && i < a->size(); ++i) {
      auto v = (*a)[i].value<std::string>();
      if (!v) { a = nullptr; break; }
      c.notify_command.push_back(*v);
    }
    if (!a) throw ConfigError(where(origin, *n, "notify_command") + ": expected an array of strings");
  }
  get(root, origin, "", "sync_output", c.sync_output);
  if (c.sync_output != "auto" && c.sync_output != "on" && c.sync_output != "off")
    throw ConfigError(where(origin, *root.get("sync_output"), "sync_output") +
                      ": must be \"auto\", \"on\" or \"off\"");
  get(root, origin, "", "sync_hold_ms", c.sync_hold_ms);
  if (c.sync_hold_ms > kMaxSyncHoldMs)
    throw ConfigError(where(origin, *root.get("sync_hold_ms"), "sync_hold_ms") +
                      ": must be between 0 and " + std::to_string(kMaxSyncHoldMs) + " ms");
  get(root, origin, "", "clipboard", c.clipboard);
  get(root, origin, "", "mouse", c.mouse);
  if (c.clipboard != "osc52" && c.clipboard != "off")
    throw ConfigError(where(origin, *root.get("clipboard"), "clipboard") + ": must be \"osc52\" or \"off\"");
  if (auto* s = section(root, origin, "session")) {
    check_keys(*s, origin, "session", {"scrollback_lines", "rows", "cols"}, c.warnings);
    get(*s, origin, "session", "scrollback_lines", c.scrollback_lines);
    get(*s, origin, "session", "rows", c.rows);
    get(*s, origin, "session", "cols", c.cols);
    if (c.rows < 2 || c.cols < 2 || c.rows > 1000 || c.cols > 1000)
      throw ConfigError(origin + ": session.rows/cols must be between 2 and 1000");
  }
  if (auto* s = section(root, origin, "reap")) {
    check_keys(*s, origin, "reap", {"shell_linger", "idle_agent", "empty_row", "stopped_linger"},
               c.warnings);
    get(*s, origin, "reap", "shell_linger", c.shell_linger);
    get(*s, origin, "reap", "idle_agent", c.idle_agent);
    get(*s, origin, "reap", "empty_row", c.empty_row);
    get(*s, origin, "reap", "stopped_linger", c.stopped_linger);
  }
  if (auto* s = section(root, origin, "daemon")) {
    check_keys(*s, origin, "daemon", {"idle_exit"}, c.warnings);
    get(*s, origin, "daemon", "idle_exit", c.idle_exit);
  }
  if (auto* s = section(root, origin, "worktree")) {
    check_keys(*s, origin, "worktree", {"bg_isolation"}, c.warnings);
    get(*s, origin, "worktree", "bg_isolation", c.bg_isolation);
    if (c.bg_isolation != "worktree" && c.bg_isolation != "none")
      throw ConfigError(origin + ": worktree.bg_isolation must be \"worktree\" or \"none\"");
  }
  if (auto* s = section(root, origin, "view")) {
    check_keys(*s, origin, "view", {"disable_agent_view", "bell_on_blocked"}, c.warnings);
    get(*s, origin, "view", "disable_agent_view", c.disable_agent_view);
    get(*s, origin, "view", "bell_on_blocked", c.bell_on_blocked);
  }
  if (auto* s = section(root, origin, "hosts")) parse_hosts(*s, origin, c);
  return c;
}

Config load_config(const std::string& path, Config base) {
  std::ifstream in(path);
  if (!in) return base;
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path, std::move(base));
}

}  // namespace amux::mux
