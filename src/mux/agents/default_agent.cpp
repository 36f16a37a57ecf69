// default_agent.cpp — which agent runs when none was named: the configured
// default_agent, else the first agent profile whose binary is on PATH.
#include <cstdlib>

#include "mux/agents/agent_profile.h"
#include "mux/agents/profile_templates.h"
#include "mux/sys/run_command.h"

namespace amux::mux {

using profile_detail::join;

std::string default_agent(const std::string& config_default, const ProfileSet& profiles) {
  const char* path = getenv("PATH");
  return default_agent(config_default, profiles, path ? path : "");
}

std::string default_agent(const std::string& config_default, const ProfileSet& profiles,
                          const std::string& path_value) {
  if (!config_default.empty()) {
    const AgentProfile* p = profiles.find(config_default);
    if (!p)
      throw ProfileError("default_agent '" + config_default + "' is not an agent profile (profiles: " +
                         join(profiles.names()) + ")");
    if (find_executable(p->binary, path_value).empty())
      throw ProfileError("default_agent '" + config_default + "': '" + p->binary +
                         "' is not on PATH; install it, change default_agent, or run a command with "
                         "--exec 'cmd'");
    return p->name;
  }
  std::vector<std::string> looked;
  for (auto& p : profiles.profiles()) {
    if (p.kind != "agent") continue;
    if (!find_executable(p.binary, path_value).empty()) return p.name;
    looked.push_back(p.name);
  }
  throw ProfileError("no agent found on PATH (looked for " + join(looked) +
                     "); install one, set default_agent in config.toml, or run a command with "
                     "--exec 'cmd'");
}

}  // namespace amux::mux
