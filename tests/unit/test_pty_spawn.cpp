// Tests for src/pty/pty.cpp with real PTYs and real processes: output until
// EIO, exit statuses, exec failure, cwd and environment, controlling tty and
// session, resize and SIGWINCH, group signals, fd hygiene, the destructor,
// and draining large output.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "pty/pty.h"

using namespace amux::pty;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kDeadline = std::chrono::seconds(15);

Pty spawn(std::vector<std::string> argv, int rows = 24, int cols = 80) {
  SpawnOptions o;
  o.argv = std::move(argv);
  o.rows = rows;
  o.cols = cols;
  return Pty::spawn(o);
}

Pty spawn_sh(const std::string& script, int rows = 24, int cols = 80) {
  return spawn({"sh", "-c", script}, rows, cols);
}

// Read into out until EIO (the end) or the deadline. True on EIO.
bool read_to_end(Pty& p, std::string& out, size_t* count_only = nullptr) {
  const auto end = Clock::now() + kDeadline;
  std::string buf;
  while (Clock::now() < end) {
    struct pollfd pfd{p.master_fd(), POLLIN, 0};
    poll(&pfd, 1, 100);
    buf.clear();
    const ssize_t n = p.read_available(count_only ? buf : out);
    if (count_only && n > 0) {
      *count_only += size_t(n);
      // Keep only the tail, for end markers.
      out += buf;
      if (out.size() > 64) out.erase(0, out.size() - 64);
    }
    if (n == -EIO) return true;
    if (n < 0) return false;
  }
  return false;
}

// Read until out contains needle or the deadline passes.
bool read_until(Pty& p, std::string& out, const std::string& needle) {
  const auto end = Clock::now() + kDeadline;
  while (out.find(needle) == std::string::npos) {
    if (Clock::now() >= end) return false;
    struct pollfd pfd{p.master_fd(), POLLIN, 0};
    poll(&pfd, 1, 100);
    if (p.read_available(out) < 0) return out.find(needle) != std::string::npos;
  }
  return true;
}

// Whole output of a short-lived program, and its status.
std::string run(Pty& p, ExitStatus* st = nullptr) {
  std::string out;
  EXPECT_TRUE(read_to_end(p, out)) << "no EIO; got: " << out;
  ExitStatus s = p.wait();
  if (st) *st = s;
  return out;
}

size_t count(const std::string& s, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = s.find(needle); pos != std::string::npos; pos = s.find(needle, pos + 1)) ++n;
  return n;
}

// True when pid no longer runs: gone, or a zombie.
bool process_ended(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(f, line)) return true;
  const size_t close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() &&
         (line[close + 2] == 'Z' || line[close + 2] == 'X');
}

bool wait_ended(pid_t pid) {
  const auto end = Clock::now() + kDeadline;
  while (!process_ended(pid)) {
    if (Clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace

TEST(PtySpawn, EchoHelloUntilEio) {
  Pty p = spawn({"echo", "hello"});
  EXPECT_GT(p.pid(), 0);
  EXPECT_EQ(p.slave_path().rfind("/dev/pts/", 0), 0u) << p.slave_path();
  ExitStatus st;
  EXPECT_EQ(run(p, &st), "hello\r\n");
  EXPECT_TRUE(st.success());
  EXPECT_EQ(st.describe(), "exit 0");
  EXPECT_TRUE(p.reaped());
  // After the end, reads keep reporting it.
  std::string more;
  EXPECT_EQ(p.read_available(more), -EIO);
}

TEST(PtySpawn, OutputOfAnExitedChildIsStillRead) {
  Pty p = spawn_sh("printf tail-data");
  const ExitStatus st = p.wait();  // small output: the child need not wait for us
  EXPECT_TRUE(st.success());
  std::string out;
  EXPECT_TRUE(read_to_end(p, out));
  EXPECT_EQ(out, "tail-data");
}

TEST(PtySpawn, ExitCode) {
  Pty p = spawn_sh("exit 3");
  ExitStatus st;
  run(p, &st);
  EXPECT_FALSE(st.signaled);
  EXPECT_EQ(st.code, 3);
  EXPECT_EQ(st.shell_code(), 3);
  EXPECT_FALSE(st.success());
  EXPECT_EQ(st.describe(), "exit 3");
}

TEST(PtySpawn, TryWaitBeforeAndAfterExit) {
  Pty p = spawn({"sleep", "30"});
  EXPECT_FALSE(p.try_wait().has_value());
  EXPECT_FALSE(p.reaped());
  ASSERT_EQ(p.signal_group(SIGTERM), 0);
  const auto end = Clock::now() + kDeadline;
  std::optional<ExitStatus> st;
  while (!(st = p.try_wait()) && Clock::now() < end)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(st.has_value());
  EXPECT_TRUE(st->signaled);
  EXPECT_EQ(st->signal, SIGTERM);
  // The same status again, and from wait().
  EXPECT_EQ(p.try_wait()->signal, SIGTERM);
  EXPECT_EQ(p.wait().describe(), "SIGTERM (143)");
}

TEST(PtySpawn, KilledBySignal) {
  Pty p = spawn({"sleep", "30"});
  ASSERT_EQ(p.signal_group(SIGKILL), 0);
  ExitStatus st;
  run(p, &st);
  EXPECT_TRUE(st.signaled);
  EXPECT_EQ(st.signal, SIGKILL);
  EXPECT_EQ(st.shell_code(), 137);
  EXPECT_EQ(st.describe(), "SIGKILL (137)");
}

TEST(PtySpawn, ExecFailureIs127WithMessage) {
  Pty p = spawn({"/nonexistent/amux-no-such-program", "x"});
  ExitStatus st;
  const std::string out = run(p, &st);
  EXPECT_EQ(st.code, 127);
  EXPECT_FALSE(st.signaled);
  EXPECT_NE(out.find("amux: cannot run /nonexistent/amux-no-such-program: No such file or directory"),
            std::string::npos)
      << out;

  Pty q = spawn({"amux-no-such-program-in-path"});
  EXPECT_NE(run(q, &st).find("amux: cannot run amux-no-such-program-in-path: "), std::string::npos);
  EXPECT_EQ(st.code, 127);
}

TEST(PtySpawn, BadArgumentsThrow) {
  SpawnOptions o;
  try {
    Pty::spawn(o);
    FAIL() << "no throw";
  } catch (const PtyError& e) {
    EXPECT_EQ(e.error, EINVAL);
  }
  o.argv = {"true"};
  o.rows = 0;
  EXPECT_THROW(Pty::spawn(o), PtyError);
}

TEST(PtySpawn, WorkingDirectory) {
  char tmpl[] = "/tmp/amux-pty-cwd-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  SpawnOptions o;
  o.argv = {"pwd"};
  o.cwd = tmpl;
  Pty p = Pty::spawn(o);
  ExitStatus st;
  EXPECT_EQ(run(p, &st), std::string(tmpl) + "\r\n");
  EXPECT_TRUE(st.success());
  rmdir(tmpl);

  o.cwd = std::string(tmpl) + "/gone";
  Pty q = Pty::spawn(o);
  const std::string out = run(q, &st);
  EXPECT_EQ(st.code, 127);
  EXPECT_NE(out.find("amux: cannot change directory to " + o.cwd + ": No such file or directory"),
            std::string::npos)
      << out;
}

TEST(PtySpawn, EnvironmentAndOverrides) {
  ASSERT_EQ(setenv("AMUX_TEST_INHERITED", "yes", 1), 0);
  const std::string script = "echo \"[$AMUX_TEST_INHERITED][$FOO][$BAR][$BAZ]\"";

  // Inherited environ plus overrides; an entry without '=' removes.
  SpawnOptions o;
  o.argv = {"sh", "-c", script};
  o.env_overrides = {"BAR=3", "BAZ=4"};
  Pty a = Pty::spawn(o);
  EXPECT_EQ(run(a), "[yes][][3][4]\r\n");

  o.env_overrides = {"AMUX_TEST_INHERITED", "FOO=x=y"};
  Pty b = Pty::spawn(o);
  EXPECT_EQ(run(b), "[][x=y][][]\r\n");

  // An explicit environment replaces environ; overrides replace entries.
  o.env = {"PATH=/usr/bin:/bin", "FOO=1", "BAR=2"};
  o.env_overrides = {"BAR=3", "BAZ=4"};
  Pty c = Pty::spawn(o);
  EXPECT_EQ(run(c), "[][1][3][4]\r\n");
  unsetenv("AMUX_TEST_INHERITED");

  // PATH from the new environment is the one searched.
  SpawnOptions d;
  d.argv = {"sh", "-c", "true"};
  d.env_overrides = {"PATH=/nonexistent"};
  Pty dp = Pty::spawn(d);
  ExitStatus st;
  EXPECT_NE(run(dp, &st).find("cannot run sh"), std::string::npos);
  EXPECT_EQ(st.code, 127);
}

TEST(PtySpawn, ControllingTtyAndSessionLeader) {
  Pty t = spawn({"tty"});
  EXPECT_EQ(run(t), t.slave_path() + "\r\n");

  // Fields of /proc/<sh>/stat: pid, pgrp (5), session (6), tty_nr (7), tpgid (8).
  Pty p = spawn_sh("read a b c d e f g h rest < /proc/$$/stat; echo \"S:$a:$e:$f:$g:$h\"");
  const std::string out = run(p);
  const std::string pid = std::to_string(p.pid());
  const std::string prefix = "S:" + pid + ":" + pid + ":" + pid + ":";
  ASSERT_EQ(out.rfind(prefix, 0), 0u) << out;
  const std::string rest = out.substr(prefix.size());  // "<tty_nr>:<tpgid>\r\n"
  EXPECT_NE(rest.rfind("0:", 0), 0u) << "no controlling tty: " << out;
  EXPECT_NE(rest.find(":" + pid + "\r\n"), std::string::npos) << "not foreground: " << out;
}

TEST(PtySpawn, SignalsResetInChild) {
  // The parent ignores and blocks signals; the child must start clean.
  struct sigaction ign{}, old_int{}, old_pipe{};
  ign.sa_handler = SIG_IGN;
  sigaction(SIGINT, &ign, &old_int);
  sigaction(SIGPIPE, &ign, &old_pipe);
  sigset_t usr1, old_mask;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &usr1, &old_mask);

  Pty p = spawn({"grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"});
  const std::string out = run(p);

  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGPIPE, &old_pipe, nullptr);

  EXPECT_NE(out.find("SigBlk:\t0000000000000000"), std::string::npos) << out;
  // SigIgn, without signals 32 and 33: glibc keeps those for itself and
  // refuses to change them, so an ignore inherited from whoever started the
  // test stays (seen when the tests run under a backgrounded shell).
  const size_t at = out.find("SigIgn:\t");
  ASSERT_NE(at, std::string::npos) << out;
  const unsigned long long ignored = std::stoull(out.substr(at + 8, 16), nullptr, 16);
  const unsigned long long glibc_reserved = (1ull << 31) | (1ull << 32);
  EXPECT_EQ(ignored & ~glibc_reserved, 0ull) << out;
}

TEST(PtySpawn, ResizeChangesSizeAndSendsWinch) {
  Pty p = spawn_sh(
      "stty size; trap 'echo WINCH; stty size' WINCH; echo ready; "
      "while :; do sleep 0.05; done",
      24, 80);
  std::string out;
  ASSERT_TRUE(read_until(p, out, "ready")) << out;
  EXPECT_NE(out.find("24 80\r\n"), std::string::npos) << out;
  EXPECT_EQ(p.rows(), 24);
  EXPECT_EQ(p.cols(), 80);

  ASSERT_EQ(p.resize(30, 100), 0);
  EXPECT_EQ(p.rows(), 30);
  EXPECT_EQ(p.cols(), 100);
  ASSERT_TRUE(read_until(p, out, "WINCH\r\n30 100\r\n")) << out;

  // Same size again: the kernel sends nothing, the explicit SIGWINCH does.
  const size_t winches = count(out, "WINCH");
  ASSERT_EQ(p.resize(30, 100), 0);
  const auto end = Clock::now() + kDeadline;
  while (count(out, "WINCH") <= winches && Clock::now() < end) {
    struct pollfd pfd{p.master_fd(), POLLIN, 0};
    poll(&pfd, 1, 100);
    p.read_available(out);
  }
  EXPECT_GT(count(out, "WINCH"), winches) << out;

  EXPECT_EQ(p.resize(0, 10), -EINVAL);
  EXPECT_EQ(p.foreground_pgid() > 0, true);
  p.signal_group(SIGKILL);
  p.wait();
}

TEST(PtySpawn, SignalGroupReachesGrandchildren) {
  Pty p = spawn_sh("sleep 30 & echo bg=$!; wait");
  std::string out;
  ASSERT_TRUE(read_until(p, out, "\r\n")) << out;
  const size_t at = out.find("bg=");
  ASSERT_NE(at, std::string::npos) << out;
  const pid_t bg = pid_t(std::stol(out.substr(at + 3)));
  ASSERT_GT(bg, 0);
  EXPECT_FALSE(process_ended(bg));

  ASSERT_EQ(p.signal_group(SIGTERM), 0);
  EXPECT_TRUE(wait_ended(bg)) << "grandchild " << bg << " still runs";
  const ExitStatus st = p.wait();
  EXPECT_TRUE(st.signaled);
  EXPECT_EQ(st.signal, SIGTERM);
}

TEST(PtySpawn, MasterIsNonBlockingAndCloseOnExec) {
  Pty p = spawn({"sleep", "30"});
  const int fdflags = fcntl(p.master_fd(), F_GETFD);
  ASSERT_GE(fdflags, 0);
  EXPECT_TRUE(fdflags & FD_CLOEXEC);
  const int flflags = fcntl(p.master_fd(), F_GETFL);
  ASSERT_GE(flflags, 0);
  EXPECT_TRUE(flflags & O_NONBLOCK);
  // Nothing pending: 0, not an error.
  std::string out;
  EXPECT_EQ(p.read_available(out), 0);

  // A second child sees neither the first master nor the first slave.
  Pty q = spawn({"ls", "-l", "/proc/self/fd/"});
  const std::string listing = run(q);
  EXPECT_NE(listing.find("-> " + q.slave_path() + "\r\n"), std::string::npos) << listing;
  EXPECT_EQ(listing.find("ptmx"), std::string::npos) << listing;
  EXPECT_EQ(listing.find("-> " + p.slave_path() + "\r\n"), std::string::npos) << listing;
  p.signal_group(SIGKILL);
  p.wait();
}

TEST(PtySpawn, OnlyStdioReachesTheChild) {
  // Descriptors the parent holds without close-on-exec (a starter's pipe,
  // a copy of /dev/null) never reach the program.
  int leak = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(leak, 0);
  int high = ::fcntl(leak, F_DUPFD, 40);
  ASSERT_GE(high, 40);
  int pfd[2];
  ASSERT_EQ(::pipe(pfd), 0);
  Pty q = spawn({"sleep", "30"});  // spawn returns once it has exec'd
  ::close(leak);
  ::close(high);
  ::close(pfd[0]);
  ::close(pfd[1]);
  // Barrier: sleep is in its sleep (clock_nanosleep, 230, or nanosleep, 35,
  // in /proc/<pid>/syscall), past the dynamic loader, which briefly holds
  // a descriptor of its own while it opens libc.
  const std::string sys = "/proc/" + std::to_string(q.pid()) + "/syscall";
  bool asleep = false;
  for (int i = 0; i < 2000 && !asleep; ++i) {
    std::ifstream f(sys);
    int nr = -1;
    asleep = (f >> nr) && (nr == 230 || nr == 35);
    if (!asleep) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(asleep) << "sleep never reached its sleep";
  std::error_code ec;
  std::vector<int> nums;
  for (auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(q.pid()) + "/fd", ec))
    nums.push_back(std::stoi(e.path().filename().string()));
  std::sort(nums.begin(), nums.end());
  EXPECT_EQ(nums, (std::vector<int>{0, 1, 2}));
  q.signal_group(SIGKILL);
  q.wait();
}

TEST(PtySpawn, DestructorHangsUpLiveChild) {
  pid_t pid = -1;
  {
    Pty p = spawn({"sleep", "30"});
    pid = p.pid();
    ASSERT_FALSE(process_ended(pid));
  }
  EXPECT_TRUE(wait_ended(pid)) << "child " << pid << " still runs";
  // The destructor reaps without blocking; reap a zombie it left.
  int ws;
  waitpid(pid, &ws, WNOHANG);
}

TEST(PtySpawn, MoveKeepsOwnership) {
  Pty a = spawn({"cat"});
  const pid_t pid = a.pid();
  const int fd = a.master_fd();
  Pty b = std::move(a);
  EXPECT_EQ(a.master_fd(), -1);
  EXPECT_EQ(a.pid(), -1);
  EXPECT_EQ(b.pid(), pid);
  EXPECT_EQ(b.master_fd(), fd);

  // Assigning over a live Pty hangs up its child.
  Pty c = spawn({"sleep", "30"});
  const pid_t old = c.pid();
  c = std::move(b);
  EXPECT_EQ(c.pid(), pid);
  EXPECT_TRUE(wait_ended(old));
  int ws;
  waitpid(old, &ws, WNOHANG);

  // The moved-to Pty still works.
  ASSERT_EQ(c.write_all("ping\n"), 0);
  std::string out;
  EXPECT_TRUE(read_until(c, out, "ping\r\nping\r\n")) << out;
  c.close_master();
  c.close_master();  // idempotent
  EXPECT_EQ(c.master_fd(), -1);
  EXPECT_EQ(c.read_available(out), -EBADF);
  c.signal_group(SIGKILL);
  c.wait();
}

TEST(PtySpawn, LargeOutputDrainedBeforeEio) {
  Pty p = spawn_sh("head -c 8388608 /dev/zero; echo END");
  std::string tail;
  size_t total = 0;
  ASSERT_TRUE(read_to_end(p, tail, &total)) << total;
  EXPECT_EQ(total, 8388608u + 5u);  // NULs pass unchanged; "END\n" becomes "END\r\n"
  EXPECT_EQ(tail.substr(tail.size() - 5), "END\r\n");
  EXPECT_TRUE(p.wait().success());
}

TEST(PtySpawn, WriteAllLargeInput) {
  // cat echoes and copies; write 200 KiB while reading concurrently so
  // neither side stalls (the PTY buffers are small).
  Pty p = spawn_sh("stty -echo; echo ready; wc -c");
  std::string out;
  ASSERT_TRUE(read_until(p, out, "ready")) << out;
  std::string line(1023, 'x');
  line += '\n';
  std::string data;
  for (int i = 0; i < 200; ++i) data += line;
  ASSERT_EQ(p.write_all(data), 0);
  ASSERT_EQ(p.write_all("\x04"), 0);  // EOF for wc
  EXPECT_TRUE(read_until(p, out, "204800")) << out;
  EXPECT_TRUE(p.wait().success());
}

TEST(PtyNames, SignalNamesAndStatus) {
  EXPECT_EQ(signal_name(SIGKILL), "SIGKILL");
  EXPECT_EQ(signal_name(SIGWINCH), "SIGWINCH");
  EXPECT_EQ(signal_name(SIGHUP), "SIGHUP");
  EXPECT_EQ(signal_name(200), "SIG200");
  EXPECT_EQ(ExitStatus{}.describe(), "exit 0");
  const ExitStatus sig = exit_status_from_wait(SIGSEGV);  // WIFSIGNALED encoding
  EXPECT_TRUE(sig.signaled);
  EXPECT_EQ(sig.describe(), "SIGSEGV (139)");
  const ExitStatus code = exit_status_from_wait(5 << 8);
  EXPECT_FALSE(code.signaled);
  EXPECT_EQ(code.describe(), "exit 5");
}
