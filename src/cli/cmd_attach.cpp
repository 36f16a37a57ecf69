// cmd_attach.cpp — `amux attach <id|name>`: open a session in this terminal.
#include "cli/context.h"
#include "cli/host_request.h"

namespace amux::cli {

void register_attach(CLI::App& app, Context& ctx) {
  static std::string target;
  auto* c = app.add_subcommand("attach", "open a session in this terminal (detach: C-\\ or C-b d; scrollback: C-b [)");
  c->add_option("session", target, "id, id prefix or part of a name")->required();
  c->callback([&ctx]() {
    ctx.load();
    auto rec = ensure_host(ctx, ctx.resolve(target));
    int rc = attach_session(ctx, rec);
    if (rc != 0) throw CommandError("", rc);
  });
}

}  // namespace amux::cli
