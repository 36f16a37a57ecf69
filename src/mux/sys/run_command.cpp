// run_command.cpp — posix_spawn a program, capture its output, enforce a
// deadline (see run_command.h).
//
// The pipes are made close-on-exec and posix_spawn's file actions dup them
// onto 1 and 2 and close every other fd from 3 up in the child, so nothing
// the caller holds (sockets, PTY masters, lock files) leaks into it. The
// child gets default signal dispositions and an empty mask (a libuv process
// ignores SIGPIPE, and ignored signals survive exec), and its own process
// group so a timeout can kill whatever it started too.
#include "mux/sys/run_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "mux/sys/clock.h"
#include "pty/unique_fd.h"

extern char** environ;

namespace amux::mux {
namespace {

using pty::UniqueFd;

// Owns posix_spawn's attribute and file-action objects.
struct SpawnSetup {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  SpawnSetup() {
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

// Reaps the child on every way out; kills its group first if still running.
struct Child {
  pid_t pid = -1;
  int status = 0;
  bool reaped = false;
  ~Child() {
    if (pid > 0 && !reaped) {
      ::kill(-pid, SIGKILL);
      wait();
    }
  }
  void wait() {
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    reaped = true;
  }
};

std::string env_name(const std::string& kv) { return kv.substr(0, kv.find('=')); }

std::vector<std::string> child_env(const RunOptions& o) {
  std::vector<std::string> out;
  auto dropped = [&](const std::string& name) {
    for (auto& u : o.unset_env)
      if (u == name) return true;
    for (auto& kv : o.env)
      if (env_name(kv) == name) return true;
    return false;
  };
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    if (!dropped(env_name(kv))) out.push_back(std::move(kv));
  }
  for (auto& kv : o.env) out.push_back(kv);
  return out;
}

}  // namespace

std::string RunResult::failure() const {
  if (!error.empty()) return error;
  if (timed_out) return "timed out";
  std::string first = err.substr(0, err.find('\n'));
  if (first.empty()) first = out.substr(0, out.find('\n'));
  std::string what = signal ? "killed by signal " + std::to_string(signal)
                            : "exit " + std::to_string(exit_code);
  return first.empty() ? what : what + ": " + first;
}

std::string find_executable(const std::string& name, const std::string& path_value) {
  auto runnable = [](const std::string& p) {
    struct stat st;
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
  };
  if (name.empty()) return "";
  if (name.find('/') != std::string::npos) return runnable(name) ? name : "";
  size_t start = 0;
  while (start <= path_value.size()) {
    size_t end = path_value.find(':', start);
    if (end == std::string::npos) end = path_value.size();
    std::string dir = path_value.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string cand = dir + "/" + name;
    if (runnable(cand)) return cand;
    start = end + 1;
  }
  return "";
}

std::string find_executable(const std::string& name) {
  const char* p = getenv("PATH");
  return find_executable(name, p ? p : "/usr/local/bin:/usr/bin:/bin");
}

RunResult run_command(const std::vector<std::string>& argv, const RunOptions& opts) {
  RunResult r;
  if (argv.empty() || argv[0].empty()) {
    r.error = "nothing to run";
    return r;
  }
  std::vector<std::string> env = child_env(opts);
  std::string path_value = "/usr/local/bin:/usr/bin:/bin";
  for (auto& kv : env)
    if (env_name(kv) == "PATH") path_value = kv.substr(5);
  std::string exe = find_executable(argv[0], path_value);
  if (exe.empty()) {
    r.error = argv[0] + ": not found" +
              (argv[0].find('/') == std::string::npos ? " on PATH" : " or not executable");
    return r;
  }

  int outp[2], errp[2];
  if (pipe2(outp, O_CLOEXEC) < 0) {
    r.error = std::string("pipe: ") + strerror(errno);
    return r;
  }
  UniqueFd out_r(outp[0]), out_w(outp[1]);
  if (pipe2(errp, O_CLOEXEC) < 0) {
    r.error = std::string("pipe: ") + strerror(errno);
    return r;
  }
  UniqueFd err_r(errp[0]), err_w(errp[1]);

  SpawnSetup s;
  posix_spawn_file_actions_addopen(&s.fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&s.fa, out_w.get(), 1);
  posix_spawn_file_actions_adddup2(&s.fa, err_w.get(), 2);
  posix_spawn_file_actions_addclosefrom_np(&s.fa, 3);
  if (!opts.cwd.empty()) posix_spawn_file_actions_addchdir_np(&s.fa, opts.cwd.c_str());
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&s.attr, &none);
  posix_spawnattr_setsigdefault(&s.attr, &all);
  posix_spawnattr_setpgroup(&s.attr, 0);
  posix_spawnattr_setflags(&s.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                        POSIX_SPAWN_SETPGROUP);

  std::vector<char*> cargv, cenv;
  for (auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (auto& e : env) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);

  Child child;
  int rc = posix_spawn(&child.pid, exe.c_str(), &s.fa, &s.attr, cargv.data(), cenv.data());
  if (rc != 0) {
    child.pid = -1;
    r.error = "cannot start " + argv[0] + (opts.cwd.empty() ? "" : " in " + opts.cwd) + ": " +
              strerror(rc);
    return r;
  }
  out_w.reset();
  err_w.reset();

  const int64_t deadline = opts.timeout_ms > 0 ? mono_ms() + opts.timeout_ms : 0;
  char buf[16384];
  while (out_r.valid() || err_r.valid()) {
    pollfd pf[2];
    int n = 0;
    if (out_r.valid()) pf[n++] = {out_r.get(), POLLIN, 0};
    if (err_r.valid()) pf[n++] = {err_r.get(), POLLIN, 0};
    int wait_ms = -1;
    if (deadline) {
      int64_t left = deadline - mono_ms();
      if (left <= 0) {
        r.timed_out = true;
        break;
      }
      wait_ms = int(left);
    }
    int k = ::poll(pf, nfds_t(n), wait_ms);
    if (k < 0) {
      if (errno == EINTR) continue;
      r.error = std::string("poll: ") + strerror(errno);
      break;
    }
    for (int i = 0; i < n; ++i) {
      if (!pf[i].revents) continue;
      UniqueFd& fd = pf[i].fd == out_r.get() ? out_r : err_r;
      std::string& sink = &fd == &out_r ? r.out : r.err;
      ssize_t got = ::read(fd.get(), buf, sizeof buf);
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (got <= 0) {
        fd.reset();
        continue;
      }
      size_t room = opts.max_output > sink.size() ? opts.max_output - sink.size() : 0;
      sink.append(buf, std::min(room, size_t(got)));
    }
  }
  if (r.timed_out || !r.error.empty()) ::kill(-child.pid, SIGKILL);
  child.wait();
  if (WIFEXITED(child.status)) r.exit_code = WEXITSTATUS(child.status);
  if (WIFSIGNALED(child.status)) r.signal = WTERMSIG(child.status);
  return r;
}

}  // namespace amux::mux
