// config.h — user settings from config.toml (documented in amux.toml(5)).
//
// Why: timings, sizes and keys are settings so users can tune them and tests
// can shorten them. Parse errors name the file, line and key; unknown keys
// are reported too, because a typo silently ignored is a setting lost.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace amux::mux {

// One [hosts.NAME] table: a machine whose sessions the view and the commands
// reach through OpenSSH (`NAME:<id>`).
struct HostEntry {
  std::string name;                    // the table's name: letters, digits, '-', '_', '.'
  std::string ssh;                     // an ssh destination (~/.ssh/config applies)
  std::vector<std::string> ssh_args;   // extra ssh arguments, before the destination
  std::string amux = "amux";           // remote command prefix, run by the remote shell
};

struct Config {
  std::string default_agent;            // "" = first profile on PATH
  // Bytes that only begin a bound key's escape sequence (a lone ESC) reach
  // the program after this long with nothing following (tmux's escape-time).
  int escape_time_ms = 20;
  // A state decided only by output activity or the tty probe is shown once
  // it has held this long (a TUI that redraws does not flip rows).
  int state_hold_ms = 2000;
  // How the agent view and attached clients tell the person that a session
  // they are not looking at needs them (blocked) or finished: "osc9",
  // "osc777" (desktop notifications through the terminal), "bell" or "off";
  // and/or a command run without a shell ({name} {state} {id} replaced).
  std::string notify = "bell";
  std::vector<std::string> notify_command;
  // Wrap every frame drawn on the person's terminal in synchronized output
  // (mode 2026): "auto" when its terminfo entry says it understands it
  // (Sync), "on", "off".
  std::string sync_output = "auto";
  // A synchronized update the program leaves open is drawn after this long
  // (terminals wait 150 ms to 1 s).
  int sync_hold_ms = 1000;
  // Where copy mode's copied text goes besides amux's buffer: "osc52" also
  // sends it to the terminal's clipboard (OSC 52), "off" does not.
  std::string clipboard = "off";
  // While attached to a program that has not asked for the mouse, the
  // terminal reports it to amux: the wheel scrolls into copy mode.
  bool mouse = true;
  // [session]
  size_t scrollback_lines = 10000;
  int rows = 50, cols = 200;            // PTY size while no client is attached
  // [reap] (seconds)
  double shell_linger = 300;            // finished shell job rows and output
  double idle_agent = 3600;             // idle finished agent sessions: stop the process
  double empty_row = 300;               // rows that never got any work
  double stopped_linger = 300;          // host of a stopped session keeps output this long
  // [daemon]
  double idle_exit = 5;                 // supervisor exits after this long with no session and no client
  // [worktree]
  std::string bg_isolation = "worktree";  // "worktree" | "none"
  // [view]
  bool disable_agent_view = false;
  bool bell_on_blocked = true;
  // [hosts.NAME], in the order written
  std::vector<HostEntry> hosts;
  const HostEntry* host(const std::string& name) const {
    for (auto& h : hosts)
      if (h.name == name) return &h;
    return nullptr;
  }

  std::vector<std::string> warnings;    // unknown keys etc.
};

// Parse TOML text; `origin` names it in errors. Throws ConfigError.
Config parse_config(const std::string& text, const std::string& origin, Config base = {});
// Load a file (missing = defaults). Throws ConfigError.
Config load_config(const std::string& path, Config base = {});

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace amux::mux
