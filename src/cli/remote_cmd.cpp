// remote_cmd.cpp — see remote_cmd.h.
#include "cli/remote_cmd.h"

#include <algorithm>
#include <cstdio>

#include "mux/remote/host_address.h"
#include "mux/remote/ssh_command.h"
#include "mux/remote/ssh_run.h"
#include "render/safe_text.h"

namespace amux::cli {

const mux::HostEntry& configured_host(const Context& ctx, const std::string& name) {
  const mux::HostEntry* h = ctx.config.host(name);
  if (!h) throw CommandError(mux::unknown_host_error(ctx.config, name), 2);
  return *h;
}

std::vector<std::string> args_without_host(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); i++) {
    if (args[i] == "--") {
      out.insert(out.end(), args.begin() + std::ptrdiff_t(i), args.end());
      break;
    }
    if (args[i] == "--host") {
      i++;
      continue;
    }
    if (args[i].rfind("--host=", 0) == 0) continue;
    out.push_back(args[i]);
  }
  return out;
}

std::string run_remote(Context& ctx, const mux::HostEntry& h, const std::vector<std::string>& args, bool tty,
                       bool capture_out) {
  mux::SshOptions so;
  so.tty = tty;
  auto r = mux::run_ssh(mux::ssh_argv(ctx.paths, h, args, so), capture_out,
                        tty ? mux::SshStdin::Inherit : mux::SshStdin::Null);
  if (!r.error.empty()) throw CommandError(r.error);
  std::string why = mux::ssh_failure(h, r.exit_code, r.err);
  if (!why.empty()) throw CommandError(why);
  // The remote amux's own messages, as it printed them (sanitized again:
  // they crossed a machine boundary).
  if (!r.err.empty()) std::fputs(render::sanitize_lines(r.err).c_str(), stderr);
  if (r.exit_code != 0) throw CommandError("", r.exit_code);
  return r.out;
}

std::vector<std::string> with_local_keys(const Context& ctx, std::vector<std::string> args) {
  auto it = std::find(args.begin(), args.end(), "attach");
  if (it != args.end()) args.insert(it + 1, {"--keys", ctx.keymap.to_toml("attach")});
  return args;
}

bool forward_if_remote(Context& ctx, const std::string& target, bool tty) {
  auto addr = mux::parse_host_address(ctx.config, target);
  if (!addr) return false;
  std::vector<std::string> args = ctx.args;
  for (auto& a : args)
    if (a == target) {
      a = addr->query;
      break;
    }
  if (tty) args = with_local_keys(ctx, args);
  std::fflush(stdout);
  run_remote(ctx, *addr->host, args, tty, false);
  return true;
}

}  // namespace amux::cli
