// Integration tests of how sessions are started: a session runs in the
// environment of the command that dispatched it (not the supervisor's), kept
// for respawn; only 0, 1 and 2 reach a session's program and neither the
// supervisor nor a host keeps its starter's descriptors; and the supervisor
// keeps answering while a host takes seconds to start, starting many at
// once. Each test runs the real binaries against a private instance.
//
// The slow start is made honestly: the supervisor's PATH finds a `git`
// script first that sleeps for as many seconds as a file says before it
// runs the real git. Working out an agent host's settings asks git for the
// repository of the session's directory, as it does on any machine with a
// slow disk or a huge repository.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/amux_env.h"

using namespace amux::test;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A temp dir removed at scope exit.
struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/amux-launch-XXXXXX";
    path = fs::canonical(mkdtemp(tmpl));
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void write_script(const fs::path& p, const std::string& body) {
  std::ofstream(p) << "#!/bin/sh\n" << body;
  fs::permissions(p, fs::perms::owner_all);
}

int supervisor_pid(const AmuxEnv& env) {
  auto r = env.amux({"daemon", "status", "--json"});
  if (r.rc != 0) return 0;
  try { return json::parse(r.out).value("pid", 0); } catch (...) { return 0; }
}

// The descriptors of a process: fd number → what it points at.
std::map<int, std::string> fds_of(int pid) {
  std::map<int, std::string> out;
  std::error_code ec;
  for (auto& e : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    std::error_code ec2;
    out[std::stoi(e.path().filename().string())] = fs::read_symlink(e.path(), ec2).string();
  }
  return out;
}

std::string describe(const std::map<int, std::string>& fds) {
  std::string s;
  for (auto& [fd, what] : fds) s += std::to_string(fd) + " -> " + what + "\n";
  return s;
}

int record_int(const AmuxEnv& env, const std::string& id, const std::string& key) {
  std::string v = env.record_field(id, key);
  try { return v.empty() ? 0 : std::stoi(v); } catch (...) { return 0; }
}

std::string id_from(const RunResult& r) {
  auto p = r.out.find("backgrounded · ");
  return p == std::string::npos ? "" : r.out.substr(p + strlen("backgrounded · "), 8);
}

long long ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

// ---- the dispatcher's environment ----

TEST(Launch, SessionRunsInTheDispatchersEnvironmentAndKeepsItOnRespawn) {
  AmuxEnv env;
  env.write_config("[daemon]\nidle_exit = 600\n");
  TempDir tmp;
  fs::create_directories(tmp.path / "bin");
  write_script(tmp.path / "bin" / "mytool", "echo private-tool-ran\n");

  // The supervisor starts from a plain environment: no FOO, no private bin.
  auto plain = run_process({"/usr/bin/env", "-i", "PATH=/usr/bin:/bin", "HOME=" + tmp.path.string(),
                            "AMUX_CONFIG_DIR=" + env.config_dir(), "XDG_RUNTIME_DIR=" + env.env()["XDG_RUNTIME_DIR"],
                            amux_bin(), "agents", "--json"});
  ASSERT_EQ(plain.rc, 0) << plain.err;
  const int sup = supervisor_pid(env);
  ASSERT_GT(sup, 0);

  // Dispatch from a shell with FOO, a private PATH entry, and what belongs to
  // an outer terminal or multiplexer.
  auto vars = env.env();
  const char* path = getenv("PATH");
  vars["PATH"] = (tmp.path / "bin").string() + ":" + (path ? path : "/usr/bin:/bin");
  vars["FOO"] = "bar";
  vars["TERM"] = "dumb";
  vars["COLUMNS"] = "33";
  vars["TMUX"] = "/tmp/tmux-0/default,1,0";
  vars["TMUX_PANE"] = "%9";
  vars["STY"] = "123.outer";
  vars["AMUX_SESSION"] = "feedf00d";
  vars["AMUX_JOB_DIR"] = "/outer/job";
  const std::string script =
      "echo \"FOO=$FOO\"; mytool; "
      "echo \"TERM=$TERM TMUX=[$TMUX] PANE=[$TMUX_PANE] STY=[$STY] COLUMNS=[$COLUMNS]\"; "
      "echo \"S=$AMUX_SESSION C=$AMUX_CONFIG_DIR J=$AMUX_JOB_DIR\"; sleep 600";
  auto d = run_process({amux_bin(), "--bg", "--exec", script}, vars);
  ASSERT_EQ(d.rc, 0) << d.err;
  const std::string id = id_from(d);
  ASSERT_EQ(id.size(), 8u) << d.out;
  EXPECT_EQ(supervisor_pid(env), sup) << "the plain supervisor must be the one that started it";

  // (bash sets COLUMNS from the session's own terminal, never the caller's 33.)
  const std::string own = "TERM=xterm-256color TMUX=[] PANE=[] STY=[] COLUMNS=[";
  const std::string amux_vars =
      "S=" + id + " C=" + env.config_dir() + " J=" + env.config_dir() + "/jobs/" + id;
  ASSERT_TRUE(env.wait_capture(id, "private-tool-ran")) << env.capture(id);
  std::string out = env.capture(id);
  EXPECT_NE(out.find("FOO=bar"), std::string::npos) << out;
  EXPECT_NE(out.find(own), std::string::npos) << out;
  EXPECT_EQ(out.find("COLUMNS=[33]"), std::string::npos) << out;
  EXPECT_NE(out.find(amux_vars), std::string::npos) << out;

  // Kept with the session, readable by the user only.
  struct stat st {};
  ASSERT_EQ(stat((env.config_dir() + "/jobs/" + id + "/env").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // A respawn (asked from the plain environment) runs it the same way.
  const int old_host = record_int(env, id, "hostPid");
  auto rs = run_process({"/usr/bin/env", "-i", "PATH=/usr/bin:/bin", "AMUX_CONFIG_DIR=" + env.config_dir(),
                         "XDG_RUNTIME_DIR=" + env.env()["XDG_RUNTIME_DIR"], amux_bin(), "respawn", id});
  ASSERT_EQ(rs.rc, 0) << rs.err;
  ASSERT_TRUE(wait_until([&] {
    int h = record_int(env, id, "hostPid");
    return h > 0 && h != old_host;
  }));
  ASSERT_TRUE(env.wait_capture(id, "private-tool-ran")) << env.capture(id);
  out = env.capture(id);
  EXPECT_NE(out.find("FOO=bar"), std::string::npos) << out;
  EXPECT_NE(out.find(own), std::string::npos) << out;
  EXPECT_EQ(supervisor_pid(env), sup);
}

// ---- descriptors ----

TEST(Launch, OnlyStdioReachesTheProgramAndNothingOfTheStarterIsKept) {
  AmuxEnv env;
  TempDir tmp;
  const std::string marker = (tmp.path / "starter-fd").string();
  // The dispatch that starts the supervisor holds a file on fd 7.
  auto vars = env.env();
  auto d = run_process({"/bin/bash", "-c", "exec 7>\"$MARK\"; exec \"$AMUX\" --bg --exec 'sleep 600'"},
                       {{"AMUX_CONFIG_DIR", vars["AMUX_CONFIG_DIR"]},
                        {"XDG_RUNTIME_DIR", vars["XDG_RUNTIME_DIR"]},
                        {"MARK", marker},
                        {"AMUX", amux_bin()}});
  ASSERT_EQ(d.rc, 0) << d.err;
  const std::string id = id_from(d);
  ASSERT_EQ(id.size(), 8u) << d.out;
  ASSERT_TRUE(env.wait_state(id, "working"));

  const int pid = record_int(env, id, "pid");
  const int host = record_int(env, id, "hostPid");
  const int sup = supervisor_pid(env);
  ASSERT_GT(pid, 0);
  ASSERT_GT(host, 0);
  ASSERT_GT(sup, 0);

  auto prog = fds_of(pid);
  std::set<int> nums;
  for (auto& [fd, what] : prog) nums.insert(fd);
  EXPECT_EQ(nums, (std::set<int>{0, 1, 2})) << describe(prog);

  // The host's own descriptors beyond 0-2 are its sockets, terminal and
  // loop: no copy of the log or of anything its starters held.
  const std::string log = env.config_dir() + "/daemon.log";
  for (auto& [fd, what] : fds_of(host)) {
    if (fd <= 2) continue;
    EXPECT_NE(what, marker) << "host fd " << fd;
    EXPECT_NE(what, log) << "host fd " << fd << "\n" << describe(fds_of(host));
  }
  for (auto& [fd, what] : fds_of(sup)) EXPECT_NE(what, marker) << "supervisor fd " << fd;
}

TEST(Launch, DispatchThatStartsTheSupervisorDoesNotHoldTheCallersPipe) {
  AmuxEnv env;
  auto vars = env.env();
  // `… 7>&1 | cat` ends when every holder of the pipe has closed it: the
  // supervisor and the host must not be among them while `sleep 8` runs.
  auto t0 = std::chrono::steady_clock::now();
  auto r = run_process({"/bin/bash", "-c", "\"$AMUX\" --bg --exec 'sleep 8' 7>&1 | cat"},
                       {{"AMUX_CONFIG_DIR", vars["AMUX_CONFIG_DIR"]},
                        {"XDG_RUNTIME_DIR", vars["XDG_RUNTIME_DIR"]},
                        {"AMUX", amux_bin()}},
                       "", 60000);
  const long long took = ms_since(t0);
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("backgrounded · "), std::string::npos) << r.out;
  EXPECT_LT(took, 5000) << "the pipe was held by what the dispatch started";
}

// ---- the supervisor's loop ----

namespace {

// A private instance whose supervisor finds a slow `git` first, and a user
// profile `slowagent` (a shell loop) to dispatch: starting its host asks
// git where the project's files are.
class SlowStartEnv {
 public:
  SlowStartEnv() {
    fs::create_directories(tmp_.path / "fakebin");
    fs::create_directories(tmp_.path / "work");
    delay_ = (tmp_.path / "git-delay").string();
    started_ = (tmp_.path / "git-started").string();
    write_script(tmp_.path / "fakebin" / "git",
                 "if [ -s \"$AMUX_TEST_GIT_DELAY\" ]; then : > \"$AMUX_TEST_GIT_STARTED\"; "
                 "sleep \"$(cat \"$AMUX_TEST_GIT_DELAY\")\"; fi\nexec " + real_git() + " \"$@\"\n");
    std::ofstream(env_.config_dir() + "/agents.toml")
        << "[slowagent]\nbinary = \"sh\"\nstart = [\"-c\", \"echo agent-up; sleep 600\", \"{prompt}\"]\n";
    env_.write_config("[daemon]\nidle_exit = 600\n");
    // The supervisor starts now, with the fake git on its PATH.
    auto vars = env_.env();
    const char* path = getenv("PATH");
    vars["PATH"] = (tmp_.path / "fakebin").string() + ":" + (path ? path : "/usr/bin:/bin");
    vars["AMUX_TEST_GIT_DELAY"] = delay_;
    vars["AMUX_TEST_GIT_STARTED"] = started_;
    auto r = run_process({amux_bin(), "agents", "--json"}, vars);
    EXPECT_EQ(r.rc, 0) << r.err;
  }

  const AmuxEnv& env() const { return env_; }
  void set_delay(int seconds) const {
    std::error_code ec;
    fs::remove(started_, ec);
    std::ofstream(delay_) << (seconds > 0 ? std::to_string(seconds) : "");
  }
  bool git_started() const { return fs::exists(started_); }

  // `amux --bg --agent slowagent <prompt>` from the work dir.
  RunResult dispatch(const std::string& prompt) const {
    return run_process({"/bin/sh", "-c", "cd \"$1\" && exec \"$2\" --bg --agent slowagent \"$3\"", "sh",
                        (tmp_.path / "work").string(), amux_bin(), prompt},
                       env_.env(), "", 60000);
  }

 private:
  static std::string real_git() {
    for (const char* c : {"/usr/bin/git", "/bin/git", "/usr/local/bin/git"})
      if (access(c, X_OK) == 0) return c;
    ADD_FAILURE() << "git is not installed";
    return "git";
  }

  TempDir tmp_;
  AmuxEnv env_;
  std::string delay_, started_;
};

}  // namespace

TEST(Launch, SupervisorAnswersWhileAHostIsSlowToStart) {
  SlowStartEnv s;
  s.set_delay(5);
  RunResult slow;
  std::thread t([&] { slow = s.dispatch("take your time"); });
  // Barrier: the supervisor is inside the slow start.
  ASSERT_TRUE(wait_until([&] { return s.git_started(); }, 20000));
  auto t0 = std::chrono::steady_clock::now();
  auto r = s.env().amux({"agents", "--json"}, "", 20000);
  const long long took = ms_since(t0);
  EXPECT_EQ(r.rc, 0) << r.err;
  // The issue asks for 100 ms; a loaded 2-core test machine gets 1 s (a
  // blocked loop answers after the whole 5 s start).
  EXPECT_LT(took, 1000) << "agents --json waited for the host start";
  t.join();
  ASSERT_EQ(slow.rc, 0) << slow.err;
  const std::string id = id_from(slow);
  ASSERT_EQ(id.size(), 8u) << slow.out;
  EXPECT_TRUE(s.env().wait_capture(id, "agent-up")) << s.env().capture(id);
}

TEST(Launch, RespawnAllStartsSessionsAtOnce) {
  SlowStartEnv s;
  s.set_delay(0);
  std::vector<std::string> ids;
  for (int i = 0; i < 20; i++) {
    auto r = s.dispatch("job " + std::to_string(i));
    ASSERT_EQ(r.rc, 0) << r.err;
    ids.push_back(id_from(r));
  }
  for (auto& id : ids) ASSERT_TRUE(s.env().wait_capture(id, "agent-up")) << id;

  // Every host start now takes at least a second.
  s.set_delay(1);
  auto t0 = std::chrono::steady_clock::now();
  auto one = s.env().amux({"respawn", ids[0]}, "", 60000);
  const long long single = ms_since(t0);
  ASSERT_EQ(one.rc, 0) << one.err;
  ASSERT_GE(single, 1000);

  t0 = std::chrono::steady_clock::now();
  auto all = s.env().amux({"respawn", "--all"}, "", 120000);
  const long long twenty = ms_since(t0);
  ASSERT_EQ(all.rc, 0) << all.err;
  // One at a time would take 20 × single; at once, about one.
  EXPECT_LT(twenty, 4 * single + 2000) << "single " << single << " ms, all 20 " << twenty << " ms";
  for (auto& id : ids) EXPECT_TRUE(s.env().wait_capture(id, "agent-up")) << id;
}
