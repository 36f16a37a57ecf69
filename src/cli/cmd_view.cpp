// cmd_view.cpp — see cmd_view.h.
#include "cli/cmd_view.h"

#include "view/agent_view.h"

namespace amux::cli {

void add_view_options(CLI::App* c, view::ViewDefaults& d) {
  c->add_option("--agent", d.agent, "agent profile for new sessions")->type_name("PROFILE");
  c->add_option("--model", d.model, "model for new sessions");
  c->add_option("--effort", d.effort, "effort for new sessions");
  c->add_option("--permission-mode", d.permission_mode, "permission mode for new sessions");
  c->add_flag("--dangerously-skip-permissions", d.skip_permissions, "new sessions skip permission prompts");
  c->add_option("--add-dir", d.add_dirs, "extra directory for new sessions (repeatable)")
      ->type_name("DIR")
      ->allow_extra_args(false);
  c->add_option("--settings", d.settings, "settings file for new sessions");
  c->add_option("--mcp-config", d.mcp_config, "MCP config for new sessions");
  c->add_option("--plugin-dir", d.plugin_dirs, "plugin directory for new sessions (repeatable)")
      ->type_name("DIR")
      ->allow_extra_args(false);
}

int open_agent_view(Context& ctx, const view::ViewDefaults& d) {
  ctx.load();
  return view::run_agent_view(ctx.paths, ctx.config, ctx.keymap, d);
}

}  // namespace amux::cli
