// Tests for src/pty/pty_reader.cpp with real programs on real PTYs: every
// byte arrives, in order, then the end; a full queue makes the program wait
// instead of growing or dropping; stop() ends a thread blocked on a full
// queue and keeps what it had read.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "pty/pty.h"
#include "pty/pty_reader.h"

using namespace amux::pty;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kDeadline = std::chrono::seconds(30);

Pty spawn(const std::string& script) {
  SpawnOptions o;
  o.argv = {"sh", "-c", script};
  o.rows = 24;
  o.cols = 80;
  return Pty::spawn(o);
}

// What the owner's loop would do: wait for a wake, take, until the end.
struct Owner {
  std::mutex mu;
  std::condition_variable cv;
  int wakes = 0;
  void wake() {
    std::lock_guard<std::mutex> l(mu);
    ++wakes;
    cv.notify_all();
  }
  // Takes until the end (true) or the deadline (false); `max_chunk` gets
  // the largest single take.
  bool drain(PtyReader& r, std::string& all, size_t* max_chunk = nullptr) {
    const auto end = Clock::now() + kDeadline;
    std::string got;
    while (Clock::now() < end) {
      bool ended = r.take(got);
      all += got;
      if (max_chunk && got.size() > *max_chunk) *max_chunk = got.size();
      if (ended) return true;
      std::unique_lock<std::mutex> l(mu);
      int seen = wakes;
      cv.wait_for(l, std::chrono::milliseconds(200), [&] { return wakes != seen; });
    }
    return false;
  }
};

// The numbered lines 1..n, as the PTY gives them (ONLCR: CR LF).
std::string numbered(int n) {
  std::string s;
  for (int i = 1; i <= n; ++i) s += std::to_string(i) + "\r\n";
  return s;
}

}  // namespace

TEST(PtyReader, EveryByteInOrderThenTheEnd) {
  Pty p = spawn("seq 1 200000");
  Owner o;
  PtyReader r(p.master_fd(), [&] { o.wake(); });
  std::string all;
  ASSERT_TRUE(o.drain(r, all));
  EXPECT_EQ(all, numbered(200000));
  EXPECT_GT(o.wakes, 0);
  p.wait();
}

// Nothing is taken for a while: the thread stops reading at the limit (so
// the program blocks on its terminal); once taken, the rest comes, whole.
TEST(PtyReader, FullQueueMakesTheProgramWait) {
  Pty p = spawn("seq 1 300000; echo done-marker");
  Owner o;
  constexpr size_t kLimit = 8192;
  PtyReader r(p.master_fd(), [&] { o.wake(); }, kLimit);
  // Barrier: the first output came.
  {
    std::unique_lock<std::mutex> l(o.mu);
    ASSERT_TRUE(o.cv.wait_for(l, kDeadline, [&] { return o.wakes > 0; }));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // time to overfill, if it could
  std::string first;
  r.take(first);
  // At most the limit plus one read of the thread (64 KiB), however long
  // nobody took (the program has 2 MB to print).
  EXPECT_LE(first.size(), kLimit + 64 * 1024);
  std::string all = first;
  size_t max_chunk = 0;
  ASSERT_TRUE(o.drain(r, all, &max_chunk));
  EXPECT_LE(max_chunk, kLimit + 64 * 1024);
  EXPECT_EQ(all, numbered(300000) + "done-marker\r\n");
  p.wait();
}

// stop() while the thread waits for room: it ends at once, and what it had
// read is still there to take.
TEST(PtyReader, StopWhileFullKeepsWhatWasRead) {
  Pty p = spawn("seq 1 300000");
  Owner o;
  PtyReader r(p.master_fd(), [&] { o.wake(); }, 4096);
  {
    std::unique_lock<std::mutex> l(o.mu);
    ASSERT_TRUE(o.cv.wait_for(l, kDeadline, [&] { return o.wakes > 0; }));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto t0 = Clock::now();
  r.stop();
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(5));
  std::string got;
  EXPECT_FALSE(r.take(got));  // stopped, not ended
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got, numbered(300000).substr(0, got.size()));  // a start of the output, in order
  r.stop();  // idempotent
  p.signal_group(SIGKILL);
  p.wait();
}

// A program that prints nothing: no wake, and stop() ends the thread.
TEST(PtyReader, QuietProgramNoWakeStopEnds) {
  Pty p = spawn("exec sleep 30");
  Owner o;
  {
    PtyReader r(p.master_fd(), [&] { o.wake(); });
    std::string got;
    EXPECT_FALSE(r.take(got));
    EXPECT_TRUE(got.empty());
  }  // (the destructor stops it)
  EXPECT_EQ(o.wakes, 0);
  p.signal_group(SIGKILL);
  p.wait();
}

// holds_unread() is true from the program's write until the owner took the
// bytes: a program that prints a prompt and then waits (as `read` does) is
// seen holding output until it is taken, then never again.
TEST(PtyReader, HoldsUnreadUntilTaken) {
  Pty p = spawn("printf 'your name? '; exec sleep 30");
  Owner o;
  PtyReader r(p.master_fd(), [&] { o.wake(); });
  std::string all, got;
  const auto end = Clock::now() + kDeadline;
  while (all.find("your name? ") == std::string::npos && Clock::now() < end) {
    // Not taken yet: somewhere on its way, so it must be held.
    if (r.holds_unread()) {
      r.take(got);
      all += got;
    } else {
      ASSERT_TRUE(all.empty()) << all;  // (nothing written yet, or all taken)
      std::unique_lock<std::mutex> l(o.mu);
      o.cv.wait_for(l, std::chrono::milliseconds(20));
    }
  }
  ASSERT_NE(all.find("your name? "), std::string::npos) << all;
  EXPECT_FALSE(r.holds_unread());  // the prompt was all there was
  EXPECT_FALSE(r.take(got));
  EXPECT_TRUE(got.empty());
  r.stop();
  p.signal_group(SIGKILL);
  p.wait();
}
