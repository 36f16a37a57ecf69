// Terminal tests for other machines, in a private tmux against a real sshd
// (tests/support/sshd_fixture.h) whose remote side is a second amux
// instance: `amux attach build:<id>` and its detach key; the agent view
// showing both machines' rows with a host label, Ctrl+S grouping by host, a
// host going away (its rows unreachable, local rows unaffected) and coming
// back.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "support/amux_env.h"
#include "support/sshd_fixture.h"

using namespace amux::test;

namespace {

struct HostsPane {
  AmuxEnv local, remote;
  Sshd sshd;
  Tmux tmux;
  HostsPane()
      : tmux(120, 36, "cd /tmp && env PS1='$ ' TERM=tmux-256color bash --norc --noprofile") {
    local.write_config(sshd.host_toml("build", remote));
    tmux.wait_for("$");
  }
  void run(const std::string& cmdline) {
    tmux.send_text(local.env_prefix() + cmdline);
    tmux.send_keys({"Enter"});
  }
  std::string dispatch_remote(const std::string& cmd, const std::string& name) {
    auto r = local.amux({"--bg", "--host", "build", "--exec", cmd, "--name", name});
    EXPECT_EQ(r.rc, 0) << r.err;
    std::smatch m;
    if (!std::regex_search(r.out, m, std::regex("build:([0-9a-f]{8})"))) return "";
    return m[1];
  }
  bool wait_screen(const std::vector<std::string>& present, const std::vector<std::string>& absent = {},
                   int ms = 15000) const {
    return wait_until([&] {
      std::string s = tmux.capture();
      for (auto& t : present)
        if (s.find(t) == std::string::npos) return false;
      for (auto& t : absent)
        if (s.find(t) != std::string::npos) return false;
      return true;
    }, ms);
  }
};

}  // namespace

TEST(HostsTmux, AttachToARemoteSessionAndDetach) {
  HostsPane p;
  // This machine's detach key (the remote instance has only the default
  // ones): typed here, it must work there.
  std::ofstream(p.local.config_dir() + "/keymap.toml") << "[attach]\ndetach = [\"C-g\"]\n";
  std::string rid = p.dispatch_remote("echo remote-marker; cat", "far");
  ASSERT_FALSE(rid.empty());
  p.run(amux_bin() + " attach build:" + rid + "; echo attach-rc=$?");
  ASSERT_TRUE(p.wait_screen({"remote-marker"})) << p.tmux.capture();
  p.tmux.send_text("typed-over-ssh");
  p.tmux.send_keys({"Enter"});
  // cat echoes the line: the keys went through ssh to the remote session.
  EXPECT_TRUE(wait_until([&] {
    std::string s = p.remote.capture(rid);
    return s.find("typed-over-ssh\ntyped-over-ssh") != std::string::npos;
  }, 15000)) << p.remote.capture(rid);
  // The local detach key ends the attach, and the remote session runs on.
  p.tmux.send_keys({"C-g"});
  EXPECT_TRUE(p.wait_screen({"[detached from " + rid, "attach-rc=0"})) << p.tmux.capture();
  EXPECT_EQ(p.remote.session(rid).value("state", ""), "working");
}

TEST(HostsTmux, ViewShowsBothMachinesGroupsByHostAndSurvivesTheHostGoing) {
  HostsPane p;
  std::string rid = p.dispatch_remote("sleep 600", "far-job");
  ASSERT_FALSE(rid.empty());
  std::string lid = p.local.bg_exec("sleep 600", "near-job");
  p.run(amux_bin() + " agents");
  // Both rows, the remote one labelled with its host.
  ASSERT_TRUE(p.wait_screen({"near-job", "@build far-job"})) << p.tmux.capture();
  // Ctrl+S: by state → by directory → by host.
  p.tmux.send_keys({"C-s"});
  ASSERT_TRUE(p.wait_screen({"by directory"})) << p.tmux.capture();
  p.tmux.send_keys({"C-s"});
  ASSERT_TRUE(p.wait_screen({"by host", "this machine 1", "@build 1"})) << p.tmux.capture();
  p.tmux.send_keys({"C-s"});
  ASSERT_TRUE(p.wait_screen({"by state"})) << p.tmux.capture();

  // The host goes away: its row stays, unreachable with the reason; the
  // local row is as it was, and the view still answers keys.
  p.sshd.stop();
  ASSERT_TRUE(p.wait_screen({"Unreachable", "cannot reach host 'build'", "@build far-job", "near-job"}, {}, 20000))
      << p.tmux.capture();
  p.tmux.send_keys({"C-s"});
  EXPECT_TRUE(p.wait_screen({"by directory"})) << p.tmux.capture();
  p.tmux.send_keys({"C-s"});
  EXPECT_TRUE(p.wait_screen({"by host"})) << p.tmux.capture();
  EXPECT_EQ(p.local.amux({"capture", lid}).rc, 0);

  // It comes back: the row is live again (the follower retries with backoff).
  p.sshd.start();
  EXPECT_TRUE(p.wait_screen({"@build far-job"}, {"Unreachable", "cannot reach"}, 45000)) << p.tmux.capture();
  p.tmux.send_keys({"Escape"});
  p.tmux.send_keys({"Escape"});
}

TEST(HostsTmux, NewHostDispatchesThereAndAttaches) {
  HostsPane p;
  p.run(amux_bin() + " new --host build --exec 'echo new-on-build-$((40+2)); cat' --name fresh; echo new-rc=$?");
  ASSERT_TRUE(p.wait_screen({"new-on-build-42"})) << p.tmux.capture();
  auto rows = p.remote.agents();
  ASSERT_EQ(rows.size(), 1u) << rows.dump();
  std::string rid = rows[0].value("id", "");
  EXPECT_EQ(rows[0].value("name", ""), "fresh");
  p.tmux.send_keys({"C-\\"});
  EXPECT_TRUE(p.wait_screen({"[detached from " + rid, "new-rc=0"})) << p.tmux.capture();
}

TEST(HostsTmux, AtHostInThePromptLineDispatchesThere) {
  HostsPane p;
  p.run(amux_bin() + " agents");
  ASSERT_TRUE(p.wait_screen({"describe a task"})) << p.tmux.capture();
  p.tmux.send_text("@build !echo from-the-view; sleep 600");
  p.tmux.send_keys({"Enter"});
  ASSERT_TRUE(wait_until([&] { return p.remote.agents().size() == 1; }, 20000)) << p.tmux.capture();
  std::string rid = p.remote.agents()[0].value("id", "");
  EXPECT_TRUE(p.remote.wait_capture(rid, "from-the-view", 15000));
  EXPECT_TRUE(p.local.agents().empty() || p.local.agents()[0].value("host", "") == "build");
  // Its row shows in the view, labelled with the host.
  EXPECT_TRUE(p.wait_screen({"@build echo from-the-view"})) << p.tmux.capture();
  p.tmux.send_keys({"Escape"});
  p.tmux.send_keys({"Escape"});
}
