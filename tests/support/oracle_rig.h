// oracle_rig.h — runs the same program in an amux session and in a plain
// tmux pane of the same size and TERM, sends both the same keys, and
// compares what each shows: `amux capture -e` and what `amux attach` draws
// (in a pane of the same tmux server) against `tmux capture-pane -e` of the
// plain pane, with the cursor and the title.
//
// One tmux server and one amux supervisor serve every case; each case gets
// its own amux session, its own plain pane ("o-<name>") and its own attach
// pane ("a-<name>"). The program's environment is fixed (env -i: PATH,
// HOME in the rig's directory, TERM=xterm-256color, LANG=C.UTF-8).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "support/amux_env.h"
#include "support/sgr_grid.h"

namespace amux::test {

// One comparison of a case: rows that differ in amux's capture and in the
// attached client, whether cursor and title differ, and the readable diff.
struct OracleResult {
  int capture_rows = 0, attach_rows = 0, cursor = 0, title = 0;
  std::string report;
  std::string screen;  // tmux's screen, as compared
  int total() const { return capture_rows + attach_rows + cursor + title; }
};

class OracleRig {
 public:
  static constexpr int kCols = 100, kRows = 30;

  OracleRig();
  ~OracleRig();
  OracleRig(const OracleRig&) = delete;
  OracleRig& operator=(const OracleRig&) = delete;

  // The directory the programs run in, and their HOME.
  const std::filesystem::path& files() const { return files_; }
  const std::filesystem::path& home() const { return home_; }

  // Starts `name` in both: the shell command `body` (run by sh in files()
  // with the fixed environment). Returns false (with a failure) on error.
  bool start(const std::string& name, const std::string& body);
  // Stops the case's session and closes its panes.
  void finish(const std::string& name);

  // tmux key names (send-keys), or literal text, to both the plain pane and
  // the attached client.
  void keys(const std::string& name, const std::vector<std::string>& keys) const;
  void text(const std::string& name, const std::string& text) const;
  // Waits until both the plain pane and the attached client show `text`.
  bool wait_both(const std::string& name, const std::string& text, int timeout_ms = 20000) const;
  // Both panes as plain text, for a failure message.
  std::string panes(const std::string& name) const;
  // Waits until both panes have the title `title`.
  bool wait_title(const std::string& name, const std::string& title, int timeout_ms = 20000) const;

  // Compares until all agree or the deadline passes; the last comparison.
  OracleResult compare(const std::string& name, int timeout_ms, bool cursor_and_title = true) const;

  RunResult tmux(const std::vector<std::string>& args) const { return tmux_.tmux(args); }
  const AmuxEnv& env() const { return env_; }

 private:
  OracleResult compare_once(const std::string& name, bool cursor_and_title) const;
  std::string pane_format(const std::string& target, const std::string& fmt) const;

  std::filesystem::path dir_, files_, home_;
  AmuxEnv env_;
  Tmux tmux_;
  std::map<std::string, std::string> ids_;  // case name -> amux session id
};

}  // namespace amux::test
