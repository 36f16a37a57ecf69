// session_env.cpp — see session_env.h.
#include "mux/store/session_env.h"

#include <algorithm>

#include "mux/store/atomic_file.h"

namespace amux::mux {

namespace {

std::string_view key_of(std::string_view entry) { return entry.substr(0, entry.find('=')); }

// Sets or replaces `entry` ("K=V") in env.
void put(std::vector<std::string>& env, std::string entry) {
  const std::string_view key = key_of(entry);
  std::erase_if(env, [&](const std::string& e) { return key_of(e) == key; });
  env.push_back(std::move(entry));
}

}  // namespace

bool is_outer_variable(std::string_view key) {
  return key == "TERM" || key == "COLUMNS" || key == "LINES" || key == "TMUX" || key == "TMUX_PANE" ||
         key == "STY" || key.starts_with("AMUX_");
}

std::vector<std::string> inheritable_environment(const std::vector<std::string>& env) {
  std::vector<std::string> out;
  for (const std::string& e : env) {
    const size_t eq = e.find('=');
    if (eq == std::string::npos || eq == 0 || is_outer_variable(std::string_view(e).substr(0, eq))) continue;
    out.push_back(e);
  }
  return out;
}

std::vector<std::string> inheritable_environment(char** envp) {
  std::vector<std::string> all;
  for (char** e = envp; e && *e; ++e) all.emplace_back(*e);
  return inheritable_environment(all);
}

std::string session_env_file(const Paths& p, const std::string& id) { return p.job_dir(id) + "/env"; }

int save_session_env(const Paths& p, const std::string& id, const std::vector<std::string>& env) {
  std::string data;
  for (const std::string& e : env) {
    data += e;
    data.push_back('\0');
  }
  return write_file_atomic(session_env_file(p, id), data, 0600);
}

std::optional<std::vector<std::string>> load_session_env(const Paths& p, const std::string& id) {
  auto data = read_file(session_env_file(p, id));
  if (!data) return std::nullopt;
  std::vector<std::string> env;
  size_t start = 0;
  while (start < data->size()) {
    size_t end = data->find('\0', start);
    if (end == std::string::npos) end = data->size();
    if (end > start) env.emplace_back(data->substr(start, end - start));
    start = end + 1;
  }
  return env;
}

std::vector<std::string> session_environment(const std::vector<std::string>& base,
                                             const std::vector<std::string>& profile_env,
                                             const Paths& p, const std::string& id) {
  std::vector<std::string> env = inheritable_environment(base);
  for (const std::string& e : profile_env) {
    if (e.find('=') != std::string::npos) put(env, e);
    else std::erase_if(env, [&](const std::string& x) { return key_of(x) == e; });  // "K": unset
  }
  put(env, "AMUX_SESSION=" + id);
  put(env, "AMUX_CONFIG_DIR=" + p.config_dir);
  put(env, "AMUX_JOB_DIR=" + p.job_dir(id));
  put(env, std::string("TERM=") + kSessionTerm);
  return env;
}

}  // namespace amux::mux
