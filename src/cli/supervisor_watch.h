// supervisor_watch.h — a client command's subscription to the supervisor's
// session list (`agents --json --follow`, `wait`).
//
// Why: scripts wait on sessions without polling: the command asks the
// supervisor to watch (every record write comes as an event) and for the
// list, then blocks on its socket until the next event arrives.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/context.h"
#include "mux/wire/host_client.h"

namespace amux::cli {

class SupervisorWatch {
 public:
  // Connect (starting the supervisor when needed), watch, and return the
  // list ({"all":all,"cwd":cwd} as for `agents --json`). Throws CommandError.
  nlohmann::json open(Context& ctx, bool all, const std::string& cwd);

  // The next event, waiting at most timeout_ms (-1: for ever). nullopt on
  // timeout (*timed_out set) or when the supervisor went away (*error set).
  std::optional<nlohmann::json> next(int timeout_ms, bool* timed_out, std::string* error);

 private:
  mux::HostClient conn_;
};

}  // namespace amux::cli
