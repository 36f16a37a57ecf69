// Integration tests for writes that fail: with the config dir on a small
// tmpfs that is full, stop, rename (live and not), pin and dispatch each
// fail with one line naming the file and the cause and a non-zero exit;
// what amux shows stays what is on disk, a failed dispatch leaves no job
// dir behind, and once there is room again the stop is on disk.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "support/amux_env.h"

using namespace amux::test;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

// An AmuxEnv whose config dir is a 4 MiB tmpfs, unmounted after the
// instance (and every host it started) is gone.
class SmallDiskEnv {
 public:
  SmallDiskEnv() : env_(std::make_unique<AmuxEnv>()), dir_(env_->config_dir()) {
    mounted_ = mount("tmpfs", dir_.c_str(), "tmpfs", 0, "size=4m,mode=0700") == 0;
    EXPECT_TRUE(mounted_) << "mount tmpfs on " << dir_ << ": " << strerror(errno);
  }
  ~SmallDiskEnv() {
    unfill();
    env_.reset();
    if (mounted_) umount2(dir_.c_str(), MNT_DETACH);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  const AmuxEnv& env() const { return *env_; }
  bool mounted() const { return mounted_; }

  // Fill the disk until a write fails for lack of space.
  void fill() {
    std::ofstream out(dir_ + "/fill", std::ios::binary);
    std::string chunk(4096, 'x');
    while (out.write(chunk.data(), std::streamsize(chunk.size())) && out.flush()) {
    }
  }
  void unfill() { unlink((dir_ + "/fill").c_str()); }

 private:
  std::unique_ptr<AmuxEnv> env_;
  std::string dir_;
  bool mounted_ = false;
};

std::set<std::string> job_dirs(const AmuxEnv& env) {
  std::set<std::string> out;
  std::error_code ec;
  for (auto& d : fs::directory_iterator(env.config_dir() + "/jobs", ec))
    if (d.is_directory()) out.insert(d.path().filename().string());
  return out;
}

// One line on stderr naming the cause, nothing claiming success on stdout.
void expect_write_error(const RunResult& r, const std::string& what) {
  EXPECT_NE(r.rc, 0) << what << ": " << r.out;
  EXPECT_EQ(r.out, "") << what;
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << what << ": " << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << what << ": " << r.err;
  EXPECT_EQ(r.err.find("cannot read"), std::string::npos) << what << ": " << r.err;
}

}  // namespace

TEST(DiskFull, FailedWritesAreToldAndNothingIsLostOrLeftBehind) {
  SmallDiskEnv disk;
  ASSERT_TRUE(disk.mounted());
  const AmuxEnv& env = disk.env();
  std::string live = env.bg_exec("sleep 300", "live-one");
  std::string other = env.bg_exec("sleep 300", "other-one");
  std::string idle = env.bg_exec("sleep 300", "idle-one");
  ASSERT_EQ(env.amux({"stop", idle}).rc, 0);
  ASSERT_TRUE(wait_until([&] { return env.record_field(idle, "state") == "stopped"; }));
  auto jobs_before = job_dirs(env);

  disk.fill();

  // stop: the program ends, but its record cannot say so: told, not "stopped".
  auto stop = env.amux({"stop", live});
  expect_write_error(stop, "stop");
  EXPECT_EQ(env.record_field(live, "state"), env.session(live).value("state", "?"));

  // rename, of a stopped session (the supervisor writes) and of a running
  // one (its host writes): refused, the old name stays everywhere.
  expect_write_error(env.amux({"rename", idle, "renamed-idle"}), "rename of a stopped session");
  EXPECT_EQ(env.record_field(idle, "name"), "idle-one");
  EXPECT_EQ(env.session(idle).value("name", ""), "idle-one");
  expect_write_error(env.amux({"rename", other, "renamed-other"}), "rename of a running session");
  EXPECT_EQ(env.record_field(other, "name"), "other-one");
  EXPECT_EQ(env.session(other).value("name", ""), "other-one");

  // A hook's notify: the state it reports cannot be recorded: told.
  {
    std::vector<std::string> argv = {amux_bin(), "notify", "--state", "blocked", "--detail", "asks"};
    auto e = env.env();
    e["AMUX_SESSION"] = other;
    e["AMUX_JOB_DIR"] = env.config_dir() + "/jobs/" + other;
    expect_write_error(run_process(argv, e), "notify");
    EXPECT_EQ(env.record_field(other, "state"), "working");
  }

  // pin: refused, not pinned.
  expect_write_error(env.amux({"pin", other}), "pin");
  EXPECT_EQ(env.session(other).value("pinned", true), false);

  // dispatch: refused, and no job dir is left half-made.
  expect_write_error(env.amux({"--bg", "--exec", "echo never"}), "dispatch");
  EXPECT_EQ(job_dirs(env), jobs_before);

  // The supervisor and the hosts are still there.
  EXPECT_EQ(env.amux({"daemon", "status"}).rc, 0);
  EXPECT_EQ(env.session(other).value("state", ""), "working");

  // Room again: the stop reaches the disk, and the same commands work.
  disk.unfill();
  EXPECT_TRUE(wait_until([&] { return env.record_field(live, "state") == "stopped"; }, 15000))
      << env.record_field(live, "state");
  EXPECT_EQ(env.session(live).value("state", ""), "stopped");
  auto rn = env.amux({"rename", other, "renamed-other"});
  EXPECT_EQ(rn.rc, 0) << rn.err;
  EXPECT_EQ(env.record_field(other, "name"), "renamed-other");
  EXPECT_EQ(env.amux({"pin", other}).rc, 0);
  EXPECT_EQ(env.session(other).value("pinned", false), true);
}
