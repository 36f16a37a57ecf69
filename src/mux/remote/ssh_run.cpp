// ssh_run.cpp — see ssh_run.h.
#include "mux/remote/ssh_run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>

#include "pty/close_fds.h"
#include "pty/fork_exec.h"
#include "pty/unique_fd.h"

namespace amux::mux {

SshRunResult run_ssh(const std::vector<std::string>& argv, bool capture_out, SshStdin in) {
  SshRunResult r;
  int out[2] = {-1, -1}, err[2];
  if (pipe2(err, O_CLOEXEC) != 0 || (capture_out && pipe2(out, O_CLOEXEC) != 0)) {
    r.error = std::string("cannot make a pipe: ") + std::strerror(errno);
    return r;
  }
  pty::UniqueFd err_r(err[0]), err_w(err[1]), out_r(out[0]), out_w(out[1]);
  std::vector<std::string> args = argv;
  auto cargs = pty::c_strings(args);
  pid_t pid = fork();
  if (pid < 0) {
    r.error = std::string("cannot fork: ") + std::strerror(errno);
    return r;
  }
  if (pid == 0) {
    if (in == SshStdin::Null) {
      int n = open("/dev/null", O_RDONLY);
      if (n >= 0) dup2(n, 0);
    }
    if (capture_out) dup2(out[1], 1);
    dup2(err[1], 2);
    pty::close_fds_from(3);
    signal(SIGPIPE, SIG_DFL);
    execvp(cargs[0], cargs.data());
    const char* msg = pty::errno_text(errno);
    (void)!write(2, "cannot run ssh: ", 16);
    (void)!write(2, msg, strlen(msg));
    _exit(127);
  }
  err_w.reset();
  out_w.reset();
  // Read until both pipes end, or until ssh has exited (a master it left
  // running in the background must not keep us waiting).
  pty::UniqueFd pidfd(int(syscall(SYS_pidfd_open, pid, 0)));
  bool exited = false;
  int status = 0;
  char buf[65536];
  while (err_r.valid() || out_r.valid()) {
    pollfd fds[3];
    int n = 0;
    if (err_r.valid()) fds[n++] = {err_r.get(), POLLIN, 0};
    if (out_r.valid()) fds[n++] = {out_r.get(), POLLIN, 0};
    int pidx = -1;
    if (pidfd.valid() && !exited) {
      pidx = n;
      fds[n++] = {pidfd.get(), POLLIN, 0};
    }
    int pr = poll(fds, nfds_t(n), exited ? 200 : -1);
    if (pr < 0 && errno == EINTR) continue;
    if (pr <= 0) break;  // exited and its pipes went quiet
    for (int i = 0; i < n; i++) {
      if (!fds[i].revents) continue;
      if (i == pidx) {
        exited = true;
        continue;
      }
      ssize_t k = read(fds[i].fd, buf, sizeof buf);
      if (k < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      bool is_err = fds[i].fd == err_r.get();
      if (k <= 0) {
        (is_err ? err_r : out_r).reset();
        continue;
      }
      if (is_err) {
        r.err.append(buf, size_t(k));
        if (r.err.size() > 65536) r.err.erase(0, r.err.size() - 65536);
      } else {
        r.out.append(buf, size_t(k));
      }
    }
  }
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

}  // namespace amux::mux
