// amux_env.h — helpers for integration and terminal tests: a private amux
// instance (its own AMUX_CONFIG_DIR and runtime dir), running the real
// binary, and a private tmux server to drive it like a person would.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace amux::test {

struct RunResult {
  int rc = -1;
  std::string out, err;
};

// Run argv with extra environment, optional stdin, capturing stdout/stderr.
RunResult run_process(const std::vector<std::string>& argv,
                      const std::map<std::string, std::string>& env = {},
                      const std::string& input = "", int timeout_ms = 30000);

// Poll `pred` every 20 ms until it is true or the deadline passes.
bool wait_until(const std::function<bool()>& pred, int timeout_ms = 10000);

// A file's whole text ("" when it cannot be read).
std::string read_text(const std::string& path);

// The id in a dispatch's "backgrounded · <id> · <name>" line; "" (and a
// test failure) when there is none.
std::string dispatched_id(const RunResult& r);

std::string source_dir();  // $AMUX_SOURCE_DIR or found by walking up
std::string amux_bin();    // $AMUX_BIN or <source>/build/amux

class AmuxEnv {
 public:
  AmuxEnv();
  ~AmuxEnv();  // stops every session host of this instance, removes the dirs
  AmuxEnv(const AmuxEnv&) = delete;
  AmuxEnv& operator=(const AmuxEnv&) = delete;

  RunResult amux(const std::vector<std::string>& args, const std::string& input = "",
                 int timeout_ms = 30000) const;
  // `amux --bg --exec cmd [--name n]`; returns the id (fails the test on error).
  std::string bg_exec(const std::string& cmd, const std::string& name = "") const;
  std::string capture(const std::string& id, bool escapes = false) const;
  // Wait until `amux capture id` contains text.
  bool wait_capture(const std::string& id, const std::string& text, int timeout_ms = 10000) const;
  // A field of jobs/<id>/state.json ("" when absent).
  std::string record_field(const std::string& id, const std::string& key) const;
  // `amux agents --json [--all]` (an empty array when it fails), and one
  // session's entry in it (null when absent).
  nlohmann::json agents(bool all = true) const;
  nlohmann::json session(const std::string& id) const;
  // Wait until `agents --json --all` reports `state` for id; the last entry
  // seen is left in *last.
  bool wait_state(const std::string& id, const std::string& state, int timeout_ms = 10000,
                  nlohmann::json* last = nullptr) const;

  std::map<std::string, std::string> env() const;
  // "AMUX_CONFIG_DIR=... XDG_RUNTIME_DIR=... " for shell command lines.
  std::string env_prefix() const;
  const std::string& config_dir() const { return config_dir_; }
  void write_config(const std::string& toml) const;

 private:
  std::string config_dir_, runtime_dir_;
};

// A private tmux server (-L) with one window of a fixed size.
class Tmux {
 public:
  Tmux(int cols, int rows, const std::string& shell_cmd);
  ~Tmux();
  Tmux(const Tmux&) = delete;
  Tmux& operator=(const Tmux&) = delete;

  void send_keys(const std::vector<std::string>& keys) const;  // tmux key names
  void send_text(const std::string& text) const;               // literal (-l)
  std::string capture(bool escapes = false) const;             // visible pane
  bool wait_for(const std::string& text, int timeout_ms = 10000) const;
  bool wait_gone(const std::string& text, int timeout_ms = 10000) const;
  void resize(int cols, int rows) const;
  bool alive() const;  // the pane's command still runs
  RunResult tmux(const std::vector<std::string>& args) const;
  const std::string& socket() const { return sock_; }

 private:
  std::string sock_;
  std::string guard_dir_;  // the panes' AMUX_CONFIG_DIR unless a command names one
};

}  // namespace amux::test
