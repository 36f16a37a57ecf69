// Integration tests for the session host binary (src/host/host_main.cpp):
// sessions run in build/amux-host (found next to amux, or in
// <prefix>/lib/amux/ when installed), which maps neither libstdc++ nor
// toml++, and whose command line still reads `amux host <id> …`; with no
// amux-host around, amux runs the host itself (`amux host`).
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "support/amux_env.h"

using namespace amux::test;
namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// argv of a live process, from /proc/<pid>/cmdline.
std::vector<std::string> cmdline(int pid) {
  std::string raw = slurp("/proc/" + std::to_string(pid) + "/cmdline");
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i < raw.size(); ++i)
    if (raw[i] == '\0') {
      out.push_back(raw.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

std::string exe_of(int pid) {
  std::error_code ec;
  return fs::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec).string();
}

// A copy of amux in <root>/bin with the shipped files in <root>/share/amux,
// like an installed tree; with_host: amux-host in <root>/lib/amux.
struct Tree {
  fs::path root;
  explicit Tree(bool with_host) {
    char tmpl[] = "/tmp/amux-hostbin-XXXXXX";
    root = mkdtemp(tmpl);
    fs::create_directories(root / "bin");
    fs::create_directories(root / "share" / "amux");
    fs::copy_file(amux_bin(), root / "bin" / "amux");
    fs::copy_file(source_dir() + "/conf/agents.toml", root / "share" / "amux" / "agents.toml");
    if (with_host) {
      fs::create_directories(root / "lib" / "amux");
      fs::copy_file(fs::path(amux_bin()).parent_path() / "amux-host", root / "lib" / "amux" / "amux-host");
    }
  }
  ~Tree() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  std::string amux() const { return (root / "bin" / "amux").string(); }
};

// `<amux> --bg --exec cmd` in env; the id.
std::string bg(const std::string& amux, const AmuxEnv& env, const std::string& cmd) {
  auto r = run_process({amux, "--bg", "--exec", cmd}, env.env());
  EXPECT_EQ(r.rc, 0) << r.err;
  auto p = r.out.find("backgrounded · ");
  if (p == std::string::npos) {
    ADD_FAILURE() << "no id in: " << r.out << r.err;
    return "";
  }
  return r.out.substr(p + std::string("backgrounded · ").size(), 8);
}

void expect_host_cmdline(int pid, const std::string& id) {
  auto av = cmdline(pid);
  ASSERT_GE(av.size(), 3u);
  EXPECT_EQ(fs::path(av[0]).filename(), "amux");
  EXPECT_EQ(av[1], "host");
  EXPECT_EQ(av[2], id);
}

}  // namespace

TEST(HostBinary, SessionsRunInTheSmallHostNamedAmuxHost) {
  AmuxEnv env;
  std::string id = env.bg_exec("echo slim-host-ran; sleep 30");
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(env.wait_capture(id, "slim-host-ran"));
  int pid = std::stoi(env.record_field(id, "hostPid"));
  ASSERT_GT(pid, 0);
  EXPECT_EQ(exe_of(pid), (fs::path(amux_bin()).parent_path() / "amux-host").string());
  expect_host_cmdline(pid, id);
  EXPECT_EQ(cmdline(pid)[0], "amux");
  // What makes it small: no libstdc++, no toml++, no ncurses mapped.
  std::string maps = slurp("/proc/" + std::to_string(pid) + "/maps");
#if !defined(__SANITIZE_ADDRESS__)  // the sanitizer runtime maps libstdc++ itself
  EXPECT_EQ(maps.find("libstdc++"), std::string::npos);
#endif
  EXPECT_EQ(maps.find("toml"), std::string::npos);
  EXPECT_EQ(maps.find("ncurses"), std::string::npos);
  // It was handed its settings instead of reading config.toml.
  EXPECT_TRUE(fs::exists(env.config_dir() + "/jobs/" + id + "/host.json"));
}

TEST(HostBinary, SettingsReachTheHostThroughTheLauncher) {
  AmuxEnv env;
  env.write_config("[session]\nscrollback_lines = 30\n");
  std::string id = env.bg_exec("seq 1 200; sleep 30");
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(env.wait_capture(id, "200"));
  // 50 rows of screen + 30 of scrollback: line 100 is gone, 150 is kept.
  auto logs = env.amux({"logs", id, "-n", "1000"});
  EXPECT_EQ(logs.rc, 0) << logs.err;
  EXPECT_EQ(logs.out.find("\n100\n"), std::string::npos) << logs.out;
  EXPECT_NE(logs.out.find("\n150\n"), std::string::npos) << logs.out;
  EXPECT_NE(slurp(env.config_dir() + "/jobs/" + id + "/host.json").find("\"scrollbackLines\": 30"),
            std::string::npos);
}

TEST(HostBinary, InstalledTreeUsesLibAmuxHost) {
  Tree tree(true);
  AmuxEnv env;
  std::string id = bg(tree.amux(), env, "echo installed-host-ran; sleep 30");
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(env.wait_capture(id, "installed-host-ran"));
  int pid = std::stoi(env.record_field(id, "hostPid"));
  EXPECT_EQ(fs::path(exe_of(pid)).filename(), "amux-host");
  EXPECT_EQ(fs::path(exe_of(pid)).parent_path(), fs::canonical(tree.root / "lib" / "amux"));
  expect_host_cmdline(pid, id);
}

TEST(HostBinary, WithoutAmuxHostAmuxRunsTheHostItself) {
  Tree tree(false);
  AmuxEnv env;
  std::string id = bg(tree.amux(), env, "echo fallback-host-ran; sleep 30");
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(env.wait_capture(id, "fallback-host-ran"));
  int pid = std::stoi(env.record_field(id, "hostPid"));
  EXPECT_EQ(exe_of(pid), fs::canonical(tree.amux()).string());
  expect_host_cmdline(pid, id);
  EXPECT_EQ(run_process({tree.amux(), "stop", id}, env.env()).rc, 0);
}
