// cmd_dispatch.cpp — `amux --bg --exec CMD` and `amux new --exec CMD`:
// start a background session and print how to reach it (or attach at once).
//
// Why here: dispatch turns what the user typed into a session record and a
// running host. Issue B routes it through the supervisor; agent prompts
// arrive with issue C.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/context.h"
#include "cli/host_request.h"
#include "mux/dispatch.h"

namespace amux::cli {
namespace {

struct DispatchOptions {
  bool bg = false;
  std::string exec;
  std::string name;
  std::string cwd;
  std::vector<std::string> prompt;
};

mux::SessionRecord dispatch(Context& ctx, const DispatchOptions& o) {
  mux::NewSession n;
  n.shell = !o.exec.empty();
  n.command = o.exec;
  for (auto& p : o.prompt) n.prompt += (n.prompt.empty() ? "" : " ") + p;
  if (!n.shell && n.prompt.empty()) throw CommandError("nothing to run: give a prompt, or --exec 'command'");
  n.name = o.name;
  n.cwd = o.cwd;
  try {
    return mux::dispatch_session(ctx.paths, ctx.config, n);
  } catch (const mux::DispatchError& e) {
    throw CommandError(e.what());
  }
}

void print_backgrounded(const mux::SessionRecord& r) {
  std::string id = r.id;
  std::printf("backgrounded · %s · %s\n", id.c_str(), r.name.c_str());
  std::string a = "amux attach " + id, l = "amux logs " + id, s = "amux stop " + id;
  size_t w = a.size();
  std::printf("  %-*s list sessions\n", int(w), "amux agents");
  std::printf("  %-*s open in this terminal\n", int(w), a.c_str());
  std::printf("  %-*s show recent output\n", int(w), l.c_str());
  std::printf("  %-*s stop this session\n", int(w), s.c_str());
}

void add_dispatch_options(CLI::App* c, DispatchOptions& o) {
  c->add_option("--exec", o.exec, "run a shell command instead of an agent")->type_name("CMD");
  c->add_option("--name", o.name, "name shown in lists (default: from the command)");
  c->add_option("--cwd", o.cwd, "directory to run in (default: the current one)")->type_name("DIR");
  c->add_option("prompt", o.prompt, "prompt for an agent session");
}

}  // namespace

void register_dispatch(CLI::App& app, Context& ctx) {
  static DispatchOptions root, fresh;
  app.add_flag("--bg", root.bg, "dispatch a background session and print its id");
  add_dispatch_options(&app, root);
  app.callback([&app, &ctx]() {
    if (!app.get_subcommands().empty()) return;
    if (!root.bg) {
      if (!root.exec.empty() || !root.prompt.empty())
        throw CommandError("to start a session use --bg (background) or 'amux new' (attach at once)", 2);
      std::cout << app.help();
      return;
    }
    ctx.load();
    auto r = dispatch(ctx, root);
    print_backgrounded(r);
  });

  auto* c = app.add_subcommand("new", "dispatch a session and attach to it at once");
  add_dispatch_options(c, fresh);
  c->callback([&ctx]() {
    ctx.load();
    auto r = dispatch(ctx, fresh);
    int rc = attach_session(ctx, r);
    if (rc != 0) throw CommandError("", rc);
  });
}

}  // namespace amux::cli
