// cmd_dispatch.cpp — `amux --bg [options] "prompt" [-- agent args]`,
// `amux --bg --exec CMD` and `amux new …`: start a background session and
// print how to reach it (or attach at once).
//
// Why here: dispatch turns what the user typed into a mux::NewSession; the
// mux layer (dispatch.h) picks the profile, the worktree and the argv, and
// the supervisor starts the host. The options mirror claude's (docs/architecture.md §1);
// anything after `--` goes to the agent untouched.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/context.h"
#include "cli/host_request.h"
#include "cli/remote_cmd.h"
#include "mux/daemon/dispatch.h"
#include "render/safe_text.h"

namespace amux::cli {
namespace {

struct DispatchOptions {
  bool bg = false;
  std::string exec;
  std::string name;
  std::string cwd;
  std::string host;  // a configured [hosts.NAME]: dispatch there
  std::string agent, model, effort, permission_mode, settings, mcp_config;
  bool skip_permissions = false;
  std::vector<std::string> add_dirs, plugin_dirs;
  std::vector<std::string> prompt;  // positional words, then whatever followed `--`
};

// How many arguments followed the first `--` of the command line: CLI11
// hands them to the prompt positional, and they belong to the agent.
size_t count_after_dashdash(const std::vector<std::string>& args) {
  auto it = std::find(args.begin(), args.end(), "--");
  return it == args.end() ? 0 : size_t(args.end() - it - 1);
}

mux::SessionRecord dispatch(Context& ctx, const DispatchOptions& o) {
  mux::NewSession n;
  n.shell = !o.exec.empty();
  n.command = o.exec;
  size_t extra = std::min(count_after_dashdash(ctx.args), o.prompt.size());
  size_t words = o.prompt.size() - extra;
  for (size_t i = 0; i < words; ++i) n.prompt += (n.prompt.empty() ? "" : " ") + o.prompt[i];
  n.extra_args.assign(o.prompt.begin() + std::ptrdiff_t(words), o.prompt.end());
  if (n.shell && !n.prompt.empty())
    throw CommandError("give either a prompt or --exec 'command', not both", 2);
  if (!n.shell && n.prompt.empty()) throw CommandError("nothing to run: give a prompt, or --exec 'command'", 2);
  n.agent = o.agent;
  n.name = o.name;
  n.cwd = o.cwd;
  n.model = o.model;
  n.effort = o.effort;
  n.permission_mode = o.permission_mode;
  n.skip_permissions = o.skip_permissions;
  n.add_dirs = o.add_dirs;
  n.plugin_dirs = o.plugin_dirs;
  n.mcp_config = o.mcp_config;
  // Relative files are relative to where the user typed them, not to the
  // session's directory (which may be a fresh worktree).
  auto absolute = [](const std::string& p) {
    if (p.empty() || p[0] == '{') return p;  // inline JSON (--settings '{…}')
    std::error_code ec;
    return std::filesystem::absolute(p, ec).lexically_normal().string();
  };
  n.settings = absolute(o.settings);
  for (auto& d : n.add_dirs) d = absolute(d);
  for (auto& d : n.plugin_dirs) d = absolute(d);
  if (!n.mcp_config.empty() && n.mcp_config[0] != '{') n.mcp_config = absolute(n.mcp_config);
  // What an untrusted project file asked for is told once, on stderr, whether
  // or not the dispatch then succeeds.
  std::string notice;
  auto tell = [&notice] {
    if (!notice.empty()) std::fprintf(stderr, "amux: %s\n", render::sanitize(notice).c_str());
  };
  try {
    mux::SessionRecord r = mux::dispatch_session(ctx.paths, ctx.config, n, &notice);
    tell();
    return r;
  } catch (const mux::DispatchError& e) {
    tell();
    throw CommandError(e.what());
  }
}

void print_backgrounded(const std::string& id, const std::string& name, const std::string& worktree) {
  std::printf("backgrounded · %s · %s\n", render::sanitize(id).c_str(), render::sanitize(name).c_str());
  std::string a = "amux attach " + id, l = "amux logs " + id, s = "amux stop " + id;
  size_t w = a.size();
  std::printf("  %-*s list sessions\n", int(w), "amux agents");
  std::printf("  %-*s open in this terminal\n", int(w), a.c_str());
  std::printf("  %-*s show recent output\n", int(w), l.c_str());
  std::printf("  %-*s stop this session\n", int(w), s.c_str());
  if (!worktree.empty()) std::printf("  worktree: %s\n", render::sanitize(worktree).c_str());
}

void print_backgrounded(const mux::SessionRecord& r) { print_backgrounded(r.id, r.name, r.worktree); }

// Dispatch on a configured host: the remote amux runs `--bg` with the same
// options (a `new` becomes `--bg`, then an attach over ssh); what it printed
// is told again here with the id as `NAME:<id>`. Returns that id.
std::string dispatch_remote(Context& ctx, const std::string& host, bool attach) {
  const mux::HostEntry& h = configured_host(ctx, host);
  std::vector<std::string> args = args_without_host(ctx.args);
  if (!args.empty() && args[0] == "new") args[0] = "--bg";
  std::string out = run_remote(ctx, h, args, false, true);
  // "backgrounded · <id> · <name>" [… "  worktree: <path>"]
  const std::string sep = " · ";
  std::string first = out.substr(0, out.find('\n'));
  size_t a = first.find(sep), b = a == std::string::npos ? a : first.find(sep, a + sep.size());
  if (b == std::string::npos) throw CommandError("host '" + h.name + "': unexpected answer to dispatch: " + first);
  std::string id = h.name + ":" + first.substr(a + sep.size(), b - a - sep.size());
  std::string name = first.substr(b + sep.size()), worktree;
  size_t w = out.find("  worktree: ");
  if (w != std::string::npos) worktree = out.substr(w + 12, out.find('\n', w) - w - 12);
  if (!attach) print_backgrounded(id, name, worktree);
  return id;
}

void add_dispatch_options(CLI::App* c, DispatchOptions& o) {
  c->add_option("--exec", o.exec, "run a shell command instead of an agent")->type_name("CMD");
  c->add_option("--name", o.name, "name shown in lists (default: from the prompt)");
  c->add_option("--cwd", o.cwd, "directory to run in (default: the current one; with --host a remote path, "
                               "default the remote home)")->type_name("DIR");
  c->add_option("--host", o.host, "dispatch on a configured [hosts.NAME] over ssh; its id is NAME:<id>")
      ->type_name("NAME");
  c->add_option("--agent", o.agent, "agent profile (default: default_agent, else the first on PATH)")
      ->type_name("PROFILE");
  c->add_option("--model", o.model, "model for the agent");
  c->add_option("--effort", o.effort, "effort level for the agent");
  c->add_option("--permission-mode", o.permission_mode, "the agent's permission mode")->type_name("MODE");
  c->add_flag("--dangerously-skip-permissions", o.skip_permissions,
              "bypass the agent's permission checks (needs `amux accept-bypass` once)");
  c->add_option("--add-dir", o.add_dirs, "another directory the agent may use (repeatable)")
      ->type_name("DIR")
      ->allow_extra_args(false);
  c->add_option("--settings", o.settings, "settings file or JSON for the agent")->type_name("FILE");
  c->add_option("--mcp-config", o.mcp_config, "MCP servers file or JSON for the agent")->type_name("FILE");
  c->add_option("--plugin-dir", o.plugin_dirs, "plugin directory for the agent (repeatable)")
      ->type_name("DIR")
      ->allow_extra_args(false);
  c->add_option("prompt", o.prompt, "prompt for an agent session; after --, arguments for the agent");
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
    if (!root.host.empty()) {
      dispatch_remote(ctx, root.host, false);
      return;
    }
    auto r = dispatch(ctx, root);
    print_backgrounded(r);
  });

  auto* c = app.add_subcommand("new", "dispatch a session and attach to it at once");
  add_dispatch_options(c, fresh);
  c->callback([&ctx]() {
    ctx.load();
    if (!fresh.host.empty()) {
      std::string id = dispatch_remote(ctx, fresh.host, true);
      auto addr = id.substr(id.find(':') + 1);
      run_remote(ctx, configured_host(ctx, fresh.host), with_local_keys(ctx, {"attach", addr}), true, false);
      return;
    }
    auto r = dispatch(ctx, fresh);
    int rc = attach_session(ctx, r);
    if (rc != 0) throw CommandError("", rc);
  });
}

}  // namespace amux::cli
