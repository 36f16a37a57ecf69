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

#include "cli/attach_client.h"
#include "cli/context.h"
#include "mux/host_launcher.h"
#include "mux/session_id.h"

namespace amux::cli {
namespace {

struct DispatchOptions {
  bool bg = false;
  std::string exec;
  std::string name;
  std::string cwd;
  std::vector<std::string> prompt;
};

std::string shell_path() {
  if (access("/bin/bash", X_OK) == 0) return "/bin/bash";
  return "/bin/sh";
}

// A display name from a command: its first line, at most 40 characters.
std::string name_from_text(const std::string& text) {
  std::string s = text.substr(0, text.find('\n'));
  while (!s.empty() && isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t b = s.find_first_not_of(" \t");
  s = b == std::string::npos ? "" : s.substr(b);
  if (s.size() > 40) {
    s.resize(40);
    while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80) s.pop_back();
    if (!s.empty()) s.pop_back();
    s += "…";
  }
  return s.empty() ? "job" : s;
}

mux::SessionRecord dispatch(Context& ctx, const DispatchOptions& o) {
  if (o.exec.empty()) {
    if (!o.prompt.empty())
      throw CommandError("agent sessions are not available yet; run a shell job with --exec 'command'");
    throw CommandError("nothing to run: give --exec 'command'");
  }
  mux::SessionRecord r;
  r.id = mux::new_session_id();
  r.session_uuid = mux::new_uuid();
  r.kind = "shell";
  r.agent = "shell";
  r.prompt = o.exec;
  r.argv = {shell_path(), "-c", o.exec};
  r.name = o.name.empty() ? name_from_text(o.exec) : o.name;
  r.name_source = o.name.empty() ? "auto" : "user";
  std::error_code ec;
  std::filesystem::path cwd = o.cwd.empty() ? std::filesystem::current_path(ec) : std::filesystem::path(o.cwd);
  cwd = std::filesystem::absolute(cwd, ec);
  if (!std::filesystem::is_directory(cwd, ec)) throw CommandError("no such directory: " + cwd.string());
  r.cwd = cwd.string();
  r.rows = ctx.config.rows;
  r.cols = ctx.config.cols;
  r.created_at = mux::now_ms();
  r.state = mux::SessionState::Starting;
  r.detail = "starting…";
  r.socket = ctx.paths.host_socket(r.id);
  if (int e = mux::save_record(ctx.paths, r); e != 0)
    throw CommandError("cannot write " + ctx.paths.state_file(r.id) + ": " + strerror(-e));
  std::string err = mux::launch_host(ctx.paths, r.id);
  if (!err.empty()) {
    r.state = mux::SessionState::Failed;
    r.detail = "host did not start — " + err;
    mux::save_record(ctx.paths, r);
    throw CommandError("could not start session " + r.id + ": " + err);
  }
  return r;
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
