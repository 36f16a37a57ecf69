// cmd_notify.cpp — `amux notify --state S [--detail T] [--waiting-for W]`:
// for agent hooks running inside a session, report its state.
//
// Why: an agent knows best whether it works or waits (Claude Code's hooks
// call this); an explicit report is the strongest source of state. The
// session is found through $AMUX_SESSION and $AMUX_JOB_DIR, which every
// session's environment has, so this works whatever the caller's cwd or
// config.
#include <cstdlib>
#include <filesystem>

#include "cli/context.h"
#include "mux/wire/host_client.h"
#include "mux/wire/ops.h"
#include "mux/store/session_record.h"

namespace amux::cli {

void register_notify(CLI::App& app, Context&) {
  static std::string state, detail, waiting;
  auto* n = app.add_subcommand("notify", "report the state of $AMUX_SESSION (for agent hooks)");
  n->add_option("--state", state, "working, blocked or idle")
      ->required()
      ->check(CLI::IsMember({"working", "blocked", "idle"}));
  n->add_option("--detail", detail, "one line shown in the session's row");
  n->add_option("--waiting-for", waiting, "what a blocked session waits for (permission, input, …)");
  n->callback([]() {
    const char* sid = getenv("AMUX_SESSION");
    const char* job = getenv("AMUX_JOB_DIR");
    if (!sid || !job || !*sid || !*job)
      throw CommandError("not inside an amux session ($AMUX_SESSION and $AMUX_JOB_DIR are not set)");
    mux::Paths p;
    p.config_dir = std::filesystem::path(job).parent_path().parent_path().string();
    auto rec = mux::load_record(p, sid);
    if (!rec) throw CommandError(std::string("no record for session ") + sid + " under " + job);
    mux::HostClient hc;
    std::string err = hc.connect(rec->socket, 2000);
    if (!err.empty()) throw CommandError("cannot reach the session host: " + err);
    nlohmann::json req = {{"op", mux::op_name(mux::Op::Notify)}, {"state", state}};
    if (!detail.empty()) req["detail"] = detail;
    if (!waiting.empty()) req["waitingFor"] = waiting;
    auto r = hc.request(req, 5000);
    if (!r.value("ok", false)) throw CommandError(r.value("error", std::string("notify refused")));
  });
}

}  // namespace amux::cli
