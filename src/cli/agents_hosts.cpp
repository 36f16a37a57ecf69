// agents_hosts.cpp — `amux agents --json` over every configured host: the
// local list, then each host's, asked at once over their ssh masters.
//
// Why: one list of every agent on every machine, for scripts and the
// table; a host that does not answer within the bound keeps its last known
// rows, marked unreachable, and never delays the answer past it.
#include "cli/agents_hosts.h"

#include <future>

#include "cli/remote_cmd.h"
#include "mux/remote/host_rows.h"

namespace amux::cli {

nlohmann::json list_with_hosts(Context& ctx, const std::function<nlohmann::json()>& local,
                               const std::string& only_host, bool all) {
  std::vector<const mux::HostEntry*> hosts;
  if (!only_host.empty()) hosts.push_back(&configured_host(ctx, only_host));
  else
    for (auto& h : ctx.config.hosts) hosts.push_back(&h);
  if (hosts.empty()) return local();
  // The hosts on a thread of their own (its own libuv loop), this machine
  // meanwhile: the answer costs the slower of the two, not their sum.
  auto remote = std::async(std::launch::async, [&ctx, hosts] {
    return mux::list_hosts(ctx.paths, hosts, true, kHostListDeadlineMs);
  });
  nlohmann::json out = nlohmann::json::array();
  if (only_host.empty()) {
    try {
      out = local();
    } catch (...) {
      remote.wait();
      throw;
    }
  }
  if (!out.is_array()) out = nlohmann::json::array();
  for (auto& l : remote.get()) {
    nlohmann::json rows;
    if (l.ok) {
      mux::save_host_rows(ctx.paths, l.host->name, l.sessions);
      rows = std::move(l.sessions);
    } else {
      rows = mux::unreachable_rows(mux::load_host_rows(ctx.paths, l.host->name), l.host->name, l.error);
    }
    for (auto& s : rows) {
      // Finished rows only with --all, as for local ones (the whole list is
      // kept, so a later --all still has them).
      std::string st = s.value("state", std::string());
      bool finished = st == "done" || st == "failed" || st == "stopped";
      if (!all && finished && !s.value("pinned", false)) continue;
      out.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace amux::cli
