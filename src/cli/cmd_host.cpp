// cmd_host.cpp — `amux host <id>` (hidden): run the session host process in
// this binary. The launcher normally starts the small build/amux-host
// instead (src/host/host_main.cpp, same command line); this is the fallback
// when that binary is missing, and it resolves the settings and screen
// patterns itself, as the launcher does (host_launcher.h).
#include "cli/context.h"
#include "mux/store/config.h"
#include "mux/daemon/host_launcher.h"
#include "mux/host/session_host.h"

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
      std::string err;
      auto rec = mux::load_record(ctx.paths, id, &err);
      if (!rec) throw CommandError(err);
      o.apply(mux::resolve_host_spec(ctx.paths, *rec));
    } catch (const mux::ConfigError& e) {
      if (ready_fd >= 0) dprintf(ready_fd, "error: %s\n", e.what());
      throw CommandError(e.what());
    } catch (const CommandError& e) {
      if (ready_fd >= 0) dprintf(ready_fd, "error: %s\n", e.what());
      throw;
    }
    o.paths = ctx.paths;
    o.id = id;
    o.ready_fd = ready_fd;
    int rc = mux::SessionHost::run_main(o);
    if (rc != 0) throw CommandError("", rc);
  });
}

}  // namespace amux::cli
