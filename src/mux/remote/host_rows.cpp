// host_rows.cpp — see host_rows.h.
#include "mux/remote/host_rows.h"

#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <sstream>

#include <uv.h>

#include "mux/remote/ssh_call.h"
#include "mux/remote/ssh_command.h"
#include "mux/store/atomic_file.h"

namespace amux::mux {
namespace {
std::string rows_file(const Paths& p, const std::string& host) { return p.config_dir + "/hosts/" + host + ".json"; }
}  // namespace

nlohmann::json tag_host(nlohmann::json sessions, const std::string& host) {
  if (!sessions.is_array()) return nlohmann::json::array();
  for (auto& s : sessions)
    if (s.is_object()) s["host"] = host;
  return sessions;
}

nlohmann::json load_host_rows(const Paths& p, const std::string& host) {
  std::ifstream in(rows_file(p, host));
  if (!in) return nlohmann::json::array();
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = nlohmann::json::parse(ss.str(), nullptr, false);
  return j.is_array() ? j : nlohmann::json::array();
}

void save_host_rows(const Paths& p, const std::string& host, const nlohmann::json& sessions) {
  if (load_host_rows(p, host) == sessions) return;
  ::mkdir((p.config_dir + "/hosts").c_str(), 0700);
  // A failed write loses only the memory of rows for a host that may go
  // away later; the listing itself is still right.
  (void)write_file_atomic(rows_file(p, host), sessions.dump(), 0600);
}

nlohmann::json unreachable_rows(const nlohmann::json& last, const std::string& host, const std::string& reason) {
  nlohmann::json out = nlohmann::json::array();
  for (auto s : last) {
    if (!s.is_object()) continue;
    s["host"] = host;
    s["state"] = kUnreachable;
    s["detail"] = reason;
    s.erase("pid");
    out.push_back(std::move(s));
  }
  if (out.empty())
    out.push_back({{"id", ""}, {"host", host}, {"name", host}, {"state", kUnreachable}, {"detail", reason}});
  return out;
}

std::vector<HostListing> list_hosts(const Paths& p, const std::vector<const HostEntry*>& hosts, bool all,
                                    int deadline_ms) {
  std::vector<HostListing> out(hosts.size());
  if (hosts.empty()) return out;
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    std::vector<std::unique_ptr<SshCall>> calls;
    SshOptions so;
    so.connect_timeout_s = std::max(1, deadline_ms / 1000);
    for (size_t i = 0; i < hosts.size(); i++) {
      out[i].host = hosts[i];
      // --local: the remote lists its own sessions, not its own hosts'.
      std::vector<std::string> args{"agents", "--json", "--local"};
      if (all) args.push_back("--all");
      auto call = std::make_unique<SshCall>();
      HostListing* slot = &out[i];
      const HostEntry* h = hosts[i];
      call->start(
          &loop, ssh_argv(p, *h, args, so), nullptr,
          [slot, h](const SshCallResult& r) {
            if (!r.error.empty()) {
              slot->error = r.error;
              return;
            }
            if (r.timed_out) {
              slot->error = "cannot reach host '" + h->name + "': no answer in time";
              return;
            }
            if (r.exit_code != 0) {
              slot->error = ssh_failure(*h, r.exit_code, r.err);
              if (slot->error.empty())
                slot->error = "host '" + h->name + "': " + last_error_line(r.err);
              return;
            }
            auto j = nlohmann::json::parse(r.out, nullptr, false);
            if (!j.is_array()) {
              slot->error = "host '" + h->name + "': the remote amux answered something else than a list";
              return;
            }
            slot->ok = true;
            slot->sessions = tag_host(std::move(j), h->name);
          },
          deadline_ms);
      calls.push_back(std::move(call));
    }
    uv_run(&loop, UV_RUN_DEFAULT);
  }
  // The calls are gone; their handles close on this last turn.
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  return out;
}

}  // namespace amux::mux
