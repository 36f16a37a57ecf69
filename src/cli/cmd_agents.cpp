// cmd_agents.cpp — `amux agents [--json [--all] [--follow]] [--cwd P]`: the
// list of sessions, as JSON for scripts (and its changes as they happen) or
// as a table.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "cli/agents_hosts.h"
#include "cli/cmd_view.h"
#include "cli/context.h"
#include "cli/supervisor_watch.h"
#include "mux/wire/daemon_client.h"
#include "mux/wire/ops.h"
#include "mux/wire/session_changes.h"
#include "render/safe_text.h"
#include "view/view_prefs.h"

namespace amux::cli {

nlohmann::json supervise(Context& ctx, const nlohmann::json& req, int timeout_ms);

namespace {
std::string age(int64_t since_ms) {
  int64_t s = std::max<int64_t>(0, (mux::now_ms() - since_ms) / 1000);
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m";
  if (s < 86400) return std::to_string(s / 3600) + "h";
  return std::to_string(s / 86400) + "d";
}
// The defaults for new sessions: given ones replace the remembered set in
// view.json; with none given, the remembered set applies. A bypass
// (--dangerously-skip-permissions) is never remembered.
void remember_defaults(const CLI::App& a, Context& ctx, view::ViewDefaults& d) {
  bool given = false;
  for (const char* o : {"--agent", "--model", "--effort", "--permission-mode", "--add-dir", "--settings",
                        "--mcp-config", "--plugin-dir"})
    given |= a.count(o) > 0;
  if (given) {
    if (int rc = view::save_view_defaults(ctx.paths.config_dir, d); rc < 0)
      std::fprintf(stderr, "amux: cannot remember the defaults in %s/view.json: %s\n", ctx.paths.config_dir.c_str(),
                   std::strerror(-rc));
    return;
  }
  if (auto saved = view::load_view_defaults(ctx.paths.config_dir)) {
    bool skip = d.skip_permissions;
    std::string cwd = d.cwd, list_cwd = d.list_cwd;
    std::vector<std::string> agents = d.agents;
    d = *saved;
    d.skip_permissions = skip;
    d.cwd = cwd;
    d.list_cwd = list_cwd;
    d.agents = agents;
  }
}

void print_line(const nlohmann::json& j) {
  std::string line = render::json_safe(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stdout);
  // Whoever read the stream has gone (SIGPIPE is ignored): stop quietly.
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) throw CommandError("", 1);
}

// `agents --json --follow`: the list on one line, then one line per change
// as the supervisor reports them, until interrupted or the supervisor goes.
void follow_list(Context& ctx, bool all, const std::string& cwd) {
  SupervisorWatch watch;
  mux::SessionChanges changes(all, cwd);
  auto list = watch.open(ctx, all, cwd);
  changes.reset(list);
  print_line({{"event", "list"}, {"sessions", list}});
  while (true) {
    std::string err;
    auto ev = watch.next(-1, nullptr, &err);
    if (!ev) throw CommandError("lost the background service: " + err);
    for (auto& change : changes.apply(*ev)) print_line(change);
  }
}
}  // namespace

void register_agents(CLI::App& app, Context& ctx) {
  static bool json_out = false, all = false, follow = false;
  static std::string cwd, only_host;
  static bool local_only = false;
  static view::ViewDefaults defaults;
  auto* a = app.add_subcommand("agents", "the agent view (--json: list sessions for scripts)");
  a->add_flag("--json", json_out, "print a JSON array and exit");
  a->add_flag("--all", all, "include finished sessions");
  a->add_option("--cwd", cwd, "only sessions in this directory or below");
  a->add_flag("--follow", follow,
              "with --json: the list once, then one JSON object per line per change (added, state, name, "
              "pin, removed) until interrupted");
  a->add_flag("--local", local_only, "only this machine's sessions (not the configured hosts')");
  a->add_option("--host", only_host, "only the sessions of configured host NAME")->type_name("NAME");
  add_view_options(a, defaults);
  a->callback([&ctx, a]() {
    ctx.load();
    std::string c = cwd;
    if (!c.empty()) {
      std::error_code ec;
      c = std::filesystem::weakly_canonical(std::filesystem::absolute(c, ec), ec).string();
    }
    if (follow) {
      if (!json_out) throw CommandError("--follow goes with --json", 2);
      follow_list(ctx, all, c);
      return;
    }
    // On a terminal: the agent view; piped: the plain table below.
    if (!json_out && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
      remember_defaults(*a, ctx, defaults);
      defaults.list_cwd = c;
      if (!c.empty() && defaults.cwd.empty()) defaults.cwd = c;
      int rc = open_agent_view(ctx, defaults);
      if (rc != 0) throw CommandError("", rc);
      return;
    }
    auto local = [&] {
      return supervise(ctx, {{"op", mux::op_name(mux::Op::List)}, {"all", all || !json_out}, {"cwd", c}}, 10000)["sessions"];
    };
    nlohmann::json s = local_only ? local() : list_with_hosts(ctx, local, only_host, all || !json_out);
    if (json_out) { std::cout << render::json_safe(s.dump(2)) << "\n"; return; }
    if (s.empty()) { std::printf("no sessions\n"); return; }
    for (auto& e : s) {
      std::string st = e.value("state", std::string());
      // Columns by display cells, every field through the one sanitizer.
      std::string id = e.value("id", std::string());
      if (e.contains("host")) id = e.value("host", std::string()) + ":" + id;
      std::string line = render::sanitize(id) + "  " +
                         render::fit_pad(render::sanitize(st), 8, false) + " " +
                         render::fit_pad(render::sanitize(e.value("name", std::string())), 24) + " " +
                         render::fit_pad(render::sanitize(e.value("detail", std::string())), 40) + " " +
                         age(e.value("startedAt", int64_t(0))) + (e.value("pinned", false) ? "  (pinned)" : "");
      std::printf("%s\n", line.c_str());
    }
  });
}

}  // namespace amux::cli
