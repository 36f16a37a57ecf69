// view_prefs.h — the agent view's remembered choices (<config dir>/view.json).
//
// Why: Ctrl+S picks grouping by state or by directory and the choice should
// survive closing the view (Claude Code keeps it too). Written atomically;
// an unreadable file means defaults, never an error.
#pragma once

#include <string>

#include "view/view_model.h"

namespace amux::view {

struct ViewPrefs {
  GroupBy group_by = GroupBy::State;
};

ViewPrefs load_view_prefs(const std::string& config_dir);
// 0 or -errno.
int save_view_prefs(const std::string& config_dir, const ViewPrefs& p);

}  // namespace amux::view
