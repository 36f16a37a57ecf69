// session_host.h — the process that owns one session (`amux host <id>`).
//
// Why: a session must outlive every client and even the supervisor, so one
// small process per session owns the PTY master, the child, the Screen
// (libvterm state + row store + scrollback) and the session's live state. It
// listens on its own unix socket (private dir, peer uid checked, version
// handshake, size-limited frames) and serves: attach (full redraw, then
// throttled incremental frames rendered from the Screen — never raw PTY
// bytes), input, resize, detach, capture, logs, reply, stop, state. The PTY
// follows the size of the most recently attached client and returns to the
// previous client's size when it leaves; when the last one leaves it keeps
// that size, as tmux does (before the first attach: the record's size,
// default 200x50). A slow client is skipped and redrawn later; it never
// stalls the session or grows memory without bound. Terminal queries are answered by libvterm even with
// nobody attached. Everything runs on one libuv loop: no busy loops.
// It runs as its own small binary, build/amux-host (src/host/host_main.cpp:
// no TOML, libstdc++ linked in), started by host_launcher.h with the command
// line `amux host <id> --ready-fd N`; its settings and the agent's screen
// patterns come resolved in jobs/<id>/host.json (host_spec.h).
#pragma once

#include <memory>
#include <string>

#include <uv.h>

#include "mux/store/host_spec.h"
#include "mux/store/paths.h"
#include "mux/agents/screen_patterns.h"
#include "mux/store/session_record.h"

namespace amux::mux {

struct HostOptions {
  Paths paths;
  std::string id;
  size_t scrollback_lines = 10000;
  double linger_seconds = 300;     // stay after the child exits (logs/attach still work)
  double stopped_linger_seconds = 300;  // the same after `amux stop`
  double idle_agent_seconds = 3600;  // an agent idle this long (not pinned, nobody attached) is stopped
  int frame_delay_ms = 8;          // after the last output
  int frame_max_delay_ms = 30;     // after the first output of a burst
  size_t client_queue_limit = 1u << 20;  // bytes queued to one client before frames are skipped
  int ready_fd = -1;               // write "ok\n" or "error: ...\n" here once listening, then close
  ScreenPatterns screen;           // an agent's screen patterns (none: probe and notifications only)
  std::string screen_note;         // logged at start: why an agent has no patterns
  int escape_time_ms = 20;         // a key's escape-sequence start read from a client's terminal waits this long
  int state_hold_ms = 2000;        // a state from output activity or the probe shows once held this long
  int sync_hold_ms = 1000;         // a synchronized update left open is drawn after this long

  // The settings and patterns the launcher resolved (host_spec.h).
  void apply(const HostSpec& s) {
    scrollback_lines = s.scrollback_lines;
    linger_seconds = s.shell_linger;
    stopped_linger_seconds = s.stopped_linger;
    idle_agent_seconds = s.idle_agent;
    screen = s.screen;
    screen_note = s.screen_note;
    escape_time_ms = s.escape_time_ms;
    state_hold_ms = s.state_hold_ms;
    sync_hold_ms = s.sync_hold_ms;
  }
};

class SessionHost {
 public:
  SessionHost(uv_loop_t* loop, HostOptions opts);
  ~SessionHost();
  SessionHost(const SessionHost&) = delete;
  SessionHost& operator=(const SessionHost&) = delete;

  // Load the record, spawn the child on a PTY, bind the socket, write the
  // record (pid, host pid, socket, state working). "" or a one-line error.
  std::string start();
  // Run until the host is done (child gone and linger over, or stopped+lingered).
  // Convenience for `amux host`: start(), then uv_run.
  static int run_main(HostOptions opts);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace amux::mux
