// cmd_view.h — opening the agent view from the command line: `amux` with
// no arguments and `amux agents` without --json.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/context.h"
#include "view/view_defaults.h"

namespace amux::cli {

// The defaults for new sessions that `amux agents` takes (docs/architecture.md §1):
// --agent, --model, --effort, --permission-mode,
// --dangerously-skip-permissions, --add-dir, --settings, --mcp-config,
// --plugin-dir.
void add_view_options(CLI::App* cmd, view::ViewDefaults& d);

// Load the context and run the view; returns the exit status.
int open_agent_view(Context& ctx, const view::ViewDefaults& d);

}  // namespace amux::cli
