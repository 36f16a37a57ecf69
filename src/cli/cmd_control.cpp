// cmd_control.cpp — `amux reply` (type a line into a session) and
// `amux stop|kill` (stop it; the record stays).
#include <cstdio>

#include "cli/context.h"
#include "cli/host_request.h"
#include "cli/remote_cmd.h"
#include "mux/wire/ops.h"
#include "mux/wire/daemon_client.h"

namespace amux::cli {

void register_control(CLI::App& app, Context& ctx) {
  static std::string rtarget, text;
  auto* r = app.add_subcommand("reply", "type a line into a session without attaching");
  r->add_option("session", rtarget, "id, id prefix or part of a name")->required();
  r->add_option("text", text, "the line to type (Enter is added)")->required();
  r->callback([&ctx]() {
    ctx.load();
    if (forward_if_remote(ctx, rtarget)) return;
    auto rec = ensure_host(ctx, ctx.resolve(rtarget));
    host_request(ctx, rec, {{"op", mux::op_name(mux::Op::Reply)}, {"text", text}});
  });

  static std::string starget;
  for (const char* name : {"stop", "kill"}) {
    auto* s = app.add_subcommand(name, "stop a session (its record stays; see rm)");
    s->add_option("session", starget, "id, id prefix or part of a name")->required();
    s->callback([&ctx]() {
      ctx.load();
      if (forward_if_remote(ctx, starget)) return;
      auto rec = ctx.resolve(starget);
      auto r = mux::supervisor_request(ctx.paths, {{"op", mux::op_name(mux::Op::Stop)}, {"id", rec.id}}, true, 15000);
      if (!r.value("ok", false)) throw CommandError(r.value("error", std::string("stop failed")));
      std::printf("stopped %s\n", rec.id.c_str());
    });
  }
}

}  // namespace amux::cli
