// An idle session's host does not wake: once its program is quiet and the
// probe's verdict has settled, the host waits for events (output, input,
// a process of the foreground group exiting) instead of probing on a
// timer; and an exit in the group is such an event (a script going from a
// silent sleep to reading the terminal is seen as blocked at once).
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/amux_env.h"

using namespace amux::test;
namespace fs = std::filesystem;

namespace {

// Times the host's threads have been scheduled (the third field of each
// /proc/<pid>/task/<tid>/schedstat): it grows with every wake.
long long wakes(const std::string& pid) {
  long long sum = 0;
  std::error_code ec;
  for (const auto& t : fs::directory_iterator("/proc/" + pid + "/task", ec)) {
    std::ifstream in(t.path() / "schedstat");
    long long run = 0, wait = 0, slices = 0;
    if (in >> run >> wait >> slices) sum += slices;
  }
  return sum;
}

// The host watches the group's processes with pidfds once it has probed.
bool watches_a_pidfd(const std::string& pid) {
  std::error_code ec;
  for (const auto& f : fs::directory_iterator("/proc/" + pid + "/fd", ec)) {
    std::error_code e2;
    if (fs::read_symlink(f.path(), e2).string() == "anon_inode:[pidfd]") return true;
  }
  return false;
}

}  // namespace

TEST(IdleHost, DoesNotWakeWhenNothingHappens) {
  AmuxEnv env;
  std::string id = env.bg_exec("exec sleep 100000", "idle-one");
  ASSERT_FALSE(id.empty());
  std::string host;
  ASSERT_TRUE(wait_until([&] { host = env.record_field(id, "hostPid"); return !host.empty() && host != "0"; }, 15000));
  ASSERT_TRUE(wait_until([&] { return watches_a_pidfd(host); }, 15000)) << "the host never watched the group";
  // Barrier: the probe's backoff settles within a few seconds of the start
  // (0.2 + 0.4 + 0.8 s, then a settled verdict); wait until three quiet
  // seconds pass with no wake (longer than any backoff step, so a slow
  // start cannot pass for a settled one), then count over 6 s.
  ASSERT_TRUE(wait_until([&] {
    long long a = wakes(host);
    std::this_thread::sleep_for(std::chrono::milliseconds(3000));
    return wakes(host) == a;
  }, 60000)) << "the host kept waking";
  long long before = wakes(host);
  std::this_thread::sleep_for(std::chrono::seconds(6));
  // A timer probe every 2 s (the old way) wakes it 3 times here.
  EXPECT_LE(wakes(host) - before, 1);
  EXPECT_EQ(env.record_field(id, "state"), "working");
}

TEST(IdleHost, AGroupMemberExitingWakesTheProbe) {
  AmuxEnv env;
  // The script sleeps silently (the probe settles meanwhile), then reads.
  std::string id = env.bg_exec("sleep 6; read x; sleep 600", "later-reader");
  ASSERT_FALSE(id.empty());
  std::string host;
  ASSERT_TRUE(wait_until([&] { host = env.record_field(id, "hostPid"); return !host.empty() && host != "0"; }, 15000));
  ASSERT_TRUE(wait_until([&] { return watches_a_pidfd(host); }, 15000));
  EXPECT_EQ(env.record_field(id, "state"), "working");
  EXPECT_TRUE(wait_until([&] { return env.record_field(id, "state") == "blocked"; }, 20000))
      << env.record_field(id, "state");
}
