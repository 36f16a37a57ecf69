// cmd_output.cpp — `amux logs` and `amux capture`: a session's output as text.
//
// logs: scrollback + screen (last N lines; -f keeps printing new lines until
// the session ends). capture: the visible screen now (-e with SGR attributes).
// show-buffer: what copy mode copied last.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/context.h"
#include "cli/host_request.h"
#include "cli/remote_cmd.h"
#include "mux/wire/ops.h"

namespace amux::cli {

void register_output(CLI::App& app, Context& ctx) {
  static std::string target;
  static int lines = 0;
  static bool follow = false;
  auto* l = app.add_subcommand("logs", "recent output of a session as text (scrollback + screen)");
  l->add_option("session", target, "id, id prefix or part of a name")->required();
  l->add_option("-n,--lines", lines, "only the last N lines (default: all kept)")->check(CLI::NonNegativeNumber);
  l->add_flag("-f,--follow", follow, "keep printing new lines until the session ends");
  l->callback([&ctx]() {
    ctx.load();
    if (forward_if_remote(ctx, target)) return;
    auto rec = ctx.resolve(target);
    if (!follow) {
      auto r = host_request(ctx, rec, {{"op", mux::op_name(mux::Op::Logs)}, {"lines", lines}});
      std::cout << r.value("text", std::string()) << std::flush;
      return;
    }
    auto hc = connect_session(ctx, rec);
    hc.send(mux::MsgType::Request, nlohmann::json{{"op", mux::op_name(mux::Op::Follow)}, {"lines", lines}}.dump());
    std::string err;
    while (true) {
      auto f = hc.receive(-1, &err);
      if (!f) break;
      nlohmann::json j;
      try { j = f->json(); } catch (...) { break; }
      if (f->type == mux::MsgType::Response && !j.value("ok", false))
        throw CommandError(j.value("error", std::string("follow refused")));
      std::cout << j.value("text", std::string()) << std::flush;
      if (j.value("exited", false)) break;
    }
  });

  static std::string ctarget;
  static bool escapes = false;
  auto* c = app.add_subcommand("capture", "the visible screen of a session now");
  c->add_option("session", ctarget, "id, id prefix or part of a name")->required();
  c->add_flag("-e,--escapes", escapes, "include colours and attributes as SGR escape sequences");
  c->callback([&ctx]() {
    ctx.load();
    if (forward_if_remote(ctx, ctarget)) return;
    auto rec = ensure_host(ctx, ctx.resolve(ctarget));
    auto r = host_request(ctx, rec, {{"op", mux::op_name(mux::Op::Capture)}, {"sgr", escapes}});
    std::cout << r.value("text", std::string()) << std::flush;
  });

  // Copy mode's last copy (y or Enter), kept in the config dir. The host
  // built it from screen cells, which hold no control characters; it is
  // printed as it was copied.
  auto* b = app.add_subcommand("show-buffer", "print the text last copied in copy mode (C-b [)");
  b->callback([&ctx]() {
    ctx.load();
    std::ifstream in(ctx.paths.buffer_file(), std::ios::binary);
    if (!in) throw CommandError("nothing copied yet (copy mode: C-b [, v to select, y to copy)");
    std::cout << in.rdbuf() << std::flush;
  });
}

}  // namespace amux::cli
