// prompt_parse.h — what the prompt box's text asks for.
//
// Why: the prompt box is a tiny language (README.md "Agent view"): `!cmd` runs a
// shell job; leading `@agent` picks an agent profile and `@repo` a directory
// next to the view's own (a sibling); `/command` goes to the agent as is;
// anything else is a prompt for the default agent, and a prompt under four
// characters is refused as "Too short". Parsing is pure so it is tested
// without a supervisor.
#pragma once

#include <functional>
#include <string>

#include "mux/daemon/dispatch.h"
#include "view/view_defaults.h"

namespace amux::view {

struct ParsedPrompt {
  std::string error;      // "" when `request` is ready
  std::string host;       // `@host`: dispatch on that configured host ("" = here)
  mux::NewSession request;
};

// `is_dir` tells whether a path is an existing directory (injected for tests).
ParsedPrompt parse_prompt(const std::string& text, const ViewDefaults& d,
                          const std::function<bool(const std::string&)>& is_dir);

// Shipped agent profile names (for @mentions when ViewDefaults::agents is empty).
const std::vector<std::string>& shipped_agents();

}  // namespace amux::view
