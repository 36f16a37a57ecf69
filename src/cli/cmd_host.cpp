// cmd_host.cpp — `amux host <id>` (hidden): run the session host process.
#include "cli/context.h"
#include "mux/session_host.h"

namespace amux::cli {

void register_host(CLI::App& app, Context& ctx) {
  static std::string id;
  static int ready_fd = -1;
  auto* h = app.add_subcommand("host", "");  // empty description hides it from --help
  h->group("");
  h->add_option("id", id)->required();
  h->add_option("--ready-fd", ready_fd);
  h->callback([&ctx]() {
    mux::HostOptions o;
    try {
      ctx.load();
    } catch (const CommandError& e) {
      if (ready_fd >= 0) dprintf(ready_fd, "error: %s\n", e.what());
      throw;
    }
    o.paths = ctx.paths;
    o.id = id;
    o.scrollback_lines = ctx.config.scrollback_lines;
    o.linger_seconds = ctx.config.shell_linger;
    o.stopped_linger_seconds = ctx.config.stopped_linger;
    o.idle_agent_seconds = ctx.config.idle_agent;
    o.ready_fd = ready_fd;
    int rc = mux::SessionHost::run_main(o);
    if (rc != 0) throw CommandError("", rc);
  });
}

}  // namespace amux::cli
