// agent_view.h — the agent view: `amux` and `amux agents` in a terminal.
//
// Why: the product's face (README.md "Agent view"; processes and
// sockets: docs/architecture.md §2). One full-screen ncurses program
// on a libuv loop: a watch connection to the supervisor keeps the rows
// current, live tiles subscribe to session hosts, keys come from the
// terminal raw and go through [view] bindings. Attach suspends the view and
// comes back to the same row.
#pragma once

#include <string>

#include "keymap/keymap_table.h"
#include "mux/store/config.h"
#include "mux/store/paths.h"
#include "view/view_defaults.h"

namespace amux::view {

// Run the view until the person quits. Returns the process exit status (0;
// 1 with a line on stderr when the view is turned off or cannot start).
int run_agent_view(const mux::Paths& paths, const mux::Config& config, const keymap::KeymapTable& keys,
                   const ViewDefaults& defaults);

// Why the view is turned off ("" when it is not): AMUX_DISABLE_AGENT_VIEW=1,
// the managed settings file (/etc/amux/managed.toml, [view]
// disable_agent_view = true) or the user's config.
std::string agent_view_disabled(const mux::Config& config,
                                const std::string& managed_path = "/etc/amux/managed.toml");

}  // namespace amux::view
