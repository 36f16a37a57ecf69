// Tests for the remote-host layer (src/mux/remote/): addressing, the ssh
// command lines, failure lines, the rows of an unreachable host, and the
// async call on a libuv loop (with a real child process).
#include <gtest/gtest.h>

#include <algorithm>

#include "mux/remote/host_address.h"
#include "mux/remote/host_rows.h"
#include "mux/remote/ssh_call.h"
#include "mux/remote/ssh_command.h"
#include "mux/store/config.h"
#include "mux/wire/protocol.h"

using namespace amux::mux;

namespace {
Config two_hosts() {
  return parse_config(
      "[hosts.build]\nssh = \"build.example\"\nssh_args = [\"-p\", \"2222\"]\n"
      "amux = \"AMUX_CONFIG_DIR=/srv/amux /opt/amux/bin/amux\"\n[hosts.vm]\nssh = \"me@vm\"\n",
      "c.toml");
}
bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }
}  // namespace

TEST(RemoteConfig, HostsTablesInOrder) {
  Config c = two_hosts();
  ASSERT_EQ(c.hosts.size(), 2u);
  EXPECT_EQ(c.hosts[0].name, "build");
  EXPECT_EQ(c.hosts[0].ssh, "build.example");
  EXPECT_EQ(c.hosts[0].ssh_args, (std::vector<std::string>{"-p", "2222"}));
  EXPECT_EQ(c.hosts[1].amux, "amux");
  EXPECT_TRUE(c.warnings.empty());
  EXPECT_THROW(parse_config("[hosts.\"a b\"]\nssh = \"x\"\n", "c.toml"), ConfigError);
  EXPECT_THROW(parse_config("[hosts.x]\nssh_args = [\"-v\"]\n", "c.toml"), ConfigError);  // no destination
  EXPECT_THROW(parse_config("[hosts.x]\nssh = \"-oProxyCommand=x\"\n", "c.toml"), ConfigError);
  EXPECT_THROW(parse_config("[hosts.x]\nssh = \"h\"\nssh_args = \"-v\"\n", "c.toml"), ConfigError);
  EXPECT_EQ(parse_config("[hosts.x]\nssh = \"h\"\nport = 2\n", "c.toml").warnings.size(), 1u);
}

TEST(RemoteAddress, HostPrefixOnlyForConfiguredHosts) {
  Config c = two_hosts();
  auto a = parse_host_address(c, "build:7c5dcf5d");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host->name, "build");
  EXPECT_EQ(a->query, "7c5dcf5d");
  EXPECT_EQ(parse_host_address(c, "vm:fix-test")->query, "fix-test");
  EXPECT_FALSE(parse_host_address(c, "7c5dcf5d"));
  EXPECT_FALSE(parse_host_address(c, "other:7c5dcf5d"));  // a local name with a ':'
  EXPECT_FALSE(parse_host_address(c, "build:"));
  EXPECT_NE(unknown_host_error(c, "x").find("configured: build, vm"), std::string::npos);
}

TEST(RemoteCommand, OneMasterPerHostBoundedAndQuoted) {
  Config c = two_hosts();
  Paths p;
  p.config_dir = "/tmp/cfg";
  p.socket_dir = "/tmp/rt";
  auto v = ssh_argv(p, c.hosts[0], {"reply", "7c5dcf5d", "it's $HOME"});
  EXPECT_EQ(v[0], "ssh");
  EXPECT_EQ(v[1], "-p");  // the person's arguments first: theirs win
  EXPECT_TRUE(has(v, "ControlMaster=auto"));
  EXPECT_TRUE(has(v, "ControlPath=/tmp/rt/ssh-build"));
  EXPECT_TRUE(has(v, "BatchMode=yes"));
  EXPECT_TRUE(has(v, "ConnectTimeout=5"));
  EXPECT_TRUE(has(v, "-T"));
  EXPECT_EQ(v[v.size() - 2], "build.example");
  EXPECT_EQ(v.back(), "AMUX_CONFIG_DIR=/srv/amux /opt/amux/bin/amux hello --expect " +
                          std::to_string(kProtocolVersion) + " --from '" AMUX_VERSION "' || exit 97; "
                          "AMUX_CONFIG_DIR=/srv/amux /opt/amux/bin/amux 'reply' '7c5dcf5d' 'it'\\''s $HOME'");
  SshOptions t;
  t.tty = true;
  auto a = ssh_argv(p, c.hosts[1], {"attach", "x"}, t);
  EXPECT_TRUE(has(a, "-t"));
  EXPECT_TRUE(has(a, "none"));  // -e none: no ssh escape character in an attach
}

TEST(RemoteCommand, FailuresAreOneLineNamingTheHost) {
  HostEntry h;
  h.name = "build";
  EXPECT_EQ(ssh_failure(h, 255, "ssh: connect to host 127.0.0.1 port 1: Connection refused\r\n"),
            "cannot reach host 'build': connect to host 127.0.0.1 port 1: Connection refused");
  EXPECT_EQ(ssh_failure(h, 97, "amux: protocol mismatch: this host runs amux 2 (protocol 2), the caller …\n"),
            "host 'build': protocol mismatch: this host runs amux 2 (protocol 2), the caller …");
  EXPECT_EQ(ssh_failure(h, 97, "sh: 1: amux: not found\n"),
            "host 'build': the remote amux is missing or too old (sh: 1: amux: not found)");
  EXPECT_EQ(ssh_failure(h, 1, "amux: no session matches 'x'\n"), "");
}

TEST(RemoteRows, UnreachableKeepsLastRowsWithReason) {
  nlohmann::json last = nlohmann::json::array({{{"id", "7c5dcf5d"}, {"name", "far"}, {"state", "working"}, {"pid", 9}}});
  auto rows = unreachable_rows(last, "build", "cannot reach host 'build': refused");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["state"], "unreachable");
  EXPECT_EQ(rows[0]["host"], "build");
  EXPECT_EQ(rows[0]["name"], "far");
  EXPECT_EQ(rows[0]["detail"], "cannot reach host 'build': refused");
  EXPECT_FALSE(rows[0].contains("pid"));
  auto none = unreachable_rows(nlohmann::json::array(), "vm", "why");
  ASSERT_EQ(none.size(), 1u);
  EXPECT_EQ(none[0]["id"], "");
  EXPECT_EQ(none[0]["name"], "vm");
  EXPECT_EQ(tag_host(nlohmann::json::array({{{"id", "a"}}}), "vm")[0]["host"], "vm");
}

TEST(RemoteCall, LinesExitStatusAndDeadlineOnTheLoop) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  std::vector<std::string> lines;
  SshCallResult res;
  bool done = false;
  {
    SshCall c;
    c.start(&loop, {"sh", "-c", "printf 'one\\ntwo\\nthree'; echo oops >&2; exit 3"},
            [&](std::string_view l) { lines.emplace_back(l); },
            [&](const SshCallResult& r) {
              res = r;
              done = true;
            },
            10000);
    uv_run(&loop, UV_RUN_DEFAULT);
  }
  EXPECT_TRUE(done);
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_EQ(res.exit_code, 3);
  EXPECT_EQ(res.err, "oops\n");
  // A call that overruns its deadline is killed and says so.
  done = false;
  {
    SshCall c;
    c.start(&loop, {"sleep", "30"}, nullptr, [&](const SshCallResult& r) {
      res = r;
      done = true;
    }, 100);
    uv_run(&loop, UV_RUN_DEFAULT);
  }
  EXPECT_TRUE(done);
  EXPECT_TRUE(res.timed_out);
  // Destroyed while running: the process goes, no callback runs, nothing leaks.
  done = false;
  {
    SshCall c;
    c.start(&loop, {"sleep", "30"}, nullptr, [&](const SshCallResult&) { done = true; }, 0);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_FALSE(done);
  // A program that does not exist: `done` with the error, at once.
  SshCall bad;
  bad.start(&loop, {"/nonexistent/ssh"}, nullptr, [&](const SshCallResult& r) { res = r; }, 0);
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_FALSE(res.error.empty());
  EXPECT_EQ(uv_loop_close(&loop), 0);
}
