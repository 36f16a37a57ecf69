// view_settings.cpp — what the agent view starts with: whether it may run at
// all, and the line that says how new sessions start.
//
// Why: the view can be turned off (environment, managed settings, config);
// its header tells which agent, model and directory a typed prompt would
// use, picking the first agent on PATH when none is configured.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "view/agent_view.h"
#include "view/text_util.h"
#include "view/view_app.h"

namespace amux::view {

std::string agent_view_disabled(const mux::Config& config, const std::string& managed_path) {
  const char* env = getenv("AMUX_DISABLE_AGENT_VIEW");
  if (env && *env && std::string(env) != "0" && std::string(env) != "false")
    return "AMUX_DISABLE_AGENT_VIEW is set";
  std::error_code ec;
  if (!managed_path.empty() && std::filesystem::exists(managed_path, ec)) {
    try {
      if (mux::load_config(managed_path).disable_agent_view) return "by the managed settings in " + managed_path;
    } catch (const std::exception&) {
      // A broken managed file does not turn the view off; `amux` reports config errors elsewhere.
    }
  }
  if (config.disable_agent_view) return "disable_agent_view = true in config.toml";
  return "";
}

namespace {

bool on_path(const std::string& bin) {
  const char* p = getenv("PATH");
  if (!p) return false;
  std::string path = p;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    std::string dir = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!dir.empty() && access((dir + "/" + bin).c_str(), X_OK) == 0) return true;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return false;
}

}  // namespace

std::string defaults_line(const ViewDefaults& d, const mux::Config& config) {
  std::string agent = !d.agent.empty() ? d.agent : config.default_agent;
  if (agent.empty())
    for (const char* a : {"claude", "codex", "gemini", "aider"})
      if (on_path(a)) { agent = a; break; }
  std::string line = "New sessions: ";
  line += agent.empty() ? "no agent found (!command runs a shell job)" : agent;
  if (!d.model.empty()) line += " · " + d.model;
  if (!d.effort.empty()) line += " · " + d.effort + " effort";
  if (!d.permission_mode.empty()) line += " · " + d.permission_mode;
  std::string cwd = d.cwd;
  if (cwd.empty()) {
    std::error_code ec;
    cwd = std::filesystem::current_path(ec).string();
  }
  line += " · " + tilde_path(cwd);
  return sanitize(line);
}

}  // namespace amux::view
