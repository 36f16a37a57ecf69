// remote_cmd.h — client commands on another machine: the remote amux run
// with the same arguments over the host's ssh master.
//
// Why: `amux logs build:7c5dcf5d`, `reply`, `stop`, `rm`, `rename`, `pin`,
// `respawn`, `attach` and `--bg --host build` do on the host exactly what
// they do here; forwarding the command line keeps one behaviour and one
// set of messages, and only the session word changes (`build:7c5dcf5d` →
// `7c5dcf5d`).
#pragma once

#include <string>
#include <vector>

#include "cli/context.h"
#include "mux/store/config.h"

namespace amux::cli {

// When `target` names a session on a configured host, run this command
// there (the same arguments, the session word replaced) and return true;
// a failure throws CommandError with the remote command's exit status.
// `tty`: the remote side gets a terminal (attach).
bool forward_if_remote(Context& ctx, const std::string& target, bool tty = false);

// Run `amux <args>` on host h. Streams stdout unless capture_out (then
// returns it); throws CommandError (one line) when ssh or the version check
// fails, or with the remote exit status when the command itself failed
// (its own message already printed).
std::string run_remote(Context& ctx, const mux::HostEntry& h, const std::vector<std::string>& args, bool tty,
                       bool capture_out);

// The configured host NAME; throws CommandError (usage) when none.
const mux::HostEntry& configured_host(const Context& ctx, const std::string& name);

// An `attach …` command line with this machine's [attach] key bindings
// added (`attach --keys <toml> …`), so the detach keys typed here work there.
std::vector<std::string> with_local_keys(const Context& ctx, std::vector<std::string> args);

// ctx.args without `--host NAME` / `--host=NAME`.
std::vector<std::string> args_without_host(const std::vector<std::string>& args);

}  // namespace amux::cli
