// cmd_notify.cpp — `amux notify --state S [--detail T] [--waiting-for W]`
// or `amux notify --hook AGENT [PAYLOAD]`: for agent hooks running inside a
// session, report its state. With --hook the state comes from the agent's
// event payload (PAYLOAD, else JSON on stdin; hook_report.h maps it).
//
// Why: an agent knows best whether it works or waits (Claude Code's hooks
// call this); an explicit report is the strongest source of state. The
// session is found through $AMUX_SESSION and $AMUX_JOB_DIR, which every
// session's environment has, so this works whatever the caller's cwd or
// config.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <iterator>

#include "cli/context.h"
#include "mux/agents/hook_report.h"
#include "mux/wire/host_client.h"
#include "mux/wire/ops.h"
#include "mux/store/session_record.h"

namespace amux::cli {

void register_notify(CLI::App& app, Context&) {
  static std::string state, detail, waiting, hook, payload, event;
  auto* n = app.add_subcommand("notify", "report the state of $AMUX_SESSION (for agent hooks)");
  auto* st = n->add_option("--state", state, "working, blocked or idle")
                 ->check(CLI::IsMember({"working", "blocked", "idle"}));
  n->add_option("--detail", detail, "one line shown in the session's row");
  n->add_option("--waiting-for", waiting, "what a blocked session waits for (permission, input, …)");
  auto* hk = n->add_option("--hook", hook,
                           "the state from this agent's hook event (claude, codex, gemini): "
                           "PAYLOAD, or JSON on stdin")
                 ->check(CLI::IsMember({"claude", "codex", "gemini"}))
                 ->excludes(st);
  n->add_option("payload", payload, "the hook's event JSON (codex's notify passes it here)")->needs(hk);
  n->callback([]() {
    if (hook.empty() && state.empty()) throw CLI::RequiredError("--state or --hook");
    if (!hook.empty()) {
      if (payload.empty()) payload.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
      auto j = nlohmann::json::parse(payload, nullptr, false);
      if (j.is_discarded()) throw CommandError("--hook " + hook + ": the event payload is not JSON");
      auto rep = mux::hook_report(hook, j);
      if (!rep) return;  // an event that says nothing about the state
      state = mux::state_name(rep->state);
      // Which event said so, for `amux explain`.
      for (const char* k : {"hook_event_name", "type"})
        if (auto it = j.find(k); it != j.end() && it->is_string()) { event = it->get<std::string>(); break; }
      detail = rep->detail;
      waiting = rep->waiting_for;
    }
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
    if (!hook.empty()) req["hook"] = hook;
    if (!event.empty()) req["event"] = event;
    auto r = hc.request(req, 5000);
    if (!r.value("ok", false)) throw CommandError(r.value("error", std::string("notify refused")));
  });
}

}  // namespace amux::cli
