// cmd_manage.cpp — `amux rm`, `respawn`, `rename`, `pin`, `unpin`: changes
// to the roster, made by the supervisor.
#include <cstdio>

#include "cli/context.h"
#include "cli/remote_cmd.h"
#include "mux/wire/daemon_client.h"
#include "mux/wire/ops.h"
#include "render/safe_text.h"

namespace amux::cli {

nlohmann::json supervise(Context& ctx, const nlohmann::json& req, int timeout_ms) {
  auto r = mux::supervisor_request(ctx.paths, req, true, timeout_ms);
  if (!r.value("ok", false)) throw CommandError(r.value("error", std::string("request failed")));
  return r;
}

void register_manage(CLI::App& app, Context& ctx) {
  // rm also removes the session's worktree when nothing would be lost
  // (docs/architecture.md §7); one with uncommitted changes or unmerged commits keeps
  // the session until `rm --discard <id>` names it again.
  static std::string rm_target;
  static bool force = false, discard = false;
  auto* rm = app.add_subcommand("rm", "remove a session from the list (stop it first, or --force)");
  rm->add_option("session", rm_target, "id, id prefix or part of a name")->required();
  rm->add_flag("-f,--force", force, "stop a running session and remove it");
  rm->add_flag("--discard", discard,
               "also delete its worktree with uncommitted changes and unmerged commits");
  rm->callback([&ctx]() {
    ctx.load();
    if (forward_if_remote(ctx, rm_target)) return;
    auto rec = ctx.resolve(rm_target);
    nlohmann::json req = {{"op", mux::op_name(mux::Op::Rm)}, {"id", rec.id}, {"force", force || discard}};
    if (discard) req["discardWorktree"] = true;
    auto r = supervise(ctx, req, 120000);
    std::printf("removed %s\n", rec.id.c_str());
    if (r.contains("worktree")) {
      const auto& wt = r["worktree"];
      std::string msg = wt.value("message", wt.value("error", std::string()));
      if (!msg.empty()) std::printf("%s\n", render::sanitize_lines(msg).c_str());
      std::string cmd = wt.value("discardCommand", std::string());
      if (!cmd.empty()) std::printf("  to discard it: %s\n", render::sanitize(cmd).c_str());
    }
  });

  static std::string rs_target;
  static bool rs_all = false;
  auto* rs = app.add_subcommand("respawn", "restart a session (same id, directory and conversation)");
  rs->add_option("session", rs_target, "id, id prefix or part of a name");
  rs->add_flag("--all", rs_all, "restart every session");
  rs->callback([&ctx]() {
    ctx.load();
    if (rs_all == !rs_target.empty()) throw CommandError("usage: amux respawn <id>|--all", 2);
    if (!rs_all && forward_if_remote(ctx, rs_target)) return;
    if (rs_all) {
      auto r = supervise(ctx, {{"op", mux::op_name(mux::Op::Respawn)}, {"all", true}}, 60000);
      for (auto& id : r["ids"]) std::printf("restarted %s\n", render::sanitize(id.get<std::string>()).c_str());
      return;
    }
    auto rec = ctx.resolve(rs_target);
    supervise(ctx, {{"op", mux::op_name(mux::Op::Respawn)}, {"id", rec.id}}, 30000);
    std::printf("restarted %s\n", rec.id.c_str());
  });

  static std::string rn_target, rn_name;
  auto* rn = app.add_subcommand("rename", "rename a session");
  rn->add_option("session", rn_target, "id, id prefix or part of a name")->required();
  rn->add_option("name", rn_name, "the new name")->required();
  rn->callback([&ctx]() {
    ctx.load();
    if (forward_if_remote(ctx, rn_target)) return;
    auto rec = ctx.resolve(rn_target);
    supervise(ctx, {{"op", mux::op_name(mux::Op::Rename)}, {"id", rec.id}, {"name", rn_name}}, 10000);
    std::printf("renamed %s to %s\n", rec.id.c_str(), render::sanitize(rn_name).c_str());
  });

  static std::string pin_target;
  for (const char* op : {"pin", "unpin"}) {
    auto* p = app.add_subcommand(op, std::string(op) == "pin" ? "pin a session to the top (never reaped)"
                                                               : "unpin a session");
    p->add_option("session", pin_target, "id, id prefix or part of a name")->required();
    std::string o = op;
    p->callback([&ctx, o]() {
      ctx.load();
      if (forward_if_remote(ctx, pin_target)) return;
      auto rec = ctx.resolve(pin_target);
      supervise(ctx, {{"op", o}, {"id", rec.id}}, 10000);
      std::printf("%s %s\n", o == "pin" ? "pinned" : "unpinned", rec.id.c_str());
    });
  }
}

}  // namespace amux::cli
