// view_prefs.h — the agent view's remembered choices (<config dir>/view.json).
//
// Why: Ctrl+S picks grouping by state or by directory and the choice should
// survive closing the view (Claude Code keeps it too). The defaults for new
// sessions given to `amux agents` (--agent, --model, --effort, ...) are
// remembered too, so a plain `amux` dispatches the same way until other
// defaults are given. Written atomically; an unreadable file means defaults,
// never an error.
#pragma once

#include <optional>
#include <string>

#include "view/view_defaults.h"
#include "view/view_model.h"

namespace amux::view {

struct ViewPrefs {
  GroupBy group_by = GroupBy::State;
};

ViewPrefs load_view_prefs(const std::string& config_dir);
// 0 or -errno.
int save_view_prefs(const std::string& config_dir, const ViewPrefs& p);

// The remembered dispatch defaults: agent, model, effort, permission_mode,
// add_dirs, settings, mcp_config, plugin_dirs. Never skip_permissions (a
// bypass is asked for each time) nor the directories the view shows.
// nullopt when none were remembered.
std::optional<ViewDefaults> load_view_defaults(const std::string& config_dir);
// Replace the remembered set with `d`'s; keeps every other key. 0 or -errno.
int save_view_defaults(const std::string& config_dir, const ViewDefaults& d);

}  // namespace amux::view
