// cmd_diff.cpp — `amux diff <id>`: what the session changed in its worktree
// against the commit it started from (worktree_diff.h), through git with
// the person's pager and colours. A session without a worktree says so in
// one line and exits 1.
#include <unistd.h>

#include "cli/context.h"
#include "cli/remote_cmd.h"
#include "mux/agents/worktree_diff.h"

namespace amux::cli {

void register_diff(CLI::App& app, Context& ctx) {
  static std::string target;
  auto* d = app.add_subcommand("diff", "what a session changed in its worktree (commits and uncommitted work)");
  d->add_option("session", target, "id, id prefix or part of a name")->required();
  d->callback([&ctx]() {
    ctx.load();
    // NAME:<id>: git diff runs there, its pager on this terminal (ssh -t).
    if (forward_if_remote(ctx, target, isatty(STDOUT_FILENO) != 0)) return;
    auto rec = ctx.resolve(target);
    std::string err;
    int rc = mux::run_worktree_diff(rec, &err);
    if (rc < 0) throw CommandError(err);
    if (rc != 0) throw CommandError("", rc);
  });
}

}  // namespace amux::cli
