// host_impl.h — the session host's shared state (SessionHost::Impl), private to src/mux/host.
//
// Why: the host is one object on one libuv loop, but its concerns live in
// separate files: startup/teardown (session_host.cpp), the child and its PTY
// (host_child.cpp), state probing (host_state.cpp), the record
// (host_record.cpp), connections (host_connections.cpp), write queues
// (host_writes.cpp), requests (host_requests.cpp), attach (host_attach.cpp,
// host_direct_tty.cpp), copy mode (host_copy.cpp, copy_mode.h), `logs -f`
// (host_follow.cpp) and tile watchers
// (host_watch.cpp). This header holds what they share: the tuning constants,
// one connection (Conn), the handles and the session's live fields, and the
// declarations of the member functions each file defines.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <uv.h>

#include "keymap/chord.h"
#include "mux/agents/screen_patterns.h"
#include "mux/agents/state_history.h"
#include "mux/agents/state_tracker.h"
#include "mux/host/copy_mode.h"
#include "mux/host/session_host.h"
#include "mux/sys/clock.h"
#include "mux/wire/ops.h"
#include "mux/wire/protocol.h"
#include "pty/pty.h"
#include "pty/pty_reader.h"
#include "pty/tty_probe.h"
#include "pty/unique_fd.h"
#include "render/redraw.h"
#include "render/screen.h"

namespace amux::mux {

using nlohmann::json;

namespace host_detail {

constexpr size_t kReadBufSize = 64 * 1024;
constexpr size_t kPtyQueueLimit = 1u << 20;   // input bytes queued to a child that does not read
constexpr size_t kOutputChunk = 1u << 20;     // split huge redraws into frames of this size
constexpr uint64_t kKillAfterMs = 3000;       // SIGKILL this long after SIGHUP+SIGTERM
constexpr uint64_t kDrainGraceMs = 1000;      // output still open this long after the reap
constexpr int kMaxRows = 1000, kMaxCols = 1000;
constexpr size_t kSmallOutput = 512;          // output this small is drawn without waiting
constexpr uint64_t kProbeMinMs = 200;         // first probe after output or input
constexpr uint64_t kProbeMaxMs = 2000;        // probe interval of a quiet working session
constexpr uint64_t kProbeQuietMaxMs = 16000;  // ... of a quiet blocked or idle one
constexpr uint64_t kProbeSettledMs = 1500;    // a backoff this long, the verdict unchanged, the
constexpr int kProbeSettledCount = 2;         // group watched (host_exit_watch.cpp): probes stop
constexpr uint64_t kProbeSafetyMs = 60000;    // but for this rare one
constexpr uint64_t kProbeAfterExitMs = 30;    // a group member exited: probe this soon
constexpr uint64_t kProbeRetryMs = 10;        // a probe put off for output on its way
constexpr int64_t kDetailSaveMs = 1000;       // a detail-only change is written at most this often
constexpr uint64_t kHelloTimeoutMs = 5000;     // a connection that has not said Hello by then is closed
constexpr size_t kReplyQueueLimit = 4u << 20;  // replies a client has not read: then it is let go
constexpr uint64_t kSaveRetryMs = 1000;        // a record that could not be written is tried again
constexpr std::string_view kSyncBegin = "\x1b[?2026h", kSyncEnd = "\x1b[?2026l";

// One line for a row: control characters dropped, runs of blanks kept.
std::string clean_line(std::string s);
// Keep a text answer well inside one frame: drop whole lines from the front.
std::string fit_text(std::string text);
// Text of a row's cells, trailing blanks trimmed.
std::string cells_text(const render::Screen& s, const std::vector<render::Cell>& cells);

}  // namespace host_detail

struct SessionHost::Impl {
  // One accepted connection.
  struct Conn {
    Impl* host = nullptr;
    uv_pipe_t pipe{};
    FrameDecoder dec{kMaxFrame};
    bool greeted = false;
    bool closing = false;
    uint64_t accepted_ms = 0;  // loop time of the accept (for the Hello deadline)
    bool sub_behind = false;   // subscribe: events were dropped; resync once drained
    // attach
    bool attached = false;
    int rows = 0, cols = 0;
    render::RedrawOptions ro;
    uint64_t last_seq = 0;
    render::ClientMeta meta;
    bool needs_full = false;
    bool behind = false;  // a frame was skipped (queue over the limit)
    bool sync = false;    // the client's terminal understands mode 2026: frames are wrapped in it
    // Copy mode (host_copy.cpp): while set, the client is drawn this instead
    // of the live screen and its keys go to it.
    std::unique_ptr<CopyMode> copy;
    std::string copy_drawn;  // the copy-mode frame last drawn
    std::string clipboard;   // "osc52": copied text goes to the terminal's clipboard too
    // Direct output, as tmux's server does: the attach client passed a file
    // descriptor of its terminal along with Attach, and frames are written
    // to it straight away instead of through the client (one process hop
    // less between a key and its echo). The socket still carries input,
    // control messages and Exited.
    uv_pipe_t tty{};
    bool tty_open = false;
    bool exited_sent = false;     // direct: no frames after Exited
    bool exited_pending = false;  // direct: Exited waits until the tty queue drains
    int handles = 1;              // open uv handles of this connection (pipe, tty)
    // Direct input, as tmux's server reads its clients' keys: with "input"
    // in Attach the host reads the keys from that terminal too and matches
    // the client's bindings itself (the client does not read its terminal
    // then), so a key reaches the program without crossing the client.
    std::unique_ptr<keymap::ChordMatcher> chords;
    bool tty_reading = false;
    uint64_t esc_due = 0;  // loop time when the start of a key's form read here goes out as it is
    // follow
    bool following = false;
    uint64_t follow_next = 0;  // absolute index of the next line to send
    // subscribe: every record write as an Event
    bool subscribed = false;
    // screen_watch: a cropped view of the screen, at most once per interval
    bool watching = false;
    int watch_rows = 0, watch_cols = 0;
    uint64_t watch_interval = 100, watch_last_ms = 0, watch_seq = ~uint64_t(0);
    bool watch_sgr = false;
    std::string watch_last;
  };

  // One queued write; owns its bytes until libuv is done with them.
  struct WriteReq {
    uv_write_t req{};
    std::string data;
    Conn* conn = nullptr;  // nullptr: the PTY
  };

  uv_loop_t* loop;
  HostOptions opts;
  SessionRecord rec;
  std::unique_ptr<render::Screen> screen;
  std::optional<pty::Pty> pty;
  // Reads the master on its own thread (pty_reader.h); declared after pty,
  // so it stops before the master closes. pty_pipe is for writes only.
  std::unique_ptr<pty::PtyReader> reader;
  uv_async_t pty_async{};   // the reader has output or reached the end
  bool pty_async_open = false;
  std::string pty_chunk;    // what on_pty_data took from the reader

  uv_pipe_t pty_pipe{};
  uv_pipe_t server{};
  uv_signal_t sig_chld{}, sig_term{}, sig_int{}, sig_hup{};
  uv_timer_t frame_timer{}, kill_timer{}, drain_timer{}, linger_timer{}, probe_timer{}, watch_timer{}, idle_timer{},
      hello_timer{}, save_timer{};
  uv_timer_t esc_timer{};  // the escape time of keys read from clients' terminals
  // Synchronized output: while the program's update (mode 2026) is open,
  // frames are held; after opts.sync_hold_ms they go out anyway until it closes.
  uv_timer_t sync_timer{};
  bool sync_expired = false;
  bool pty_pipe_open = false, server_open = false;
  int open_handles = 0;
  bool closed_all = false;

  std::vector<std::unique_ptr<Conn>> conns;
  std::vector<Conn*> attach_stack;  // newest last
  std::vector<Conn*> stop_waiters;
  // Not zero-filled: an idle host should not hold 64 KiB it never read into.
  std::unique_ptr<char[]> read_buf = std::make_unique_for_overwrite<char[]>(host_detail::kReadBufSize);

  uint64_t burst_start = 0;
  uint64_t last_frame_ms = 0;   // loop time of the last frame tick
  size_t bytes_since_frame = 0; // output since the last frame tick
  bool output_done = false;       // the master reported end of output
  bool finished = false;          // child reaped, output drained, record final
  bool stop_requested = false;    // stopped by request or signal
  bool shutdown_requested = false;
  std::optional<pty::ExitStatus> exit_status;

  // State detection (state_tracker.h): the tracker, whether the agent's
  // screen patterns (opts.screen) apply, and the probe timer's backoff.
  StateTracker tracker;
  bool use_patterns = false;
  bool trim_due = false;  // output came since the heap was last trimmed
  // A burst was fed or a client left: the heap has free pages to hand back
  // (release_heap) even if output never stops long enough for the probe's trim.
  bool heap_spare = false;
  int64_t heap_released_ms = 0;
  pty::TtyProbeCache probe_cache;
  uint64_t probe_delay = host_detail::kProbeMinMs;
  // The probe driven by events (host_exit_watch.cpp): the group's processes
  // watched exiting, and how many probes in a row saw the same verdict.
  struct ExitWatch {
    uv_poll_t poll{};
    pty::UniqueFd fd;  // a pidfd
    pid_t pid = -1;
    Impl* host = nullptr;
  };
  std::map<pid_t, std::unique_ptr<ExitWatch>> exit_watches;
  pty::TtyReadState last_verdict = pty::TtyReadState::Unknown;
  int quiet_probes = 0;
  bool output_since_probe = false;
  bool probe_put_off = false;  // the last probe waited for output on its way
  int64_t detail_saved_ms = 0;
  bool idle_stopped = false;  // stopped by the idle_agent rule
  int64_t last_output_ms = 0;
  std::vector<bool> painted_rows;  // rows painted since the screen was last blank (note_growth)
  size_t scrolled_seen = 0;
  uint64_t pattern_seq = 0;
  std::optional<SessionState> pattern_verdict;
  uint64_t detail_seq = 0;
  bool detail_cache_empty = true;
  std::string detail_cache;

  // Why the state is what it is (host_explain.cpp): the changes so far and
  // what each source last saw.
  StateHistory history;
  TrackedState shown;                        // the tracker's last answer
  std::optional<ScreenMatch> pattern_match;  // the pattern and line behind pattern_verdict
  pty::TtyProbeResult last_probe;
  std::string notify_note;                   // the last notify: hook and event, or the command
  std::string notification_note;             // the last OSC notification or BEL

  // The record (host_record.cpp).
  bool record_unsaved = false;
  std::string last_save_error;

  Impl(uv_loop_t* l, HostOptions o);

  void log(const std::string& msg) const {
    std::fprintf(stderr, "amux host %s: %s\n", opts.id.c_str(), msg.c_str());
  }

  bool child_alive() const { return pty && !pty->reaped(); }

  template <typename H>
  static Impl* self(H* h) {
    return static_cast<Impl*>(h->data);
  }

  // startup and teardown (session_host.cpp)
  void report_ready(const std::string& line);
  std::string start();
  std::string listen_socket();
  static bool socket_in_use(const std::string& path);
  void close_all();
  static void on_handle_closed(uv_handle_t* hd) { --self(hd)->open_handles; }

  // the record (host_record.cpp)
  std::string save(bool own_name = false);
  void retry_save();
  void publish();

  // state detection (host_state.cpp)
  void load_profile();
  void schedule_probe(uint64_t delay);
  void on_probe_tick();
  // host_exit_watch.cpp: true when every member is watched.
  bool watch_group(const std::vector<pid_t>& members);
  void on_member_exit(pid_t pid);
  void close_exit_watch(std::unique_ptr<ExitWatch> w);
  void close_exit_watches();
  void note_growth();
  std::vector<std::string> screen_lines() const;
  std::string live_detail(const TrackedState& t);
  void update_state(int64_t now);
  void arm_idle_timer();
  void on_idle_timeout();

  // why (host_explain.cpp)
  std::string evidence_for(const TrackedState& t, int64_t now) const;
  std::string exit_evidence() const;
  void note_transition(const std::string& source, const std::string& evidence);
  json op_explain(Conn* c, const json& req);

  // the child on its PTY (host_child.cpp)
  void on_pty_data();
  void release_heap();  // trim_heap(), at most once a second
  void trim_heap();     // the heap's free pages back to the kernel
  void stop_reader();
  void on_output(std::string_view bytes);
  void on_person_input();
  void note_work();
  void on_output_end();
  void drain_pty();
  void write_pty(std::string_view data);
  void on_sigchld();
  void drain_and_finish();
  void finish();
  json exit_summary() const;
  double linger_for_state() const;
  void start_linger();
  void on_linger_end();
  void stop_child();
  void on_host_signal(int signum);

  // writes (host_writes.cpp)
  void write_stream(uv_stream_t* stream, std::string data, Conn* conn);
  static void on_write(uv_write_t* req, int status);
  size_t queue_size(Conn* c) const;
  void send(Conn* c, MsgType t, std::string_view payload);
  void send_json(Conn* c, MsgType t, const json& j);
  void respond(Conn* c, const json& j) { send_json(c, MsgType::Response, j); }

  // connections (host_connections.cpp)
  static void on_conn_alloc(uv_handle_t* h, size_t, uv_buf_t* buf);
  static void on_connection(uv_stream_t* server, int status);
  void schedule_hello_check();
  void on_hello_check();
  static void on_conn_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf);
  void close_conn(Conn* c, bool flush);
  static void on_conn_closed(uv_handle_t* hd);
  void fail_conn(Conn* c, const std::string& err);
  void on_frame(Conn* c, const Frame& f);

  // direct output and input (host_direct_tty.cpp)
  void take_tty(Conn* c);
  void close_tty(Conn* c);
  size_t out_queue_size(Conn* c) const;
  void send_exited(Conn* c, const json& ex);
  void start_tty_input(Conn* c, const json& j);
  void stop_tty_input(Conn* c);
  static void on_tty_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf);
  bool on_tty_keys(Conn* c, const std::vector<keymap::ChordMatcher::Event>& events);
  void arm_esc_timer();
  void on_esc_time();
  void leave(Conn* c, const std::string& action);

  // requests (host_requests.cpp): one handler per op. Each returns the
  // response, or null when it is sent later.
  void on_request(Conn* c, const json& req);
  json handle_request(Conn* c, const json& req);
  json op_state(Conn* c, const json& req);
  json op_capture(Conn* c, const json& req);
  json op_logs(Conn* c, const json& req);
  json op_follow(Conn* c, const json& req);
  json op_reply(Conn* c, const json& req);
  json op_input(Conn* c, const json& req);
  json op_stop(Conn* c, const json& req);
  json op_shutdown(Conn* c, const json& req);
  json op_rename(Conn* c, const json& req);
  json op_subscribe(Conn* c, const json& req);
  json op_screen_watch(Conn* c, const json& req);
  json op_notify(Conn* c, const json& req);
  json op_set_linger(Conn* c, const json& req);

  // follow, `logs -f` (host_follow.cpp)
  uint64_t first_line() const;
  uint64_t cursor_line() const;
  uint64_t end_of_content() const;
  std::string lines_text(uint64_t from, uint64_t to) const;
  json start_follow(Conn* c, int64_t lines);
  void follow_emit(Conn* c, bool at_exit);

  // attach (host_attach.cpp)
  static void read_size(const json& j, int* rows, int* cols);
  void on_attach(Conn* c, const json& j);
  void on_resize(Conn* c, const json& j);
  void detach(Conn* c);
  void apply_size();
  bool has_viewers() const;
  void note_attached();
  void schedule_frame();
  void on_frame_tick();
  void send_frame(Conn* c, bool force);
  void note_sync_update();
  bool sync_held() const;

  // copy mode (host_copy.cpp)
  void enter_copy(Conn* c, int scroll = 0);
  void leave_copy(Conn* c);
  void copy_input(Conn* c, std::string_view bytes);
  void client_keys(Conn* c, std::string_view bytes);
  void store_copied(Conn* c, const std::string& text);
  void draw_copy(Conn* c);
  void write_client(Conn* c, std::string out);
  json op_copy_mode(Conn* c, const json& req);

  // screen_watch, agent view tiles (host_watch.cpp)
  json watch_json(Conn* c);
  void schedule_watch();
  void on_watch_tick();
};

}  // namespace amux::mux
