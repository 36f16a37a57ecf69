// pty.cpp — spawn, resize, signal, read/write and reap one child on its own PTY.
//
// Why: see pty.h. This is forkpty done by hand so that no fd is ever open
// without close-on-exec in the parent (posix_openpt(O_CLOEXEC) and the slave
// opened with O_CLOEXEC): another thread forking at the same moment cannot
// leak this session's terminal into its child. The child does what forkpty's
// login_tty does (setsid, TIOCSCTTY, dup2 to 0/1/2), then resets signals,
// changes directory and execs. Everything the child needs is built before
// fork, so the child only makes async-signal-safe calls. spawn returns once
// the child has exec'd (a close-on-exec pipe), so its session and group
// exist by then.
#include "pty/pty.h"

#include "pty/close_fds.h"
#include "pty/fork_exec.h"
#include "pty/unique_fd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <initializer_list>
#include <string_view>
#include <utility>

extern char** environ;

namespace amux::pty {

namespace {

constexpr size_t kReadChunk = 64 * 1024;
// read_available returns after this much even if more is pending, so one
// busy session cannot hold its caller's loop.
constexpr size_t kReadLimit = 1024 * 1024;
// write_all gives up when the program has not taken a byte for this long.
constexpr int kWriteStallMs = 2000;

// Write the NUL-terminated pieces and a newline to fd; async-signal-safe.
void child_message(int fd, std::initializer_list<const char*> parts) {
  char buf[1024];
  size_t len = 0;
  for (const char* p : parts)
    for (; *p && len < sizeof buf - 2; ++p) buf[len++] = *p;
  buf[len++] = '\r';
  buf[len++] = '\n';
  size_t off = 0;
  while (off < len) {
    ssize_t n = write(fd, buf + off, len - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    off += size_t(n);
  }
}

// "K=V" → "K"; an entry without '=' names a variable to remove.
std::string_view env_key(std::string_view entry) {
  return entry.substr(0, entry.find('='));
}

std::vector<std::string> build_environment(const SpawnOptions& opts) {
  std::vector<std::string> env;
  if (!opts.env.empty()) {
    env = opts.env;
  } else {
    for (char** e = environ; e && *e; ++e) env.emplace_back(*e);
  }
  for (const std::string& ov : opts.env_overrides) {
    const std::string_view key = env_key(ov);
    std::erase_if(env, [&](const std::string& e) { return env_key(e) == key; });
    if (ov.find('=') != std::string::npos) env.push_back(ov);
  }
  return env;
}

[[noreturn]] void throw_errno(const std::string& what) {
  const int err = errno;
  throw PtyError(what + ": " + strerror(err), err);
}

// The child side after fork: never returns. sync_fd closes at exec (or
// exit), which tells the parent the child is set up.
[[noreturn]] void run_child(int master, int slave, int sync_fd, const std::string& cwd,
                            char** argv, char** envp, const sigset_t& empty_mask) {
  ::close(master);
  // What login_tty does: a new session with the slave as controlling tty.
  if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0) {
    child_message(slave, {"amux: cannot make the terminal controlling: ", errno_text(errno)});
    _exit(127);
  }
  for (int fd = 0; fd <= 2; ++fd) {
    if (dup2(slave, fd) < 0) _exit(127);
  }
  if (slave > 2) ::close(slave);
  // Only 0, 1 and 2 reach the program: whatever the parent holds without
  // close-on-exec (its own starter's descriptors, say) is closed here; the
  // sync pipe goes at exec.
  close_fds_from(3, sync_fd);

  // Default dispositions (a daemon parent may ignore SIGPIPE or SIGHUP) and
  // an empty mask; the parent blocked everything around fork.
  struct sigaction dfl{};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &dfl, nullptr);
  sigprocmask(SIG_SETMASK, &empty_mask, nullptr);

  if (!cwd.empty() && chdir(cwd.c_str()) < 0) {
    child_message(STDERR_FILENO, {"amux: cannot change directory to ", cwd.c_str(), ": ", errno_text(errno)});
    _exit(127);
  }
  // execvp looks argv[0] up in the PATH of environ, so the new environment
  // (including a PATH override) decides.
  environ = envp;
  execvp(argv[0], argv);
  child_message(STDERR_FILENO, {"amux: cannot run ", argv[0], ": ", errno_text(errno)});
  _exit(127);
}

}  // namespace

std::string ExitStatus::describe() const {
  if (signaled) return signal_name(signal) + " (" + std::to_string(shell_code()) + ")";
  return "exit " + std::to_string(code);
}

ExitStatus exit_status_from_wait(int wstatus) {
  ExitStatus st;
  if (WIFSIGNALED(wstatus)) {
    st.signaled = true;
    st.signal = WTERMSIG(wstatus);
  } else if (WIFEXITED(wstatus)) {
    st.code = WEXITSTATUS(wstatus);
  }
  return st;
}

std::string signal_name(int sig) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  if (const char* abbrev = sigabbrev_np(sig)) return std::string("SIG") + abbrev;
#else
  static const struct {
    int sig;
    const char* name;
  } table[] = {{SIGHUP, "SIGHUP"},   {SIGINT, "SIGINT"},     {SIGQUIT, "SIGQUIT"},
               {SIGILL, "SIGILL"},   {SIGTRAP, "SIGTRAP"},   {SIGABRT, "SIGABRT"},
               {SIGBUS, "SIGBUS"},   {SIGFPE, "SIGFPE"},     {SIGKILL, "SIGKILL"},
               {SIGUSR1, "SIGUSR1"}, {SIGSEGV, "SIGSEGV"},   {SIGUSR2, "SIGUSR2"},
               {SIGPIPE, "SIGPIPE"}, {SIGALRM, "SIGALRM"},   {SIGTERM, "SIGTERM"},
               {SIGCHLD, "SIGCHLD"}, {SIGCONT, "SIGCONT"},   {SIGSTOP, "SIGSTOP"},
               {SIGTSTP, "SIGTSTP"}, {SIGTTIN, "SIGTTIN"},   {SIGTTOU, "SIGTTOU"},
               {SIGURG, "SIGURG"},   {SIGXCPU, "SIGXCPU"},   {SIGXFSZ, "SIGXFSZ"},
               {SIGVTALRM, "SIGVTALRM"}, {SIGPROF, "SIGPROF"}, {SIGWINCH, "SIGWINCH"},
               {SIGIO, "SIGIO"},     {SIGSYS, "SIGSYS"}};
  for (const auto& e : table)
    if (e.sig == sig) return e.name;
#endif
  return "SIG" + std::to_string(sig);
}

Pty Pty::spawn(const SpawnOptions& opts) {
  if (opts.argv.empty() || opts.argv[0].empty()) throw PtyError("spawn: no program given", EINVAL);
  if (opts.rows <= 0 || opts.cols <= 0 || opts.rows > 0xffff || opts.cols > 0xffff)
    throw PtyError("spawn: bad terminal size", EINVAL);

  // Everything the child uses is prepared here, before fork.
  std::vector<std::string> argv_store = opts.argv;
  std::vector<char*> argv = c_strings(argv_store);
  std::vector<std::string> env_store = build_environment(opts);
  std::vector<char*> envp = c_strings(env_store);

  UniqueFd master(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master) throw_errno("posix_openpt");
  if (grantpt(master.get()) < 0) throw_errno("grantpt");
  if (unlockpt(master.get()) < 0) throw_errno("unlockpt");
  char name[128];
  if (int err = ptsname_r(master.get(), name, sizeof name)) {
    errno = err;
    throw_errno("ptsname_r");
  }
  UniqueFd slave(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!slave) throw_errno(std::string("open ") + name);

  // Set the terminal up before the child can see it: size, and IUTF8 so
  // that erasing in canonical mode removes whole UTF-8 characters.
  struct winsize ws{};
  ws.ws_row = static_cast<unsigned short>(opts.rows);
  ws.ws_col = static_cast<unsigned short>(opts.cols);
  if (ioctl(slave.get(), TIOCSWINSZ, &ws) < 0) throw_errno("TIOCSWINSZ");
  struct termios tio{};
  if (tcgetattr(slave.get(), &tio) == 0) {
    tio.c_iflag |= IUTF8;
    tcsetattr(slave.get(), TCSANOW, &tio);
  }
  int flags = fcntl(master.get(), F_GETFL);
  if (flags < 0 || fcntl(master.get(), F_SETFL, flags | O_NONBLOCK) < 0) throw_errno("O_NONBLOCK");

  // The child holds the write end until exec: spawn returns only once the
  // child is a session leader with this terminal, so the group can be
  // signalled at once and closing the master cannot race TIOCSCTTY.
  int sync_pipe[2];
  if (pipe2(sync_pipe, O_CLOEXEC) < 0) throw_errno("pipe2");
  UniqueFd sync_read(sync_pipe[0]);
  UniqueFd sync_write(sync_pipe[1]);

  // Block every signal across fork so no handler of the parent's (libuv's
  // signal pipe writer, say) runs in the child before it resets them.
  sigset_t all, old, empty;
  sigfillset(&all);
  sigemptyset(&empty);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  const pid_t pid = fork();
  if (pid == 0)
    run_child(master.get(), slave.get(), sync_write.get(), opts.cwd, argv.data(), envp.data(), empty);
  const int fork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) {
    errno = fork_errno;
    throw_errno("fork");
  }
  sync_write.reset();
  char byte;
  while (::read(sync_read.get(), &byte, 1) < 0 && errno == EINTR) {
  }

  Pty p;
  p.master_ = std::move(master);
  p.pid_ = pid;
  p.slave_path_ = name;
  p.rows_ = opts.rows;
  p.cols_ = opts.cols;
  // slave closes here: once the child and its children close it too, the
  // master reads EIO.
  return p;
}

Pty::Pty(Pty&& other) noexcept
    : master_(std::move(other.master_)),
      pid_(std::exchange(other.pid_, -1)),
      slave_path_(std::move(other.slave_path_)),
      rows_(other.rows_),
      cols_(other.cols_),
      status_(std::exchange(other.status_, std::nullopt)) {}

Pty& Pty::operator=(Pty&& other) noexcept {
  if (this != &other) {
    Pty old(std::move(*this));  // cleaned up (master closed, child hung up) at scope end
    master_ = std::move(other.master_);
    pid_ = std::exchange(other.pid_, -1);
    slave_path_ = std::move(other.slave_path_);
    rows_ = other.rows_;
    cols_ = other.cols_;
    status_ = std::exchange(other.status_, std::nullopt);
  }
  return *this;
}

Pty::~Pty() {
  close_master();
  if (pid_ > 0 && !status_) {
    kill(-pid_, SIGHUP);
    try_wait();
  }
}

int Pty::resize(int rows, int cols) {
  if (!master_) return -EBADF;
  if (rows <= 0 || cols <= 0 || rows > 0xffff || cols > 0xffff) return -EINVAL;
  struct winsize ws{};
  ws.ws_row = static_cast<unsigned short>(rows);
  ws.ws_col = static_cast<unsigned short>(cols);
  if (ioctl(master_.get(), TIOCSWINSZ, &ws) < 0) return -errno;
  rows_ = rows;
  cols_ = cols;
  // The kernel already signals the foreground group when the size changes;
  // this covers a size set to the same value (a redraw request).
  const pid_t fg = tcgetpgrp(master_.get());
  if (fg > 0) kill(-fg, SIGWINCH);
  return 0;
}

int Pty::signal_group(int sig) {
  if (pid_ <= 0) return -ESRCH;
  // The group id stays reserved while any member lives, even after the
  // leader was reaped, so this cannot hit an unrelated group.
  if (kill(-pid_, sig) < 0) return -errno;
  return 0;
}

pid_t Pty::foreground_pgid() const {
  if (!master_) return -EBADF;
  const pid_t pg = tcgetpgrp(master_.get());
  return pg < 0 ? -errno : pg;
}

// ECHILD (someone else reaped our child, or SIGCHLD is ignored) records a
// lost status, code -1, so that callers waiting for an end get one.
std::optional<ExitStatus> Pty::try_wait() {
  if (status_ || pid_ <= 0) return status_;
  int wstatus = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &wstatus, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) {
    status_ = exit_status_from_wait(wstatus);
  } else if (r < 0 && errno == ECHILD) {
    status_ = ExitStatus{false, -1, 0};
  }
  return status_;
}

ExitStatus Pty::wait() {
  if (status_ || pid_ <= 0) return status_.value_or(ExitStatus{false, -1, 0});
  int wstatus = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &wstatus, 0);
  } while (r < 0 && errno == EINTR);
  status_ = r == pid_ ? exit_status_from_wait(wstatus) : ExitStatus{false, -1, 0};
  return *status_;
}

ssize_t Pty::read_available(std::string& out) {
  if (!master_) return -EBADF;
  size_t total = 0;
  while (total < kReadLimit) {
    const size_t old = out.size();
    out.resize(old + kReadChunk);
    const ssize_t n = ::read(master_.get(), out.data() + old, kReadChunk);
    const int err = errno;
    out.resize(old + (n > 0 ? size_t(n) : 0));
    if (n > 0) {
      total += size_t(n);
      continue;
    }
    if (n < 0 && err == EINTR) continue;
    if (n < 0 && (err == EAGAIN || err == EWOULDBLOCK)) break;
    // EIO (slave closed everywhere), EOF or another error: report what was
    // read now, the error on the next call.
    if (total > 0) break;
    return n == 0 ? -EIO : -err;
  }
  return static_cast<ssize_t>(total);
}

int Pty::write_all(std::string_view data) {
  if (!master_) return -EBADF;
  while (!data.empty()) {
    const ssize_t n = ::write(master_.get(), data.data(), data.size());
    if (n > 0) {
      data.remove_prefix(size_t(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      struct pollfd pfd{master_.get(), POLLOUT, 0};
      int r;
      do {
        r = poll(&pfd, 1, kWriteStallMs);
      } while (r < 0 && errno == EINTR);
      if (r < 0) return -errno;
      if (r == 0) return -ETIMEDOUT;
      continue;
    }
    return n < 0 ? -errno : -EIO;
  }
  return 0;
}

void Pty::close_master() { master_.reset(); }

}  // namespace amux::pty
