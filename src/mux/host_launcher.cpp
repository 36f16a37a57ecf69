// host_launcher.cpp — resolve a host's spec and double-fork a detached
// `amux host <id>` (see host_launcher.h).
#include "mux/host_launcher.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "mux/agent_profile.h"
#include "mux/config.h"

namespace amux::mux {

std::string self_exe() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "amux";
  buf[n] = 0;
  return buf;
}

namespace {

bool is_executable(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// Runs `exe` with argv[0] = `argv0` (see launch_detached).
std::string launch_exe(const Paths& paths, const std::string& exe, const std::string& argv0,
                       const std::vector<std::string>& args, const std::string& what, int timeout_ms);

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

std::string launch_host(const Paths& paths, const std::string& id, int timeout_ms) {
  std::string err;
  auto rec = load_record(paths, id, &err);
  if (!rec) return err;
  try {
    if (int rc = save_host_spec(paths, id, resolve_host_spec(paths, *rec)); rc < 0)
      return "cannot write " + host_spec_file(paths, id) + ": " + strerror(-rc);
  } catch (const ConfigError& e) {
    return e.what();
  }
  // The small host binary, named `amux host <id>` in ps like the fallback.
  if (std::string exe = host_exe(); !exe.empty())
    return launch_exe(paths, exe, "amux", {"host", id}, "session host", timeout_ms);
  return launch_detached(paths, {"host", id}, "session host", timeout_ms);
}

std::string launch_detached(const Paths& paths, const std::vector<std::string>& args,
                            const std::string& what, int timeout_ms) {
  const std::string exe = self_exe();
  return launch_exe(paths, exe, exe, args, what, timeout_ms);
}

namespace {

std::string launch_exe(const Paths& paths, const std::string& exe, const std::string& argv0,
                       const std::vector<std::string>& args, const std::string& what, int timeout_ms) {
  int pfd[2];
  if (pipe2(pfd, O_CLOEXEC) != 0) return std::string("cannot create pipe: ") + strerror(errno);
  std::string ready = std::to_string(pfd[1]);
  std::string cfg = "AMUX_CONFIG_DIR=" + paths.config_dir;
  std::string log = paths.daemon_log();

  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(pfd[0]);
    close(pfd[1]);
    return std::string("cannot fork: ") + strerror(e);
  }
  if (pid == 0) {
    // First child: new session, fork again so the host is not a session
    // leader that could acquire a controlling tty, and is reparented to init.
    close(pfd[0]);
    setsid();
    pid_t p2 = fork();
    if (p2 != 0) _exit(p2 < 0 ? 1 : 0);
    int devnull = open("/dev/null", O_RDWR);
    int logfd = open(log.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0600);
    if (devnull >= 0) {
      dup2(devnull, 0);
      dup2(devnull, 1);
    }
    dup2(logfd >= 0 ? logfd : devnull, 2);
    int fl = fcntl(pfd[1], F_GETFD);
    fcntl(pfd[1], F_SETFD, fl & ~FD_CLOEXEC);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
    putenv(const_cast<char*>(cfg.c_str()));
    std::vector<char*> av;
    av.push_back(const_cast<char*>(argv0.c_str()));
    for (auto& a : args) av.push_back(const_cast<char*>(a.c_str()));
    const char* rf = "--ready-fd";
    av.push_back(const_cast<char*>(rf));
    av.push_back(const_cast<char*>(ready.c_str()));
    av.push_back(nullptr);
    execv(exe.c_str(), av.data());
    dprintf(pfd[1], "error: cannot run %s: %s\n", exe.c_str(), strerror(errno));
    _exit(127);
  }
  close(pfd[1]);
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  std::string msg;
  char buf[512];
  struct pollfd p = {pfd[0], POLLIN, 0};
  int waited = 0;
  while (true) {
    int r = poll(&p, 1, 100);
    if (r < 0 && errno == EINTR) continue;
    if (r > 0) {
      ssize_t n = read(pfd[0], buf, sizeof buf);
      if (n > 0) { msg.append(buf, size_t(n)); if (msg.find('\n') != std::string::npos) break; continue; }
      break;  // EOF: host closed the pipe without a word (it died)
    }
    waited += 100;
    if (waited >= timeout_ms) { close(pfd[0]); return what + " did not start within " + std::to_string(timeout_ms / 1000) + " s"; }
  }
  close(pfd[0]);
  if (msg.rfind("ok", 0) == 0) return "";
  if (msg.rfind("error: ", 0) == 0) {
    msg = msg.substr(7);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == '\r')) msg.pop_back();
    return msg;
  }
  return what + " exited before it was ready (see " + paths.daemon_log() + ")";
}

}  // namespace

}  // namespace amux::mux
