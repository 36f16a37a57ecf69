// main.cpp — the amux command line: a table of commands (docs/architecture.md §1).
//
// Why: one binary serves every role: the user's commands, the hidden session
// host (`amux host <id>`) and, later, the supervisor. Each command lives in
// its own file and registers a CLI11 subcommand; main parses, runs, and turns
// every failure into one line on stderr and a non-zero exit.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/context.h"
#include "mux/store/session_id.h"
#include "render/safe_text.h"

namespace amux::cli {

void Context::load() {
  paths = mux::Paths::from_env();
  std::string err = paths.ensure();
  if (!err.empty()) throw CommandError(err);
  try {
    config = mux::load_config(paths.config_file());
    keymap.merge_file(paths.keymap_file());
  } catch (const mux::ConfigError& e) {
    throw CommandError(e.what());
  } catch (const keymap::KeymapError& e) {
    throw CommandError(e.what());
  }
}

mux::SessionRecord Context::resolve(const std::string& query) const {
  auto all = mux::load_all_records(paths);
  auto r = mux::resolve_session(all, query);
  if (r.id.empty()) {
    std::string msg = r.error;
    for (auto& c : r.candidates) msg += "\n  " + c;
    throw CommandError(msg);
  }
  for (auto& rec : all)
    if (rec.id == r.id) return rec;
  throw CommandError("no session matches '" + query + "'");
}

}  // namespace amux::cli

int main(int argc, char** argv) {
  using namespace amux::cli;
  signal(SIGPIPE, SIG_IGN);
  CLI::App app{"amux — a terminal multiplexer for coding agents.\n"
               "Runs agent CLIs and shell jobs as background sessions, each in its own PTY."};
  app.name("amux");
  app.set_version_flag("-V,--version", "amux " AMUX_VERSION);
  app.require_subcommand(0, 1);
  app.failure_message([](const CLI::App* a, const CLI::Error& e) {
    std::string s = amux::render::sanitize_lines(e.what());
    return "amux: " + s + "\nRun '" + a->get_name() + " --help' for usage.\n";
  });
  Context ctx;
  register_dispatch(app, ctx);
  register_attach(app, ctx);
  register_output(app, ctx);
  register_control(app, ctx);
  register_host(app, ctx);
  register_daemon(app, ctx);
  register_manage(app, ctx);
  register_agents(app, ctx);
  register_notify(app, ctx);
  register_bypass(app, ctx);
  register_trust(app, ctx);
  register_hello(app, ctx);
  register_script(app, ctx);
  register_diff(app, ctx);
  // `amux` alone opens the agent view (= `amux agents`).
  std::vector<char*> args(argv, argv + argc);
  static char agents_cmd[] = "agents";
  if (argc == 1) args.push_back(agents_cmd);
  ctx.args.assign(argv + 1, argv + argc);
  try {
    app.parse(int(args.size()), args.data());
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "amux: " << amux::render::sanitize_lines(e.what()) << "\nRun 'amux --help' for usage.\n";
    return 2;
  } catch (const CommandError& e) {
    if (*e.what()) std::cerr << "amux: " << amux::render::sanitize_lines(e.what()) << "\n";
    return e.code;
  } catch (const std::exception& e) {
    std::cerr << "amux: " << amux::render::sanitize_lines(e.what()) << "\n";
    return 1;
  }
  return 0;
}
