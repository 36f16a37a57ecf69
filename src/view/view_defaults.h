// view_defaults.h — what `amux agents [defaults…]` passes to the agent view:
// the settings for sessions dispatched from its prompt box.
//
// Why: `amux agents --model M --effort E …` sets defaults for new sessions
// (docs/architecture.md §1, §7); the view shows them in its header and
// applies them to every dispatch. Kept apart so the CLI can fill it without ncurses.
#pragma once

#include <string>
#include <vector>

namespace amux::view {

struct ViewDefaults {
  std::string agent;             // profile; "" = config default_agent, else the first on PATH
  std::string model, effort, permission_mode;
  bool skip_permissions = false;
  std::string settings, mcp_config;
  std::vector<std::string> add_dirs, plugin_dirs;
  std::string cwd;               // directory for new sessions; "" = the current directory
  std::string list_cwd;          // show only sessions in this directory or below; "" = all
  // Agent profile names `@name` may pick; empty = the shipped ones.
  std::vector<std::string> agents;
  // Configured hosts (`@name` dispatches there when no profile has that name).
  std::vector<std::string> hosts;
};

}  // namespace amux::view
