// Integration tests for the supervisor (`amux daemon …`), each against a
// private instance: on-demand start and idle exit, adoption after a stop
// with --keep-workers and after kill -9, host loss and restart, reaping,
// pins across restarts, rename/rm/respawn, hostile input on both sockets,
// and a second uid.
#include <gtest/gtest.h>
#include <grp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "support/amux_env.h"

using namespace amux::test;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

int supervisor_pid(const AmuxEnv& env) {
  auto r = env.amux({"daemon", "status", "--json"});
  if (r.rc != 0) return 0;
  try { return json::parse(r.out).value("pid", 0); } catch (...) { return 0; }
}

std::string socket_dir(const AmuxEnv& env) {
  auto r = env.amux({"daemon", "status", "--json"});
  return json::parse(r.out).value("socketDir", std::string());
}

int raw_connect(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) { close(fd); return -1; }
  return fd;
}

void send_raw(int fd, const std::string& bytes) {
  ssize_t n = write(fd, bytes.data(), bytes.size());
  (void)n;
}

}  // namespace

TEST(Supervisor, StartsOnDemandOnceAndExitsWhenIdle) {
  AmuxEnv env;
  env.write_config("[daemon]\nidle_exit = 1\n");
  EXPECT_NE(env.amux({"daemon", "status"}).rc, 0);
  auto first = env.amux({"--bg", "--exec", "echo hi"});
  ASSERT_EQ(first.rc, 0) << first.err;
  EXPECT_NE(first.err.find("Starting background service…"), std::string::npos) << first.err;
  auto second = env.amux({"--bg", "--exec", "sleep 2"});
  EXPECT_EQ(second.err.find("Starting background service"), std::string::npos) << second.err;
  int pid = supervisor_pid(env);
  ASSERT_GT(pid, 0);
  // Both jobs end; with no client the supervisor goes after idle_exit.
  EXPECT_TRUE(wait_until([&] { return kill(pid, 0) != 0; }, 15000));
  auto st = env.amux({"daemon", "status"});
  EXPECT_EQ(st.rc, 1);
  EXPECT_NE(st.err.find("not running"), std::string::npos);
  std::ifstream log(env.config_dir() + "/daemon.log");
  std::string all((std::istreambuf_iterator<char>(log)), {});
  EXPECT_NE(all.find("daemon start"), std::string::npos);
  EXPECT_NE(all.find("exiting"), std::string::npos);
}

TEST(Supervisor, StatusLogsAndFiles) {
  AmuxEnv env;
  std::string id = env.bg_exec("sleep 30");
  auto st = env.amux({"daemon", "status"});
  ASSERT_EQ(st.rc, 0) << st.err;
  for (auto w : {"pid", "uptime", "origin", "config", "log", "sockets", "hosts", "roster"})
    EXPECT_NE(st.out.find(w), std::string::npos) << w << "\n" << st.out;
  auto lg = env.amux({"daemon", "logs", "-n", "5"});
  EXPECT_EQ(lg.rc, 0);
  EXPECT_NE(lg.out.find("[supervisor]"), std::string::npos) << lg.out;
  auto roster = json::parse(std::ifstream(env.config_dir() + "/daemon/roster.json"));
  EXPECT_TRUE(roster["hosts"].contains(id)) << roster.dump();
  EXPECT_EQ(roster.value("protocol", 0), 1);
  EXPECT_TRUE(fs::exists(env.config_dir() + "/daemon.lock"));
  auto perms = fs::status(socket_dir(env)).permissions();
  EXPECT_EQ(perms & fs::perms::all, fs::perms::owner_all);
}

TEST(Supervisor, AgentsJsonFields) {
  AmuxEnv env;
  std::string live = env.bg_exec("sleep 30", "live-one");
  std::string dead = env.bg_exec("exit 5", "dead-one");
  ASSERT_TRUE(wait_until([&] { return env.record_field(dead, "state") == "failed"; }));
  auto s = env.session(live);
  ASSERT_FALSE(s.is_null());
  for (auto k : {"id", "name", "state", "detail", "cwd", "kind", "agent", "startedAt", "updatedAt",
                 "pid", "pinned", "sessionId"})
    EXPECT_TRUE(s.contains(k)) << k << " missing: " << s.dump();
  EXPECT_EQ(s["kind"], "background");
  EXPECT_EQ(s["state"], "working");
  auto d = env.session(dead);
  EXPECT_EQ(d["exitCode"], 5);
  EXPECT_FALSE(d.contains("pid"));
  // Without --all finished sessions are left out.
  auto live_only = env.agents(false);
  bool has_dead = false;
  for (auto& e : live_only) has_dead |= e["id"] == dead;
  EXPECT_FALSE(has_dead);
  // --cwd filters.
  auto r = env.amux({"agents", "--json", "--all", "--cwd", "/nonexistent-dir"});
  EXPECT_EQ(json::parse(r.out).size(), 0u);
}

TEST(Supervisor, KeepWorkersThenAdoptNothingLost) {
  AmuxEnv env;
  std::string id = env.bg_exec("for i in $(seq 1 60); do echo tick-$i; sleep 0.05; done; sleep 30");
  ASSERT_TRUE(env.wait_capture(id, "tick-3"));
  int old = supervisor_pid(env);
  auto st = env.amux({"daemon", "stop", "--keep-workers"});
  ASSERT_EQ(st.rc, 0) << st.err;
  EXPECT_TRUE(wait_until([&] { return kill(old, 0) != 0; }));
  // Output keeps flowing with no supervisor.
  int host = std::stoi(env.record_field(id, "hostPid"));
  EXPECT_EQ(kill(host, 0), 0);
  ASSERT_TRUE(wait_until([&] { return env.capture(id).find("tick-60") != std::string::npos; }, 15000));
  // Any command brings a supervisor back that adopts the host.
  auto s = env.session(id);
  EXPECT_EQ(s["state"], "working");
  EXPECT_NE(supervisor_pid(env), old);
  auto logs = env.amux({"logs", id});
  for (int i = 1; i <= 60; i++) EXPECT_NE(logs.out.find("tick-" + std::to_string(i) + "\n"), std::string::npos) << i;
  std::ifstream log(env.config_dir() + "/daemon.log");
  std::string all((std::istreambuf_iterator<char>(log)), {});
  EXPECT_NE(all.find("adopted=1"), std::string::npos) << all;
}

TEST(Supervisor, StopEndsHostsAndLeavesRows) {
  AmuxEnv env;
  std::string a = env.bg_exec("sleep 60");
  std::string b = env.bg_exec("echo done-now");
  // The supervisor's own view (agents --json), not the host's file: the
  // supervisor counts what it knows is still live.
  ASSERT_TRUE(env.wait_state(b, "done"));
  int host = std::stoi(env.record_field(a, "hostPid"));
  auto st = env.amux({"daemon", "stop"});
  ASSERT_EQ(st.rc, 0) << st.err;
  EXPECT_NE(st.out.find("ended 1"), std::string::npos) << st.out;
  EXPECT_TRUE(wait_until([&] { return kill(host, 0) != 0; }));
  EXPECT_EQ(env.record_field(a, "state"), "stopped");
  EXPECT_EQ(env.record_field(b, "state"), "done");
}

TEST(Supervisor, HostLostThenRestartedByCapture) {
  AmuxEnv env;
  std::string id = env.bg_exec("echo run-$RANDOM-marker; sleep 60");
  ASSERT_TRUE(env.wait_capture(id, "-marker"));
  int host = std::stoi(env.record_field(id, "hostPid"));
  kill(host, SIGKILL);
  EXPECT_TRUE(wait_until([&] {
    auto s = env.session(id);
    return s.value("state", "") == "failed" && s.value("detail", "") == "host lost";
  }));
  // Peeking restarts it under the same id, in the same directory.
  EXPECT_TRUE(env.wait_capture(id, "-marker", 15000));
  EXPECT_EQ(env.record_field(id, "state"), "working");
  EXPECT_NE(env.record_field(id, "hostPid"), std::to_string(host));
}

TEST(Supervisor, KilledSupervisorRecovers) {
  AmuxEnv env;
  std::string id = env.bg_exec("sleep 60", "survivor");
  int pid = supervisor_pid(env);
  ASSERT_GT(pid, 0);
  kill(pid, SIGKILL);
  EXPECT_TRUE(wait_until([&] { return kill(pid, 0) != 0; }));
  auto s = env.session(id);
  EXPECT_EQ(s.value("state", ""), "working") << s.dump();
  int fresh = supervisor_pid(env);
  EXPECT_GT(fresh, 0);
  EXPECT_NE(fresh, pid);
  EXPECT_EQ(env.amux({"stop", "survivor"}).rc, 0);
}

TEST(Supervisor, ReapingWithShortTimings) {
  AmuxEnv env;
  env.write_config("[reap]\nshell_linger = 1\nstopped_linger = 1\n");
  std::string done = env.bg_exec("echo bye");
  std::string pinned = env.bg_exec("echo keep-me");
  ASSERT_EQ(env.amux({"pin", pinned}).rc, 0);
  std::string running = env.bg_exec("sleep 60");
  std::string stopped = env.bg_exec("sleep 60");
  ASSERT_TRUE(wait_until([&] { return env.record_field(stopped, "hostPid") != ""; }));
  int stopped_host = std::stoi(env.record_field(stopped, "hostPid"));
  ASSERT_EQ(env.amux({"stop", stopped}).rc, 0);
  EXPECT_TRUE(wait_until([&] { return !fs::exists(env.config_dir() + "/jobs/" + done); }, 15000));
  EXPECT_TRUE(fs::exists(env.config_dir() + "/jobs/" + pinned));
  EXPECT_TRUE(fs::exists(env.config_dir() + "/jobs/" + running));
  EXPECT_TRUE(env.session(done).is_null());
  // A stopped row stays until rm; its host goes after stopped_linger.
  EXPECT_TRUE(wait_until([&] { return kill(stopped_host, 0) != 0; }, 10000));
  EXPECT_EQ(env.session(stopped).value("state", ""), "stopped");
}

TEST(Supervisor, PinSurvivesRestart) {
  AmuxEnv env;
  std::string id = env.bg_exec("sleep 60");
  auto r = env.amux({"pin", id});
  EXPECT_EQ(r.out, "pinned " + id + "\n");
  EXPECT_EQ(env.session(id)["pinned"], true);
  ASSERT_EQ(env.amux({"daemon", "stop", "--keep-workers"}).rc, 0);
  EXPECT_EQ(env.session(id)["pinned"], true);
  auto pins = json::parse(std::ifstream(env.config_dir() + "/jobs/pins.json"));
  EXPECT_EQ(pins, json::array({id}));
  EXPECT_EQ(env.amux({"unpin", id}).rc, 0);
  EXPECT_EQ(env.session(id)["pinned"], false);
}

TEST(Supervisor, RenameRmRespawn) {
  AmuxEnv env;
  std::string id = env.bg_exec("echo start-$$; sleep 60", "before");
  ASSERT_TRUE(env.wait_capture(id, "start-"));
  auto rn = env.amux({"rename", id, "after"});
  EXPECT_EQ(rn.rc, 0) << rn.err;
  EXPECT_EQ(env.session(id)["name"], "after");
  EXPECT_EQ(env.record_field(id, "nameSource"), "user");
  // rm refuses a live session unless --force.
  auto rm = env.amux({"rm", id});
  EXPECT_EQ(rm.rc, 1);
  EXPECT_NE(rm.err.find("--force"), std::string::npos) << rm.err;
  // respawn restarts with a new host, same id.
  std::string old_host = env.record_field(id, "hostPid");
  auto rs = env.amux({"respawn", "--all"});
  EXPECT_EQ(rs.rc, 0) << rs.err;
  EXPECT_NE(rs.out.find("restarted " + id), std::string::npos);
  EXPECT_TRUE(wait_until([&] { return env.record_field(id, "hostPid") != old_host && env.record_field(id, "hostPid") != ""; }));
  EXPECT_TRUE(env.wait_capture(id, "start-"));
  EXPECT_EQ(env.amux({"respawn"}).rc, 2);
  auto rmf = env.amux({"rm", "--force", id});
  EXPECT_EQ(rmf.rc, 0) << rmf.err;
  EXPECT_EQ(rmf.out, "removed " + id + "\n");
  EXPECT_FALSE(fs::exists(env.config_dir() + "/jobs/" + id));
  EXPECT_EQ(env.amux({"rm", id}).rc, 1);
}

TEST(Supervisor, HostileInputLeavesItServing) {
  AmuxEnv env;
  std::string id = env.bg_exec("sleep 60");
  std::string dir = socket_dir(env);
  for (const std::string& path : {dir + "/control.sock", dir + "/" + id + ".sock"}) {
    // Garbage.
    int fd = raw_connect(path);
    ASSERT_GE(fd, 0) << path;
    send_raw(fd, std::string("GET / HTTP/1.1\r\n\r\n") + std::string(5000, '\xff'));
    close(fd);
    // Oversized length.
    fd = raw_connect(path);
    send_raw(fd, std::string("\xff\xff\xff\x7f\x01", 5));
    close(fd);
    // Truncated frame, then hang up.
    fd = raw_connect(path);
    send_raw(fd, std::string("\x20\x00\x00\x00\x01{\"pro", 10));
    close(fd);
    // A valid frame with a bad hello.
    fd = raw_connect(path);
    std::string body = "\x01{\"proto\":999}";
    uint32_t n = uint32_t(body.size());
    send_raw(fd, std::string(reinterpret_cast<char*>(&n), 4) + body);
    char buf[256];
    ssize_t got = read(fd, buf, sizeof buf);
    EXPECT_GT(got, 5);  // an Error frame comes back before the close
    close(fd);
  }
  EXPECT_EQ(env.amux({"daemon", "status"}).rc, 0);
  EXPECT_EQ(env.session(id)["state"], "working");
  EXPECT_EQ(env.amux({"capture", id}).rc, 0);
}

TEST(Supervisor, SecondUidCannotConnect) {
  ASSERT_EQ(getuid(), 0u) << "this test switches to a second uid and must run as root (as CI does)";
  AmuxEnv env;
  std::string id = env.bg_exec("sleep 60");
  std::string dir = socket_dir(env);
  auto try_as_nobody = [](const std::string& path) {
    pid_t p = fork();
    if (p == 0) {
      setgroups(0, nullptr);
      if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534)) _exit(3);
      signal(SIGPIPE, SIG_IGN);  // the server may close before our write
      int fd = raw_connect(path);
      if (fd < 0) _exit(1);  // refused at connect
      // Connected (only when the directory was opened up): the peer-uid check must close it.
      std::string body = "\x01{\"proto\":1}";
      uint32_t n = uint32_t(body.size());
      send_raw(fd, std::string(reinterpret_cast<char*>(&n), 4) + body);
      // Refused: closed, maybe after an error frame, but never a Welcome.
      timeval tv{3, 0};
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      std::string got;
      char buf[256];
      for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) got.append(buf, size_t(n));
      _exit(got.find("\"server\"") == std::string::npos ? 2 : 0);
    }
    int st = 0;
    waitpid(p, &st, 0);
    return WIFSIGNALED(st) ? 100 + WTERMSIG(st) : WEXITSTATUS(st);
  };
  EXPECT_EQ(try_as_nobody(dir + "/control.sock"), 1);
  EXPECT_EQ(try_as_nobody(dir + "/" + id + ".sock"), 1);
  // Open the directory and the sockets up: the peer credential check still refuses.
  auto open_up = fs::perms::owner_all | fs::perms::others_exec | fs::perms::group_exec;
  fs::path up = dir;
  for (int i = 0; i < 3; i++, up = up.parent_path()) fs::permissions(up, open_up);  // <hash>, amux, runtime dir
  chmod((dir + "/control.sock").c_str(), 0777);
  chmod((dir + "/" + id + ".sock").c_str(), 0777);
  EXPECT_EQ(try_as_nobody(dir + "/control.sock"), 2);
  EXPECT_EQ(try_as_nobody(dir + "/" + id + ".sock"), 2);
  up = dir;
  for (int i = 0; i < 3; i++, up = up.parent_path()) fs::permissions(up, fs::perms::owner_all);
  EXPECT_EQ(env.amux({"daemon", "status"}).rc, 0);
}
