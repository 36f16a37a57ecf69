// context.h — what every client command shares: paths, config, output helpers.
//
// Why: commands are entries in a table (like tmux's cmd-*.c); each gets the
// same context and reports errors the same way: one line on stderr
// ("amux: ...") and a non-zero exit status.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "keymap/keymap_table.h"
#include "mux/store/config.h"
#include "mux/store/paths.h"
#include "mux/store/session_record.h"

namespace amux::cli {

// A failure with a one-line message; main prints "amux: <msg>" and exits `code`.
struct CommandError : std::runtime_error {
  explicit CommandError(const std::string& m, int c = 1) : std::runtime_error(m), code(c) {}
  int code;
};

struct Context {
  mux::Paths paths;
  mux::Config config;
  keymap::KeymapTable keymap = keymap::KeymapTable::defaults();
  bool json = false;
  std::vector<std::string> args;  // the command line as given (argv[1..])

  // Paths ensured and config loaded; throws CommandError.
  void load();
  // Find the session a user named (id, id prefix, name part); throws CommandError.
  mux::SessionRecord resolve(const std::string& query) const;
};

// One command of the table: registers its subcommand and sets its callback.
using Registrar = void (*)(CLI::App& app, Context& ctx);

void register_dispatch(CLI::App& app, Context& ctx);   // --bg / new
void register_attach(CLI::App& app, Context& ctx);     // attach
void register_output(CLI::App& app, Context& ctx);     // logs, capture, show-buffer
void register_control(CLI::App& app, Context& ctx);    // reply, stop/kill
void register_host(CLI::App& app, Context& ctx);       // host (hidden)
void register_daemon(CLI::App& app, Context& ctx);     // daemon run|status|logs|stop
void register_manage(CLI::App& app, Context& ctx);     // rm, respawn, rename, pin, unpin
void register_agents(CLI::App& app, Context& ctx);     // agents
void register_notify(CLI::App& app, Context& ctx);     // notify (agent hooks)
void register_bypass(CLI::App& app, Context& ctx);     // accept-bypass
void register_trust(CLI::App& app, Context& ctx);      // trust
void register_hello(CLI::App& app, Context& ctx);      // hello (hidden; asked over ssh)
void register_script(CLI::App& app, Context& ctx);     // wait, explain
void register_diff(CLI::App& app, Context& ctx);       // diff

}  // namespace amux::cli
