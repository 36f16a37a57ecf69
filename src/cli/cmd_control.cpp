// cmd_control.cpp — `amux reply` (type a line into a session) and
// `amux stop|kill` (stop it; the record stays).
#include <cstdio>

#include "cli/context.h"
#include "cli/host_request.h"

namespace amux::cli {

void register_control(CLI::App& app, Context& ctx) {
  static std::string rtarget, text;
  auto* r = app.add_subcommand("reply", "type a line into a session without attaching");
  r->add_option("session", rtarget, "id, id prefix or part of a name")->required();
  r->add_option("text", text, "the line to type (Enter is added)")->required();
  r->callback([&ctx]() {
    ctx.load();
    auto rec = ctx.resolve(rtarget);
    host_request(ctx, rec, {{"op", "reply"}, {"text", text}});
  });

  static std::string starget;
  for (const char* name : {"stop", "kill"}) {
    auto* s = app.add_subcommand(name, "stop a session (its record stays; see rm)");
    s->add_option("session", starget, "id, id prefix or part of a name")->required();
    s->callback([&ctx]() {
      ctx.load();
      auto rec = ctx.resolve(starget);
      if (!mux::state_is_live(rec.state)) {
        std::printf("stopped %s\n", rec.id.c_str());  // already ended: nothing to do
        return;
      }
      host_request(ctx, rec, {{"op", "stop"}}, 15000);
      std::printf("stopped %s\n", rec.id.c_str());
    });
  }
}

}  // namespace amux::cli
