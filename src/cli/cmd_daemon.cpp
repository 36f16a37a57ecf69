// cmd_daemon.cpp — `amux daemon run|status|logs|stop`: the supervisor.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "cli/context.h"
#include "mux/store/atomic_file.h"
#include "mux/store/session_record.h"
#include "mux/wire/daemon_client.h"
#include "mux/wire/host_client.h"
#include "mux/wire/ops.h"
#include "mux/sys/process_info.h"
#include "mux/daemon/supervisor.h"
#include "render/safe_text.h"

namespace amux::cli {
namespace {

std::string human_ms(int64_t ms) {
  int64_t s = ms / 1000;
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m" + std::to_string(s % 60) + "s";
  return std::to_string(s / 3600) + "h" + std::to_string((s % 3600) / 60) + "m";
}

// Print the last n lines of a file, then (follow) new ones as they come.
void tail_file(const std::string& path, int n, bool follow) {
  std::ifstream in(path);
  if (!in) throw CommandError("no log yet at " + path);
  std::vector<std::string> lines;
  std::string l;
  while (std::getline(in, l)) {
    lines.push_back(l);
    if (n > 0 && int(lines.size()) > n) lines.erase(lines.begin());
  }
  for (auto& x : lines) std::cout << render::sanitize(x) << "\n";
  std::cout << std::flush;
  if (!follow) return;
  in.clear();
  while (true) {
    if (std::getline(in, l)) {
      std::cout << render::sanitize(l) << "\n" << std::flush;
    } else {
      in.clear();
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
}

// With no supervisor to ask, stop every session host recorded under the
// config dir ourselves: its `shutdown` op through its socket, or SIGTERM
// to the host pid when the socket does not answer (only a pid whose start
// time matches the record, so a reused pid is never signalled). Returns
// how many hosts were running and are now gone.
int stop_recorded_hosts(const mux::Paths& paths) {
  struct Live { pid_t pid; uint64_t start; };
  std::vector<Live> asked;
  std::vector<mux::HostClient> open;  // kept open until the hosts are gone
  for (const auto& rec : mux::load_all_records(paths)) {
    if (rec.host_pid <= 0 || !mux::process_alive(rec.host_pid, rec.host_start_time)) continue;
    mux::HostClient hc;
    const std::string sock = rec.socket.empty() ? paths.host_socket(rec.id) : rec.socket;
    bool sent = hc.connect(sock, 2000).empty() &&
                hc.send(mux::MsgType::Request,
                        nlohmann::json{{"op", mux::op_name(mux::Op::Shutdown)}}.dump())
                    .empty();
    if (!sent && rec.host_start_time) kill(rec.host_pid, SIGTERM);
    if (sent) open.push_back(std::move(hc));
    if (sent || rec.host_start_time) asked.push_back({rec.host_pid, rec.host_start_time});
  }
  // A host stops its program (SIGKILL after 3 s), saves the record, exits.
  int gone = 0;
  for (auto& h : asked) {
    for (int i = 0; i < 200 && mux::process_alive(h.pid, h.start); i++) usleep(50000);
    if (!mux::process_alive(h.pid, h.start)) gone++;
    else if (h.start) kill(h.pid, SIGTERM);
  }
  return gone;
}

}  // namespace

void register_daemon(CLI::App& app, Context& ctx) {
  auto* d = app.add_subcommand("daemon", "the background service (supervisor)");
  d->require_subcommand(1);

  static std::string origin = "manual";
  static int ready_fd = -1;
  static double idle_exit = -1;
  auto* run = d->add_subcommand("run", "run the supervisor in the foreground");
  run->add_option("--origin", origin, "who started it (shown by status)");
  run->add_option("--ready-fd", ready_fd)->group("");
  run->add_option("--idle-exit", idle_exit, "seconds with no session and no client before exiting (default: [daemon] idle_exit)")
      ->check(CLI::NonNegativeNumber);
  run->callback([&ctx]() {
    ctx.load();
    mux::SupervisorOptions o;
    o.paths = ctx.paths;
    o.config = ctx.config;
    o.origin = origin;
    o.ready_fd = ready_fd;
    o.idle_exit_seconds = idle_exit >= 0 ? idle_exit : ctx.config.idle_exit;
    int rc = mux::Supervisor::run_main(o);
    if (rc) throw CommandError("", rc);
  });

  static bool json_out = false;
  auto* st = d->add_subcommand("status", "is the supervisor running, and its facts");
  st->add_flag("--json", json_out, "print JSON");
  st->callback([&ctx]() {
    ctx.load();
    auto r = mux::supervisor_request(ctx.paths, {{"op", mux::op_name(mux::Op::Status)}}, false, 5000);
    if (!r.value("ok", false)) throw CommandError("the background service is not running");
    if (json_out) { std::cout << render::json_safe(r.dump(2)) << "\n"; return; }
    std::printf("running    pid %d · amux %s · protocol %d\n", r.value("pid", 0),
                r.value("version", std::string()).c_str(), r.value("protocol", 0));
    std::printf("uptime     %s\n", human_ms(r.value("uptimeMs", int64_t(0))).c_str());
    std::printf("origin     %s\n", render::sanitize(r.value("origin", std::string())).c_str());
    std::printf("config     %s\n", render::sanitize(r.value("configDir", std::string())).c_str());
    std::printf("log        %s\n", render::sanitize(r.value("log", std::string())).c_str());
    std::printf("sockets    %s\n", render::sanitize(r.value("socketDir", std::string())).c_str());
    std::printf("hosts      %d live · %zu sessions\n", r.value("liveHosts", 0),
                size_t(r.value("sessions", 0)));
    int64_t age = r.value("rosterAgeMs", int64_t(-1));
    std::printf("roster     %s\n", age < 0 ? "not written" : (human_ms(age) + " old").c_str());
  });

  static int log_lines = 50;
  static bool log_follow = false;
  auto* lg = d->add_subcommand("logs", "show the supervisor log (daemon.log)");
  lg->add_option("-n,--lines", log_lines, "last N lines (0: all)")->check(CLI::NonNegativeNumber);
  lg->add_flag("-f,--follow", log_follow, "keep printing new lines");
  lg->callback([&ctx]() {
    ctx.load();
    tail_file(ctx.paths.daemon_log(), log_lines, log_follow);
  });

  static bool any = false, keep = false;
  auto* sp = d->add_subcommand("stop", "stop the supervisor and, unless --keep-workers, every session");
  sp->add_flag("--any", any, "also stop a supervisor of another version");
  sp->add_flag("--keep-workers", keep, "leave session hosts running; the next supervisor adopts them");
  sp->callback([&ctx]() {
    ctx.load();
    auto r = mux::supervisor_request(ctx.paths, {{"op", mux::op_name(mux::Op::Shutdown)}, {"keep_workers", keep}}, false, 20000);
    if (!r.value("ok", false)) {
      // Not reachable with our protocol: with --any, stop whatever holds the lock.
      auto lock = mux::read_file(ctx.paths.daemon_lock());
      int pid = 0;
      try { if (lock) pid = nlohmann::json::parse(*lock).value("pid", 0); } catch (...) {}
      if (any && pid > 0 && mux::process_alive(pid)) {
        kill(pid, SIGTERM);
        for (int i = 0; i < 100 && mux::process_alive(pid); i++) usleep(50000);
        std::printf("stopped (pid %d)\n", pid);
        return;
      }
      std::string err = r.value("error", std::string());
      if (err.find("protocol version") != std::string::npos)
        throw CommandError("the running supervisor speaks another protocol (" + err + "); use --any");
      // No supervisor: hosts it left behind (idle exit, a crash) still end.
      const int ended = keep ? 0 : stop_recorded_hosts(ctx.paths);
      if (!ended) throw CommandError("the background service is not running");
      std::printf("the background service was not running; stopped %d session host%s\n", ended,
                  ended == 1 ? "" : "s");
      return;
    }
    int ended = r.value("ended", 0);
    if (keep) std::printf("stopped (sessions keep running; the next amux command adopts them)\n");
    else if (ended) std::printf("stopped (ended %d background session%s)\n", ended, ended == 1 ? "" : "s");
    else std::printf("stopped\n");
  });
}

}  // namespace amux::cli
