// Tests for src/pty/tty_probe.cpp with real programs on real PTYs: which of
// them wait for the keyboard (read, select, poll, epoll on the tty) and
// which do not (sleeping, busy, polling something else), through shells and
// pipelines, and Unknown once the child is gone.
#include <gtest/gtest.h>

#include <poll.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "pty/pty.h"
#include "pty/tty_probe.h"

using namespace amux::pty;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kDeadline = std::chrono::seconds(15);

const char* state_name(TtyReadState s) {
  switch (s) {
    case TtyReadState::Reading: return "Reading";
    case TtyReadState::NotReading: return "NotReading";
    case TtyReadState::Unknown: return "Unknown";
  }
  return "?";
}

// A child on a PTY whose output is drained while probing, and killed at the end.
struct Child {
  Pty pty;
  std::string out;
  explicit Child(std::vector<std::string> argv) : pty(make(std::move(argv))) {}
  ~Child() {
    pty.signal_group(SIGKILL);
    pty.wait();
  }
  static Pty make(std::vector<std::string> argv) {
    SpawnOptions o;
    o.argv = std::move(argv);
    o.rows = 24;
    o.cols = 80;
    return Pty::spawn(o);
  }
  void drain() {
    if (pty.master_fd() >= 0) pty.read_available(out);
  }
  TtyProbeResult probe() { return probe_tty_read(pty.master_fd(), pty.slave_path()); }
  // Probe until the state is `want` (and, if given, the output holds marker).
  TtyProbeResult wait_for(TtyReadState want, const std::string& marker = "") {
    const auto end = Clock::now() + kDeadline;
    TtyProbeResult r;
    while (Clock::now() < end) {
      drain();
      r = probe();
      if (r.state == want && out.find(marker) != std::string::npos) return r;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "wanted " << state_name(want) << ", last " << state_name(r.state)
                  << " syscall '" << r.syscall << "' pid " << r.pid << "; output: " << out;
    return r;
  }
  // After the state settled, it stays for a while (no Reading flicker).
  void expect_stays(TtyReadState want) {
    for (int i = 0; i < 10; ++i) {
      drain();
      const TtyProbeResult r = probe();
      EXPECT_EQ(state_name(r.state), std::string(state_name(want))) << "syscall " << r.syscall;
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
  }
};

std::string comm_of(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/comm");
  std::string s;
  std::getline(f, s);
  return s;
}

}  // namespace

TEST(PtyProbe, CatReads) {
  Child c({"cat"});
  const TtyProbeResult r = c.wait_for(TtyReadState::Reading);
  EXPECT_EQ(r.pid, c.pty.pid());
  EXPECT_EQ(r.syscall, "read");
  c.expect_stays(TtyReadState::Reading);
}

TEST(PtyProbe, SleepDoesNotRead) {
  Child c({"sleep", "30"});
  TtyProbeResult r;
  // Wait until it really sleeps, not merely starts up.
  const auto end = Clock::now() + kDeadline;
  while (Clock::now() < end) {
    r = c.probe();
    if (r.syscall == "clock_nanosleep" || r.syscall == "nanosleep") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(state_name(r.state), std::string("NotReading")) << r.syscall;
  EXPECT_TRUE(r.syscall == "clock_nanosleep" || r.syscall == "nanosleep") << r.syscall;
  c.expect_stays(TtyReadState::NotReading);
}

TEST(PtyProbe, ShellReadBuiltinReads) {
  Child c({"sh", "-c", "echo go; read x"});
  const TtyProbeResult r = c.wait_for(TtyReadState::Reading, "go");
  EXPECT_EQ(r.pid, c.pty.pid());
  // Answering ends the read; the shell exits.
  ASSERT_EQ(c.pty.write_all("yes\n"), 0);
  EXPECT_TRUE(c.pty.wait().success());
}

TEST(PtyProbe, PythonInputReads) {
  Child c({"python3", "-c", "print('go', flush=True); input()"});
  c.wait_for(TtyReadState::Reading, "go");
}

TEST(PtyProbe, QuestionWithoutReadIsNotReading) {
  Child c({"sh", "-c", "printf 'Continue? '; sleep 30"});
  c.wait_for(TtyReadState::NotReading, "Continue? ");
  c.expect_stays(TtyReadState::NotReading);
}

TEST(PtyProbe, BusyLoopIsNotReading) {
  Child c({"sh", "-c", "echo go; while :; do :; done"});
  const TtyProbeResult r = c.wait_for(TtyReadState::NotReading, "go");
  EXPECT_EQ(r.syscall, "running");
  c.expect_stays(TtyReadState::NotReading);
}

TEST(PtyProbe, PipelineReaderFound) {
  Child c({"sh", "-c", "sleep 0.1; cat | cat"});
  const TtyProbeResult r = c.wait_for(TtyReadState::Reading);
  EXPECT_NE(r.pid, c.pty.pid());  // not the shell: the first cat
  EXPECT_EQ(comm_of(r.pid), "cat");
  EXPECT_EQ(r.syscall, "read");
}

TEST(PtyProbe, SelectOnStdinReads) {
  Child c({"python3", "-c",
           "import select,sys; print('go', flush=True); select.select([sys.stdin],[],[])"});
  const TtyProbeResult r = c.wait_for(TtyReadState::Reading, "go");
  EXPECT_TRUE(r.syscall == "select" || r.syscall == "pselect6") << r.syscall;
}

TEST(PtyProbe, PollOnStdinReads) {
  Child c({"python3", "-c",
           "import select,sys; p=select.poll(); p.register(0, select.POLLIN); "
           "print('go', flush=True); p.poll()"});
  const TtyProbeResult r = c.wait_for(TtyReadState::Reading, "go");
  EXPECT_TRUE(r.syscall == "poll" || r.syscall == "ppoll") << r.syscall;
}

TEST(PtyProbe, EpollOnStdinReads) {
  Child c({"python3", "-c",
           "import select,sys; e=select.epoll(); e.register(0, select.EPOLLIN); "
           "print('go', flush=True); e.poll()"});
  const TtyProbeResult r = c.wait_for(TtyReadState::Reading, "go");
  EXPECT_TRUE(r.syscall == "epoll_wait" || r.syscall == "epoll_pwait") << r.syscall;
}

// Waiting on something other than the tty, while fds 0..2 are the tty: the
// exact checks (pollfd array, fd_set, epoll fdinfo) must say NotReading.
TEST(PtyProbe, WaitingOnAPipeIsNotReading) {
  const char* scripts[] = {
      "import select,os; r,w=os.pipe(); print('go', flush=True); select.select([r],[],[])",
      "import select,os; r,w=os.pipe(); p=select.poll(); p.register(r, select.POLLIN); "
      "print('go', flush=True); p.poll()",
      "import select,os; r,w=os.pipe(); e=select.epoll(); e.register(r, select.EPOLLIN); "
      "print('go', flush=True); e.poll()",
      "import os; r,w=os.pipe(); print('go', flush=True); os.read(r, 1)",
  };
  for (const char* script : scripts) {
    SCOPED_TRACE(script);
    Child c({"python3", "-c", script});
    const auto end = Clock::now() + kDeadline;
    TtyProbeResult r;
    while (Clock::now() < end) {
      c.drain();
      r = c.probe();
      if (c.out.find("go") != std::string::npos && r.syscall != "running" && !r.syscall.empty() &&
          r.syscall != "write")
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(state_name(r.state), std::string("NotReading")) << r.syscall;
    c.expect_stays(TtyReadState::NotReading);
  }
}

TEST(PtyProbe, ExitedChildIsUnknown) {
  SpawnOptions o;
  o.argv = {"true"};
  Pty p = Pty::spawn(o);
  std::string out;
  const auto end = Clock::now() + kDeadline;
  while (Clock::now() < end && p.read_available(out) != -EIO) {
    struct pollfd pfd{p.master_fd(), POLLIN, 0};
    poll(&pfd, 1, 100);
  }
  p.wait();
  const TtyProbeResult r = probe_tty_read(p.master_fd(), p.slave_path());
  EXPECT_EQ(state_name(r.state), std::string("Unknown"));
  p.close_master();
  EXPECT_EQ(probe_tty_read(p.master_fd(), p.slave_path()).state, TtyReadState::Unknown);
}

// The cache keeps a single process's verdict only while its syscall line
// stays the same: sleeping, then reading, then sleeping again are all seen.
// (perl, of perl-base, is one process: `python3` may be a shell shim that
// runs the interpreter as its child, a group the cache leaves alone.)
TEST(PtyProbe, CacheFollowsChanges) {
  Child c({"/usr/bin/perl", "-e", "$| = 1; sleep 1; my $l = <STDIN>; print \"after-read\\n\"; sleep 30;"});
  TtyProbeCache cache;
  auto probe = [&] { return probe_tty_read(c.pty.master_fd(), c.pty.slave_path(), &cache).state; };
  const auto until = [&](TtyReadState want) {
    const auto end = Clock::now() + kDeadline;
    while (Clock::now() < end) {
      c.drain();
      if (probe() == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  };
  ASSERT_TRUE(until(TtyReadState::NotReading));
  // One process, one thread: cached. (The first full probe may come while
  // the child is still starting, between fork and exec, and not cache; the
  // next full one does: wait for that, while it still sleeps.)
  for (const auto end = Clock::now() + kDeadline;
       Clock::now() < end && cache.only_pid != c.pty.pid() && probe() == TtyReadState::NotReading;)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(cache.only_pid, c.pty.pid());
  ASSERT_TRUE(until(TtyReadState::Reading));
  for (int i = 0; i < 3 * TtyProbeCache::kFullEvery; ++i) EXPECT_EQ(probe(), TtyReadState::Reading);
  ASSERT_EQ(write(c.pty.master_fd(), "go\r", 3), 3);
  ASSERT_TRUE(until(TtyReadState::NotReading));
  for (int i = 0; i < 3 * TtyProbeCache::kFullEvery; ++i) EXPECT_EQ(probe(), TtyReadState::NotReading);
}
