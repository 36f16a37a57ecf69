// cmd_attach.cpp — `amux attach <id|name>`: open a session in this terminal.
#include "cli/context.h"
#include "cli/host_request.h"
#include "cli/remote_cmd.h"

namespace amux::cli {

void register_attach(CLI::App& app, Context& ctx) {
  static std::string target, keys;
  auto* c = app.add_subcommand("attach", "open a session in this terminal (detach: C-\\ or C-b d; scrollback: C-b [)");
  c->add_option("session", target, "id, id prefix or part of a name")->required();
  // Hidden: the caller's [attach] bindings (keymap.toml text), so an attach
  // over ssh keeps the keys of the machine it was typed on.
  c->add_option("--keys", keys, "")->group("");
  c->callback([&ctx]() {
    ctx.load();
    if (forward_if_remote(ctx, target, true)) return;
    if (!keys.empty()) {
      try {
        ctx.keymap.merge_toml(keys, "the caller's key bindings");
      } catch (const keymap::KeymapError& e) {
        throw CommandError(e.what(), 2);
      }
    }
    auto rec = ensure_host(ctx, ctx.resolve(target));
    int rc = attach_session(ctx, rec);
    if (rc != 0) throw CommandError("", rc);
  });
}

}  // namespace amux::cli
