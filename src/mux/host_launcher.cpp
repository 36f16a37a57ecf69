// host_launcher.cpp — double-fork a detached `amux host <id>` (see host_launcher.h).
#include "mux/host_launcher.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace amux::mux {

std::string self_exe() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "amux";
  buf[n] = 0;
  return buf;
}

std::string launch_host(const Paths& paths, const std::string& id, int timeout_ms) {
  return launch_detached(paths, {"host", id}, "session host", timeout_ms);
}

std::string launch_detached(const Paths& paths, const std::vector<std::string>& args,
                            const std::string& what, int timeout_ms) {
  int pfd[2];
  if (pipe2(pfd, O_CLOEXEC) != 0) return std::string("cannot create pipe: ") + strerror(errno);
  std::string exe = self_exe();
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
    av.push_back(const_cast<char*>(exe.c_str()));
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

}  // namespace amux::mux
