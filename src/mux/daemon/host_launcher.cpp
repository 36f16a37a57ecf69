// host_launcher.cpp — resolve a host's spec and double-fork a detached
// `amux host <id>` (see host_launcher.h).
#include "mux/daemon/host_launcher.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "mux/agents/agent_profile.h"
#include "mux/store/config.h"
#include "pty/close_fds.h"
#include "pty/fork_exec.h"
#include "pty/unique_fd.h"

extern char** environ;

namespace amux::mux {

std::string self_exe() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "amux";
  buf[n] = 0;
  return buf;
}

namespace {

using pty::c_strings;
using pty::errno_text;

bool is_executable(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// The descriptor the started process reads its ready pipe from.
constexpr int kReadyFd = 3;
// Where the child parks descriptors while it lays out 0..3.
constexpr int kParkFd = 10;

// Everything the detached child uses, built before fork.
struct Prepared {
  std::string exe;
  std::vector<std::string> argv_store, env_store;
  std::vector<char*> argv, envp;
  std::string log;
  std::string exec_error;  // "error: cannot run <exe>: "
};

Prepared prepare(const Paths& paths, const std::string& exe, const std::string& argv0,
                 const std::vector<std::string>& args) {
  Prepared p;
  p.exe = exe;
  p.argv_store.push_back(argv0);
  p.argv_store.insert(p.argv_store.end(), args.begin(), args.end());
  p.argv_store.push_back("--ready-fd");
  p.argv_store.push_back(std::to_string(kReadyFd));
  for (char** e = environ; e && *e; ++e)
    if (std::strncmp(*e, "AMUX_CONFIG_DIR=", 16) != 0) p.env_store.emplace_back(*e);
  p.env_store.push_back("AMUX_CONFIG_DIR=" + paths.config_dir);
  p.argv = c_strings(p.argv_store);
  p.envp = c_strings(p.env_store);
  p.log = paths.daemon_log();
  p.exec_error = "error: cannot run " + exe + ": ";
  return p;
}

void write_all(int fd, const char* s, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, s, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    s += w;
    n -= size_t(w);
  }
}

// Puts `from` at `to` without close-on-exec.
void place(int from, int to) {
  if (from < 0) return;
  if (from == to) ::fcntl(to, F_SETFD, 0);
  else ::dup2(from, to);
}

// The child after the first fork: never returns. Only async-signal-safe calls.
[[noreturn]] void detached_child(const Prepared& p, int ready_w) {
  // A new session, then fork again so the process is not a session leader
  // that could acquire a controlling tty, and is reparented to init.
  ::setsid();
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  pid_t p2 = ::_Fork();  // async-signal-safe: no atfork handlers in a forked child
#else
  pid_t p2 = ::fork();
#endif
  if (p2 != 0) _exit(p2 < 0 ? 1 : 0);
  // Park everything above 0..3 first: any of the parent's 0..3 may be
  // closed, so a fresh descriptor could land where another must go.
  int ready = ::fcntl(ready_w, F_DUPFD_CLOEXEC, kParkFd);
  int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull >= 0 && devnull < kParkFd) devnull = ::fcntl(devnull, F_DUPFD_CLOEXEC, kParkFd);
  int logfd = ::open(p.log.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (logfd >= 0 && logfd < kParkFd) logfd = ::fcntl(logfd, F_DUPFD_CLOEXEC, kParkFd);
  place(devnull, 0);
  place(devnull, 1);
  place(logfd >= 0 ? logfd : devnull, 2);
  place(ready, kReadyFd);
  // Nothing else of the starter's: a pipe it holds (a make job server, a
  // CI step's output) must not stay open for as long as this runs.
  pty::close_fds_from(kReadyFd + 1);
  struct sigaction dfl{};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int s = 1; s < NSIG; s++) ::sigaction(s, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execve(p.exe.c_str(), p.argv.data(), p.envp.data());
  const char* why = errno_text(errno);
  write_all(kReadyFd, p.exec_error.data(), p.exec_error.size());
  write_all(kReadyFd, why, std::strlen(why));
  write_all(kReadyFd, "\n", 1);
  _exit(127);
}

// Forks `p` detached; the read end of its ready pipe, or -1 with *err.
int spawn_prepared(const Prepared& p, std::string* err) {
  int pfd[2];
  if (pipe2(pfd, O_CLOEXEC) != 0) {
    *err = std::string("cannot create pipe: ") + strerror(errno);
    return -1;
  }
  pty::UniqueFd read_end(pfd[0]), write_end(pfd[1]);
  // Block every signal across fork so no handler of the parent's (libuv's
  // signal pipe writer, say) runs in the child before it resets them.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid = ::fork();
  if (pid == 0) detached_child(p, write_end.get());
  const int fork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  write_end.reset();
  if (pid < 0) {
    *err = std::string("cannot fork: ") + strerror(fork_errno);
    return -1;
  }
  // The first child exits right after its fork.
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    *err = "cannot fork the detached process";
    return -1;
  }
  return read_end.release();
}

// Blocks until the ready pipe has a line, EOF or the timeout; then closes it.
std::string wait_ready(int fd, const Paths& paths, const std::string& what, int timeout_ms) {
  const pty::UniqueFd owned(fd);  // closed on every return
  std::string msg;
  char buf[512];
  struct pollfd pf = {fd, POLLIN, 0};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      return what + " did not start within " + std::to_string(timeout_ms / 1000) + " s";
    }
    int r = poll(&pf, 1, int(left));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n > 0) {
      msg.append(buf, size_t(n));
      if (msg.find('\n') != std::string::npos) break;
      continue;
    }
    break;  // EOF: the process closed the pipe without a word (it died)
  }
  return ready_error(msg, what, paths);
}

}  // namespace

std::string host_exe() {
  std::string exe = self_exe();
  size_t slash = exe.rfind('/');
  if (slash == std::string::npos) return "";
  const std::string dir = exe.substr(0, slash);
  for (const std::string& c : {dir + "/amux-host", dir + "/../lib/amux/amux-host"})
    if (is_executable(c)) return c;
  return "";
}

HostSpec resolve_host_spec(const Paths& paths, const SessionRecord& rec) {
  const Config cfg = load_config(paths.config_file());
  HostSpec s;
  s.scrollback_lines = cfg.scrollback_lines;
  s.shell_linger = cfg.shell_linger;
  s.stopped_linger = cfg.stopped_linger;
  s.idle_agent = cfg.idle_agent;
  s.escape_time_ms = cfg.escape_time_ms;
  s.state_hold_ms = cfg.state_hold_ms;
  s.sync_hold_ms = cfg.sync_hold_ms;
  if (!rec.agent.empty() && rec.kind != "shell") {
    try {
      auto set = load_profiles(paths, rec.cwd);
      if (const AgentProfile* p = set.find(rec.agent)) s.screen = p->screen_patterns();
    } catch (const std::exception& e) {
      s.screen_note = e.what();
    }
  }
  return s;
}

std::string prepare_host(const Paths& paths, const std::string& id) {
  std::string err;
  auto rec = load_record(paths, id, &err);
  if (!rec) return err;
  // A restart with nothing to resume (the agent never saved the
  // conversation) runs the start command again, with the original prompt.
  if (!rec->resume_if.empty() && !rec->start_argv.empty() && rec->argv == rec->resume_argv &&
      rec->argv != rec->start_argv && !any_path_exists(rec->resume_if)) {
    rec->argv = rec->start_argv;
    if (int rc = save_record(paths, *rec); rc < 0)
      return "cannot write " + paths.state_file(id) + ": " + strerror(-rc);
  }
  try {
    if (int rc = save_host_spec(paths, id, resolve_host_spec(paths, *rec)); rc < 0)
      return "cannot write " + host_spec_file(paths, id) + ": " + strerror(-rc);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

int spawn_host(const Paths& paths, const std::string& id, std::string* err) {
  // The small host binary, named `amux host <id>` in ps like the fallback.
  std::string exe = host_exe(), argv0 = "amux";
  if (exe.empty()) argv0 = exe = self_exe();
  return spawn_prepared(prepare(paths, exe, argv0, {"host", id}), err);
}

std::string ready_error(const std::string& answer, const std::string& what, const Paths& paths) {
  if (answer.rfind("ok", 0) == 0) return "";
  if (answer.rfind("error: ", 0) == 0) {
    std::string msg = answer.substr(7);
    msg = msg.substr(0, msg.find('\n'));
    while (!msg.empty() && msg.back() == '\r') msg.pop_back();
    return msg;
  }
  return what + " exited before it was ready (see " + paths.daemon_log() + ")";
}

std::string launch_host(const Paths& paths, const std::string& id, int timeout_ms) {
  if (std::string err = prepare_host(paths, id); !err.empty()) return err;
  std::string err;
  int fd = spawn_host(paths, id, &err);
  if (fd < 0) return err;
  return wait_ready(fd, paths, "session host", timeout_ms);
}

std::string launch_detached(const Paths& paths, const std::vector<std::string>& args,
                            const std::string& what, int timeout_ms) {
  const std::string exe = self_exe();
  std::string err;
  int fd = spawn_prepared(prepare(paths, exe, exe, args), &err);
  if (fd < 0) return err;
  return wait_ready(fd, paths, what, timeout_ms);
}

}  // namespace amux::mux
