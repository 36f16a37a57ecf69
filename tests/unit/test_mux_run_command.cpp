// Tests for run_command (src/mux/sys/run_command.cpp): real programs, real
// pipes, a real deadline.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "mux/sys/run_command.h"

using namespace amux::mux;
namespace fs = std::filesystem;

TEST(RunCommand, CapturesStdoutStderrAndExitCode) {
  RunResult r = run_command({"sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.failure(), "exit 3: err");
  EXPECT_TRUE(run_command({"true"}).ok());
}

TEST(RunCommand, ArgumentsAreNeverShellEvaluated) {
  std::string tricky = "a b \"c\" 'd' $(echo no) `echo no` ; | > *";
  RunResult r = run_command({"printf", "%s", tricky});
  ASSERT_TRUE(r.ok()) << r.failure();
  EXPECT_EQ(r.out, tricky);
}

TEST(RunCommand, WorkingDirectoryAndEnvironment) {
  fs::path dir = fs::temp_directory_path() / ("amux-rc-" + std::to_string(getpid()));
  fs::create_directories(dir);
  setenv("AMUX_TEST_DROP_ME", "1", 1);
  RunOptions o;
  o.cwd = dir.string();
  o.env = {"AMUX_TEST_ADDED=yes", "HOME=/nowhere"};
  o.unset_env = {"AMUX_TEST_DROP_ME"};
  RunResult r = run_command({"sh", "-c", "pwd; echo $AMUX_TEST_ADDED $HOME ${AMUX_TEST_DROP_ME:-gone}"}, o);
  ASSERT_TRUE(r.ok()) << r.failure();
  EXPECT_EQ(r.out, fs::canonical(dir).string() + "\nyes /nowhere gone\n");
  unsetenv("AMUX_TEST_DROP_ME");
  fs::remove_all(dir);

  RunOptions bad;
  bad.cwd = "/no/such/dir/anywhere";
  RunResult b = run_command({"true"}, bad);
  EXPECT_FALSE(b.error.empty());
  EXPECT_NE(b.error.find("/no/such/dir/anywhere"), std::string::npos) << b.error;
}

TEST(RunCommand, MissingProgramIsAnErrorNotACrash) {
  RunResult r = run_command({"amux-no-such-program-xyz"});
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("not found"), std::string::npos) << r.error;
  EXPECT_FALSE(run_command({}).error.empty());
}

TEST(RunCommand, OnlyStandardFdsReachTheChild) {
  int leak = open("/dev/null", O_RDONLY);  // deliberately not close-on-exec
  ASSERT_GE(leak, 3);
  RunResult r = run_command({"sh", "-c", "ls /proc/$$/fd"});
  close(leak);
  ASSERT_TRUE(r.ok()) << r.failure();
  EXPECT_EQ(r.out, "0\n1\n2\n");
}

TEST(RunCommand, DeadlineKillsTheProgramAndWhatItStarted) {
  RunOptions o;
  o.timeout_ms = 300;
  auto t0 = std::chrono::steady_clock::now();
  // The grandchild holds the pipe open too: the whole group must die.
  RunResult r = run_command({"sh", "-c", "sleep 30 & sleep 30"}, o);
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.signal, 9);
  EXPECT_LT(took, std::chrono::seconds(20));
}

TEST(RunCommand, FindExecutable) {
  EXPECT_EQ(find_executable("sh", "/nonexistent:/bin"), "/bin/sh");
  EXPECT_EQ(find_executable("sh", "/nonexistent"), "");
  EXPECT_EQ(find_executable("/bin/sh", ""), "/bin/sh");
  EXPECT_EQ(find_executable("/etc/passwd", ""), "");  // not executable
  EXPECT_EQ(find_executable("", "/bin"), "");
}
