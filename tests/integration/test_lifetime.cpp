// Integration tests for the supervisor's handle lifetimes: respawning a live
// session over and over and `daemon stop` with one and with a hundred
// sessions never abort it (no libuv assertion in daemon.log), the
// supervisor exits 0, every host it started is gone and the roster lists
// no host under a supervisor that is gone.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/amux_env.h"

extern char** environ;

using namespace amux::test;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool alive(int pid) { return pid > 0 && kill(pid, 0) == 0; }

// `amux daemon run` in the foreground, so its exit status can be read.
class ForegroundSupervisor {
 public:
  explicit ForegroundSupervisor(const AmuxEnv& env) : log_(env.config_dir() + "/foreground.err") {
    std::vector<std::string> envs;
    auto extra = env.env();
    for (char** e = environ; *e; e++) {
      std::string s(*e);
      if (!extra.count(s.substr(0, s.find('=')))) envs.push_back(s);
    }
    for (auto& [k, v] : extra) envs.push_back(k + "=" + v);
    std::vector<char*> cenv;
    for (auto& e : envs) cenv.push_back(e.data());
    cenv.push_back(nullptr);
    std::string bin = amux_bin();
    const char* argv[] = {bin.c_str(), "daemon", "run", "--idle-exit", "600", nullptr};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    EXPECT_EQ(posix_spawn(&pid_, bin.c_str(), &fa, nullptr, const_cast<char**>(argv), cenv.data()), 0);
    posix_spawn_file_actions_destroy(&fa);
    EXPECT_TRUE(wait_until([&] { return env.amux({"daemon", "status"}).rc == 0; }, 20000));
  }
  ~ForegroundSupervisor() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  int pid() const { return pid_; }
  // Still running (not exited, not a zombie).
  bool running() {
    if (reaped_) return false;
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      reaped_ = true;
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      return false;
    }
    return true;
  }
  // Exit status once it has ended (-1: still running after timeout_ms;
  // 128+N: killed by signal N).
  int wait_exit(int timeout_ms) {
    if (!wait_until([&] { return !running(); }, timeout_ms)) return -1;
    return status_;
  }
  std::string output() const { return slurp(log_); }

 private:
  std::string log_;
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = -1;
};

std::vector<int> host_pids(const AmuxEnv& env, const std::vector<std::string>& ids) {
  std::vector<int> out;
  for (auto& id : ids) {
    std::string hp = env.record_field(id, "hostPid");
    if (!hp.empty()) out.push_back(std::stoi(hp));
  }
  return out;
}

// The roster names no supervisor that is gone and no host that is gone.
void expect_clean_roster(const AmuxEnv& env) {
  auto roster = json::parse(slurp(env.config_dir() + "/daemon/roster.json"), nullptr, false);
  ASSERT_TRUE(roster.is_object()) << slurp(env.config_dir() + "/daemon/roster.json");
  int pid = roster.value("pid", 0);
  EXPECT_FALSE(pid > 0 && !alive(pid)) << "roster names a supervisor that is gone: " << roster.dump();
  const json hosts = roster.value("hosts", json::object());
  for (auto& [id, h] : hosts.items())
    EXPECT_TRUE(alive(h.value("hostPid", 0))) << "roster lists a host that is gone: " << id << " " << roster.dump();
}

void stop_with_sessions(int n) {
  AmuxEnv env;
  ForegroundSupervisor sup(env);
  std::vector<std::string> ids;
  for (int i = 0; i < n; i++) ids.push_back(env.bg_exec("sleep 300"));
  ASSERT_TRUE(wait_until([&] { return host_pids(env, ids).size() == ids.size(); }, 30000));
  auto hosts = host_pids(env, ids);
  for (int h : hosts) EXPECT_TRUE(alive(h));
  auto st = env.amux({"daemon", "stop"}, "", 120000);
  EXPECT_EQ(st.rc, 0) << st.err;
  EXPECT_NE(st.out.find("ended " + std::to_string(n)), std::string::npos) << st.out;
  EXPECT_EQ(sup.wait_exit(30000), 0) << sup.output();
  std::string log = slurp(env.config_dir() + "/daemon.log") + sup.output();
  EXPECT_EQ(log.find("Assertion"), std::string::npos) << log;
  EXPECT_EQ(log.find("left open"), std::string::npos) << log;
  for (int h : hosts) EXPECT_TRUE(wait_until([&] { return !alive(h); }, 10000)) << "host " << h;
  expect_clean_roster(env);
  for (auto& id : ids) EXPECT_EQ(env.record_field(id, "state"), "stopped") << id;
}

}  // namespace

TEST(Lifetime, DaemonStopWithOneSession) { stop_with_sessions(1); }

TEST(Lifetime, DaemonStopWithAHundredSessions) { stop_with_sessions(100); }

TEST(Lifetime, FiftyRespawnsOfALiveSession) {
  AmuxEnv env;
  ForegroundSupervisor sup(env);
  std::string id = env.bg_exec("echo up-$$; sleep 300");
  ASSERT_TRUE(env.wait_capture(id, "up-"));
  std::vector<int> hosts = host_pids(env, {id});
  for (int i = 0; i < 50; i++) {
    auto r = env.amux({"respawn", id});
    ASSERT_EQ(r.rc, 0) << "respawn " << i << ": " << r.err << "\n" << slurp(env.config_dir() + "/daemon.log");
    ASSERT_TRUE(sup.running()) << "supervisor gone after respawn " << i << "\n" << sup.output();
    auto now = host_pids(env, {id});
    if (!now.empty()) hosts.push_back(now[0]);
  }
  EXPECT_TRUE(env.wait_capture(id, "up-"));
  EXPECT_EQ(env.session(id).value("state", ""), "working");
  // Every replaced host is gone; the last one runs.
  int last = host_pids(env, {id}).at(0);
  for (int h : hosts) {
    if (h != last) { EXPECT_TRUE(wait_until([&] { return !alive(h); }, 10000)) << "old host " << h; }
  }
  EXPECT_TRUE(alive(last));
  auto st = env.amux({"daemon", "stop"});
  EXPECT_EQ(st.rc, 0) << st.err;
  EXPECT_EQ(sup.wait_exit(30000), 0) << sup.output();
  std::string log = slurp(env.config_dir() + "/daemon.log") + sup.output();
  EXPECT_EQ(log.find("Assertion"), std::string::npos) << log;
  EXPECT_TRUE(wait_until([&] { return !alive(last); }, 10000));
  expect_clean_roster(env);
}

TEST(Lifetime, KeepWorkersLeavesARosterOfLiveHostsOnly) {
  AmuxEnv env;
  ForegroundSupervisor sup(env);
  std::string id = env.bg_exec("sleep 300");
  auto st = env.amux({"daemon", "stop", "--keep-workers"});
  EXPECT_EQ(st.rc, 0) << st.err;
  EXPECT_EQ(sup.wait_exit(30000), 0) << sup.output();
  auto roster = json::parse(slurp(env.config_dir() + "/daemon/roster.json"));
  EXPECT_TRUE(roster["hosts"].contains(id)) << roster.dump();
  expect_clean_roster(env);
  auto s = env.session(id);
  ASSERT_TRUE(s.is_object()) << env.amux({"agents", "--json", "--all"}).err << slurp(env.config_dir() + "/daemon.log");
  EXPECT_EQ(s.value("state", ""), "working");  // adopted by the next supervisor
}

// A finished session's host ends after its linger on its own: the
// supervisor that started it may be long gone.
TEST(Lifetime, AFinishedHostEndsAfterItsLingerWithNoSupervisor) {
  AmuxEnv env;
  env.write_config("[reap]\nshell_linger = 3\n");
  ForegroundSupervisor sup(env);
  std::string id = env.bg_exec("echo finished-$$");
  ASSERT_TRUE(wait_until([&] { return env.record_field(id, "state") == "done"; }, 20000))
      << env.record_field(id, "state");
  auto hosts = host_pids(env, {id});
  ASSERT_EQ(hosts.size(), 1u);
  kill(sup.pid(), SIGKILL);
  EXPECT_EQ(sup.wait_exit(10000), 128 + SIGKILL);
  EXPECT_TRUE(wait_until([&] { return !alive(hosts[0]); }, 20000)) << "host " << hosts[0];
  EXPECT_EQ(env.record_field(id, "state"), "done");
}

// The same after the supervisor exits on idle (a finished session is not
// live, so it does not keep the supervisor).
TEST(Lifetime, AFinishedHostEndsAfterItsLingerAfterAnIdleExit) {
  AmuxEnv env;
  env.write_config("[daemon]\nidle_exit = 1\n[reap]\nshell_linger = 8\n");
  std::string id = env.bg_exec("echo finished-$$");
  ASSERT_TRUE(wait_until([&] { return env.record_field(id, "state") == "done"; }, 20000))
      << env.record_field(id, "state");
  auto hosts = host_pids(env, {id});
  ASSERT_EQ(hosts.size(), 1u);
  // Watched through its pid: a client asking for its status would keep it.
  const int sup = json::parse(slurp(env.config_dir() + "/daemon.lock"), nullptr, false).value("pid", 0);
  ASSERT_GT(sup, 0);
  EXPECT_TRUE(wait_until([&] { return !alive(sup); }, 20000)) << slurp(env.config_dir() + "/daemon.log");
  EXPECT_TRUE(wait_until([&] { return !alive(hosts[0]); }, 20000)) << "host " << hosts[0];
  EXPECT_EQ(env.record_field(id, "state"), "done");
}

// `daemon stop` with no supervisor (killed, crashed or gone idle) still ends
// every host recorded under the config dir, and says so.
TEST(Lifetime, DaemonStopWithNoSupervisorStopsEveryRecordedHost) {
  AmuxEnv env;
  ForegroundSupervisor sup(env);
  std::vector<std::string> ids = {env.bg_exec("sleep 300"), env.bg_exec("sleep 301")};
  ASSERT_TRUE(wait_until([&] { return host_pids(env, ids).size() == 2; }, 30000));
  auto hosts = host_pids(env, ids);
  kill(sup.pid(), SIGKILL);
  EXPECT_EQ(sup.wait_exit(10000), 128 + SIGKILL);
  for (int h : hosts) EXPECT_TRUE(alive(h)) << "host " << h;
  auto st = env.amux({"daemon", "stop"}, "", 60000);
  EXPECT_EQ(st.rc, 0) << st.out << st.err;
  EXPECT_NE(st.out.find("stopped 2 session hosts"), std::string::npos) << st.out << st.err;
  for (int h : hosts) EXPECT_TRUE(wait_until([&] { return !alive(h); }, 10000)) << "host " << h;
  for (auto& id : ids) EXPECT_EQ(env.record_field(id, "state"), "stopped") << id;
  // Nothing left: a second stop says the service is not running.
  auto again = env.amux({"daemon", "stop"});
  EXPECT_EQ(again.rc, 1);
  EXPECT_NE(again.err.find("not running"), std::string::npos) << again.err;
}

// A host whose socket is gone is stopped through its recorded pid (its start
// time checked), so `daemon stop` still ends it.
TEST(Lifetime, DaemonStopWithNoSupervisorSignalsAHostWithoutItsSocket) {
  AmuxEnv env;
  ForegroundSupervisor sup(env);
  std::string id = env.bg_exec("sleep 300");
  ASSERT_TRUE(wait_until([&] { return host_pids(env, {id}).size() == 1; }, 30000));
  int host = host_pids(env, {id})[0];
  kill(sup.pid(), SIGKILL);
  EXPECT_EQ(sup.wait_exit(10000), 128 + SIGKILL);
  const std::string sock = env.record_field(id, "socket");
  ASSERT_FALSE(sock.empty());
  ASSERT_TRUE(fs::remove(sock));
  auto st = env.amux({"daemon", "stop"}, "", 60000);
  EXPECT_EQ(st.rc, 0) << st.out << st.err;
  EXPECT_NE(st.out.find("stopped 1 session host"), std::string::npos) << st.out << st.err;
  EXPECT_TRUE(wait_until([&] { return !alive(host); }, 10000)) << "host " << host;
  EXPECT_EQ(env.record_field(id, "state"), "stopped");
}
