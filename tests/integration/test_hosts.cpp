// Integration tests: sessions on another machine through a real OpenSSH
// server (tests/support/sshd_fixture.h) whose "remote" side is a second amux
// instance: dispatch there, one list for both, logs, capture, reply, stop,
// rename, a host that goes away (rows unreachable, local commands as fast as
// before) and comes back, and the version check.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <regex>

#include "support/amux_env.h"
#include "support/sshd_fixture.h"

using namespace amux::test;

namespace {

// "backgrounded · build:<id> · name" → <id>
std::string remote_id(const RunResult& r, const std::string& host) {
  std::smatch m;
  if (!std::regex_search(r.out, m, std::regex("backgrounded · " + host + ":([0-9a-f]{8}) · "))) {
    ADD_FAILURE() << "no remote id in: " << r.out << r.err;
    return "";
  }
  return m[1];
}

nlohmann::json list(const AmuxEnv& env, std::vector<std::string> extra = {}) {
  std::vector<std::string> a{"agents", "--json", "--all"};
  a.insert(a.end(), extra.begin(), extra.end());
  auto r = env.amux(a);
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  EXPECT_TRUE(j.is_array()) << r.out << r.err;
  return j.is_array() ? j : nlohmann::json::array();
}

nlohmann::json row(const nlohmann::json& rows, const std::string& id, const std::string& host = "") {
  for (auto& s : rows)
    if (s.value("id", "") == id && s.value("host", "") == host) return s;
  return nullptr;
}

struct TwoHosts {
  AmuxEnv local, remote;
  Sshd sshd;
  TwoHosts() { local.write_config(sshd.host_toml("build", remote)); }
};

}  // namespace

TEST(Hosts, DispatchListAndActOnARemoteSession) {
  TwoHosts t;
  auto d = t.local.amux({"--bg", "--host", "build", "--exec", "cat", "--name", "echoer"});
  ASSERT_EQ(d.rc, 0) << d.err;
  std::string rid = remote_id(d, "build");
  ASSERT_FALSE(rid.empty());
  EXPECT_NE(d.out.find("amux attach build:" + rid), std::string::npos) << d.out;
  // It runs on the remote instance, not here.
  EXPECT_TRUE(t.remote.session(rid).is_object());
  EXPECT_TRUE(t.local.record_field(rid, "state").empty());
  // The remote side's default directory is the remote home.
  EXPECT_EQ(t.remote.session(rid).value("cwd", ""), std::string(getenv("HOME")));

  std::string lid = t.local.bg_exec("echo local-one; sleep 600", "localjob");
  auto all = list(t.local);
  ASSERT_TRUE(row(all, lid).is_object()) << all.dump();
  auto rr = row(all, rid, "build");
  ASSERT_TRUE(rr.is_object()) << all.dump();
  EXPECT_EQ(rr.value("name", ""), "echoer");
  // cat waits on its terminal: working, or blocked once the host has seen it read.
  const std::string rstate = rr.value("state", "");
  EXPECT_TRUE(rstate == "working" || rstate == "blocked") << rstate;
  // --local and --host NAME
  auto only_local = list(t.local, {"--local"});
  EXPECT_TRUE(row(only_local, lid).is_object());
  EXPECT_TRUE(row(only_local, rid, "build").is_null());
  auto only_build = list(t.local, {"--host", "build"});
  EXPECT_TRUE(row(only_build, lid).is_null());
  EXPECT_TRUE(row(only_build, rid, "build").is_object());

  // reply, then capture and logs see it (cat echoes the line back).
  auto rp = t.local.amux({"reply", "build:" + rid, "hello-remote"});
  ASSERT_EQ(rp.rc, 0) << rp.err;
  EXPECT_TRUE(wait_until([&] { return t.local.capture("build:" + rid).find("hello-remote") != std::string::npos; },
                         15000));
  EXPECT_NE(t.local.amux({"logs", "build:" + rid}).out.find("hello-remote"), std::string::npos);
  // By name part, too.
  EXPECT_NE(t.local.amux({"capture", "build:echo"}).out.find("hello-remote"), std::string::npos);

  auto rn = t.local.amux({"rename", "build:" + rid, "echo-two"});
  ASSERT_EQ(rn.rc, 0) << rn.err;
  EXPECT_EQ(t.remote.record_field(rid, "name"), "echo-two");
  auto st = t.local.amux({"stop", "build:" + rid});
  ASSERT_EQ(st.rc, 0) << st.err;
  EXPECT_TRUE(t.remote.wait_state(rid, "stopped", 15000));
  // wait, explain and diff go there too, with the remote exit status.
  auto w = t.local.amux({"wait", "build:" + rid, "--state", "stopped", "--timeout", "20"});
  EXPECT_EQ(w.rc, 0) << w.err;
  EXPECT_NE(w.out.find("stopped"), std::string::npos) << w.out;
  auto wt = t.local.amux({"wait", "build:" + rid, "--state", "blocked", "--timeout", "1"});
  EXPECT_EQ(wt.rc, 124) << wt.err;
  auto ex = t.local.amux({"explain", "build:" + rid, "--json"});
  ASSERT_EQ(ex.rc, 0) << ex.err;
  EXPECT_EQ(nlohmann::json::parse(ex.out).value("state", ""), "stopped") << ex.out;
  auto df = t.local.amux({"diff", "build:" + rid});
  EXPECT_EQ(df.rc, 1);
  EXPECT_NE(df.err.find("worktree"), std::string::npos) << df.err;
  // The remote command's own errors come back as they are, with its status.
  auto bad = t.local.amux({"capture", "build:nosuchname"});
  EXPECT_EQ(bad.rc, 1);
  EXPECT_NE(bad.err.find("no session matches 'nosuchname'"), std::string::npos) << bad.err;
}

TEST(Hosts, UnreachableHostKeepsItsRowsAndNeverSlowsLocalOnes) {
  TwoHosts t;
  auto d = t.local.amux({"--bg", "--host", "build", "--exec", "sleep 600", "--name", "far"});
  ASSERT_EQ(d.rc, 0) << d.err;
  std::string rid = remote_id(d, "build");
  std::string lid = t.local.bg_exec("sleep 600", "near");
  ASSERT_TRUE(row(list(t.local), rid, "build").is_object());

  t.sshd.stop();
  auto t0 = std::chrono::steady_clock::now();
  auto r = t.local.amux({"agents", "--json", "--all"});
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_LT(ms, 2000) << "agents --json with a dead host took " << ms << " ms";
  auto all = nlohmann::json::parse(r.out);
  auto gone = row(all, rid, "build");
  ASSERT_TRUE(gone.is_object()) << all.dump();
  EXPECT_EQ(gone.value("state", ""), "unreachable");
  EXPECT_NE(gone.value("detail", "").find("cannot reach host 'build'"), std::string::npos) << gone.dump();
  EXPECT_EQ(gone.value("name", ""), "far");
  EXPECT_EQ(row(all, lid).value("state", ""), "working");
  // Local commands are unaffected; a remote one fails in one line.
  EXPECT_EQ(t.local.amux({"capture", lid}).rc, 0);
  auto c = t.local.amux({"capture", "build:" + rid});
  EXPECT_EQ(c.rc, 1);
  EXPECT_NE(c.err.find("amux: cannot reach host 'build': "), std::string::npos) << c.err;
  EXPECT_EQ(std::count(c.err.begin(), c.err.end(), '\n'), 1) << c.err;

  t.sshd.start();
  EXPECT_TRUE(wait_until([&] { return row(list(t.local), rid, "build").value("state", "") == "working"; }, 20000));
}

TEST(Hosts, VersionMismatchAndMissingRemoteAmuxAreOneLine) {
  AmuxEnv local, remote;
  Sshd sshd;
  // A remote amux that is asked for protocol N+1: as a caller of another
  // protocol version would.
  std::string dir = local.config_dir();
  std::ofstream(dir + "/newer.sh") << "if [ \"$1\" = hello ]; then exec env " << remote.env_prefix() << amux_bin()
                                   << " hello --expect $(( $3 + 1 )) --from 9.9.9; fi\nexec env " << remote.env_prefix()
                                   << amux_bin() << " \"$@\"\n";
  std::string toml = sshd.host_toml("newer", remote);
  toml = std::regex_replace(toml, std::regex("amux = \".*\""), "amux = \"sh " + dir + "/newer.sh\"");
  toml += "[hosts.bare]\nssh = \"amuxtest\"\nssh_args = [\"-F\", \"" + sshd.dir() +
          "/ssh_config\"]\namux = \"/nonexistent/amux\"\n";
  local.write_config(toml);
  auto r = local.amux({"--bg", "--host", "newer", "--exec", "true"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("host 'newer': protocol mismatch: this host runs amux"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(protocol 1)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(protocol 2)"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_TRUE(remote.agents().empty());

  auto m = local.amux({"logs", "bare:12345678"});
  EXPECT_EQ(m.rc, 1);
  EXPECT_NE(m.err.find("host 'bare': the remote amux is missing or too old"), std::string::npos) << m.err;
  auto rows = list(local, {"--host", "bare"});
  ASSERT_EQ(rows.size(), 1u) << rows.dump();
  EXPECT_EQ(rows[0].value("state", ""), "unreachable");
  EXPECT_EQ(rows[0].value("host", ""), "bare");

  auto u = local.amux({"--bg", "--host", "nope", "--exec", "true"});
  EXPECT_EQ(u.rc, 2);
  EXPECT_NE(u.err.find("no host 'nope' in config.toml"), std::string::npos) << u.err;
}
