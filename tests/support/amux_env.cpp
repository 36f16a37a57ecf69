// amux_env.cpp — see amux_env.h.
#include "support/amux_env.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

extern char** environ;

namespace amux::test {
namespace fs = std::filesystem;

namespace {
// A child that exits before reading all of its input (accept-bypass, a
// failed command) must fail that one call, not kill the test binary with
// SIGPIPE. Children get default dispositions back (POSIX_SPAWN_SETSIGDEF).
const bool sigpipe_ignored = [] { return signal(SIGPIPE, SIG_IGN) != SIG_ERR; }();
}  // namespace

RunResult run_process(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                      const std::string& input, int timeout_ms) {
  RunResult r;
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) return r;
  std::vector<std::string> envs;
  for (char** e = environ; *e; e++) {
    std::string s(*e);
    auto k = s.substr(0, s.find('='));
    if (!env.count(k)) envs.push_back(s);
  }
  for (auto& [k, v] : env) envs.push_back(k + "=" + v);
  std::vector<char*> cargv, cenv;
  for (auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (auto& e : envs) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  posix_spawnattr_t at;
  posix_spawnattr_init(&at);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&at, &none);
  posix_spawnattr_setsigdefault(&at, &all);
  pid_t pid;
  int rc = posix_spawnp(&pid, cargv[0], &fa, &at, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (rc != 0) {
    close(in[1]);
    close(out[0]);
    close(err[0]);
    r.err = std::string("spawn failed: ") + strerror(rc);
    return r;
  }
  for (size_t off = 0; off < input.size();) {
    ssize_t n = write(in[1], input.data() + off, input.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the child closed its stdin (EPIPE): it read what it wanted
    off += size_t(n);
  }
  close(in[1]);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  struct pollfd p[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    int left = int(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
    if (left <= 0) {
      kill(pid, SIGKILL);
      r.err += "\n[timed out]";
      break;
    }
    if (poll(p, 2, left) <= 0) continue;
    for (int i = 0; i < 2; i++) {
      if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(p[i].fd, buf, sizeof buf);
      if (n > 0) (i == 0 ? r.out : r.err).append(buf, size_t(n));
      else { close(p[i].fd); p[i].fd = -1; open_fds--; }
    }
  }
  for (auto& x : p) if (x.fd >= 0) close(x.fd);
  int st = 0;
  waitpid(pid, &st, 0);
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return r;
}

bool wait_until(const std::function<bool()>& pred, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string source_dir() {
  if (const char* s = getenv("AMUX_SOURCE_DIR")) return s;
  fs::path p = fs::current_path();
  while (!p.empty() && p != p.root_path()) {
    if (fs::exists(p / "src/mux/host/session_host.h")) return p.string();
    p = p.parent_path();
  }
  return ".";
}

std::string amux_bin() {
  if (const char* s = getenv("AMUX_BIN")) return s;
  return source_dir() + "/build/amux";
}

static std::string make_temp_dir(const char* tmpl) {
  std::string t = tmpl;
  if (!mkdtemp(t.data())) return "";
  return t;
}

AmuxEnv::AmuxEnv() {
  config_dir_ = make_temp_dir("/tmp/amux-cfg.XXXXXX");
  runtime_dir_ = make_temp_dir("/tmp/amux-rt.XXXXXX");
  chmod(runtime_dir_.c_str(), 0700);
}

AmuxEnv::~AmuxEnv() {
  // Stop every host this instance started: the supervisor when there is one,
  // then any host pid left in the records.
  run_process({amux_bin(), "daemon", "stop"}, env(), "", 10000);
  std::error_code ec;
  for (auto& d : fs::directory_iterator(config_dir_ + "/jobs", ec)) {
    std::ifstream in(d.path() / "state.json");
    if (!in) continue;
    try {
      auto j = nlohmann::json::parse(in);
      int hp = j.value("hostPid", 0);
      if (hp > 0) kill(hp, SIGTERM);
    } catch (...) {
    }
  }
  // AMUX_TEST_KEEP=1 keeps the config dir (daemon.log, records) to look at.
  if (const char* keep = getenv("AMUX_TEST_KEEP"); keep && *keep == '1') {
    fprintf(stderr, "kept %s\n", config_dir_.c_str());
  } else {
    fs::remove_all(config_dir_, ec);
  }
  fs::remove_all(runtime_dir_, ec);
}

std::map<std::string, std::string> AmuxEnv::env() const {
  return {{"AMUX_CONFIG_DIR", config_dir_}, {"XDG_RUNTIME_DIR", runtime_dir_}};
}

std::string AmuxEnv::env_prefix() const {
  return "AMUX_CONFIG_DIR=" + config_dir_ + " XDG_RUNTIME_DIR=" + runtime_dir_ + " ";
}

void AmuxEnv::write_config(const std::string& toml) const {
  std::ofstream(config_dir_ + "/config.toml") << toml;
}

RunResult AmuxEnv::amux(const std::vector<std::string>& args, const std::string& input, int timeout_ms) const {
  std::vector<std::string> argv = {amux_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, env(), input, timeout_ms);
}

std::string AmuxEnv::bg_exec(const std::string& cmd, const std::string& name) const {
  std::vector<std::string> a = {"--bg", "--exec", cmd};
  if (!name.empty()) { a.push_back("--name"); a.push_back(name); }
  return dispatched_id(amux(a));
}

std::string dispatched_id(const RunResult& r) {
  EXPECT_EQ(r.rc, 0) << r.err;
  static const std::string kMark = "backgrounded · ";
  auto p = r.out.find(kMark);
  if (p == std::string::npos) { ADD_FAILURE() << "no id in: " << r.out << r.err; return ""; }
  return r.out.substr(p + kMark.size(), 8);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string AmuxEnv::capture(const std::string& id, bool escapes) const {
  std::vector<std::string> a = {"capture", id};
  if (escapes) a.push_back("-e");
  return amux(a).out;
}

bool AmuxEnv::wait_capture(const std::string& id, const std::string& text, int timeout_ms) const {
  return wait_until([&] { return capture(id).find(text) != std::string::npos; }, timeout_ms);
}

std::string AmuxEnv::record_field(const std::string& id, const std::string& key) const {
  std::ifstream in(config_dir_ + "/jobs/" + id + "/state.json");
  if (!in) return "";
  try {
    auto j = nlohmann::json::parse(in);
    if (!j.contains(key)) return "";
    return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
  } catch (...) {
    return "";
  }
}

nlohmann::json AmuxEnv::agents(bool all) const {
  std::vector<std::string> a = {"agents", "--json"};
  if (all) a.push_back("--all");
  auto r = amux(a);
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  return j.is_array() ? j : nlohmann::json::array();
}

nlohmann::json AmuxEnv::session(const std::string& id) const {
  for (auto& s : agents())
    if (s.value("id", "") == id) return s;
  return nlohmann::json();
}

bool AmuxEnv::wait_state(const std::string& id, const std::string& state, int timeout_ms,
                         nlohmann::json* last) const {
  nlohmann::json seen;
  bool ok = wait_until([&] {
    seen = session(id);
    return seen.is_object() && seen.value("state", "") == state;
  }, timeout_ms);
  if (last) *last = seen;
  return ok;
}

static std::atomic<int> tmux_counter{0};

Tmux::Tmux(int cols, int rows, const std::string& shell_cmd) {
  sock_ = "amuxtest-" + std::to_string(getpid()) + "-" + std::to_string(tmux_counter++);
  // The panes' programs see a config dir of their own unless a command sets
  // one: a command line typed while the previous program was still reading
  // the terminal may lose its first bytes (its AMUX_CONFIG_DIR=...), and it
  // must then never reach the person's ~/.amux.
  guard_dir_ = make_temp_dir("/tmp/amux-tmuxguard.XXXXXX");
  auto r = run_process({"tmux", "-L", sock_, "-f", "/dev/null", "new-session", "-d", "-x",
                        std::to_string(cols), "-y", std::to_string(rows), shell_cmd},
                       {{"TERM", "xterm-256color"},
                        {"AMUX_CONFIG_DIR", guard_dir_ + "/config"},
                        {"XDG_RUNTIME_DIR", guard_dir_}});
  EXPECT_EQ(r.rc, 0) << r.err;
  tmux({"set-option", "-g", "status", "off"});
  tmux({"set-option", "-g", "remain-on-exit", "on"});
  tmux({"set-option", "-g", "default-terminal", "tmux-256color"});
  resize(cols, rows);
}

Tmux::~Tmux() {
  run_process({"tmux", "-L", sock_, "kill-server"});
  if (guard_dir_.empty()) return;
  if (fs::exists(guard_dir_ + "/config"))  // something ran there: stop what it started
    run_process({amux_bin(), "daemon", "stop"},
                {{"AMUX_CONFIG_DIR", guard_dir_ + "/config"}, {"XDG_RUNTIME_DIR", guard_dir_}}, "", 10000);
  std::error_code ec;
  fs::remove_all(guard_dir_, ec);
}

RunResult Tmux::tmux(const std::vector<std::string>& args) const {
  std::vector<std::string> a = {"tmux", "-L", sock_};
  a.insert(a.end(), args.begin(), args.end());
  return run_process(a);
}

void Tmux::send_keys(const std::vector<std::string>& keys) const {
  std::vector<std::string> a = {"send-keys", "-t", "0"};
  a.insert(a.end(), keys.begin(), keys.end());
  tmux(a);
}

void Tmux::send_text(const std::string& text) const { tmux({"send-keys", "-t", "0", "-l", text}); }

std::string Tmux::capture(bool escapes) const {
  std::vector<std::string> a = {"capture-pane", "-p", "-t", "0"};
  if (escapes) a.push_back("-e");
  return tmux(a).out;
}

bool Tmux::wait_for(const std::string& text, int timeout_ms) const {
  return wait_until([&] { return capture().find(text) != std::string::npos; }, timeout_ms);
}

bool Tmux::wait_gone(const std::string& text, int timeout_ms) const {
  return wait_until([&] { return capture().find(text) == std::string::npos; }, timeout_ms);
}

void Tmux::resize(int cols, int rows) const {
  tmux({"resize-window", "-t", "0", "-x", std::to_string(cols), "-y", std::to_string(rows)});
}

bool Tmux::alive() const {
  auto r = tmux({"display-message", "-p", "-t", "0", "#{pane_dead}"});
  return r.out.rfind("0", 0) == 0;
}

}  // namespace amux::test
