// session_host.cpp — one session's host: PTY + child + Screen + socket.
//
// Why: see session_host.h. Everything happens on one libuv loop:
//  - the PTY master is read through a uv_pipe on a dup of the master fd
//    (64 KiB buffers); every read is fed to the Screen, whose replies to
//    terminal queries (DA, DSR, CPR) go straight back to the PTY, so they are
//    answered with nobody attached;
//  - SIGCHLD arrives through uv_signal and only our child is waited for;
//  - clients connect to <socket dir>/<id>.sock; each connection is checked
//    (SO_PEERCRED, Hello) and then sends requests or attaches;
//  - attached clients get a full redraw, then frames rendered from the Screen
//    on a one-shot timer that runs only while output flows (frame_delay_ms
//    after the last output, at most frame_max_delay_ms after the first of a
//    burst). A client whose socket queue is over client_queue_limit is
//    skipped; once its queue drains it gets everything since its last frame.
//    A connection must say Hello within 5 s; one that asks without reading
//    the replies is let go; a subscriber that falls behind is resynced.
// Size policy: the PTY follows the newest attached client; when it leaves,
// the previous attached client's size comes back; when none is left the size
// stays as it is (like tmux keeping the last size).
// The record (jobs/<id>/state.json) is written on start, on the first output
// or input, on rename and on exit, never per output. A write that fails is
// reported to whoever asked and tried again until it is on disk.
#include "mux/host/session_host.h"

#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <vector>

#include "mux/store/atomic_file.h"
#include "mux/sys/process_info.h"
#include "mux/wire/protocol.h"
#include "mux/store/roster.h"
#include "mux/store/session_env.h"
#include "keymap/chord.h"
#include "mux/agents/state_tracker.h"
#include "pty/pty.h"
#include "render/redraw.h"
#include "render/screen.h"
#include "render/text_dump.h"
#include "render/tile.h"

extern char** environ;

namespace amux::mux {

using nlohmann::json;

namespace {

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
constexpr int64_t kDetailSaveMs = 1000;       // a detail-only change is written at most this often
constexpr uint64_t kHelloTimeoutMs = 5000;     // a connection that has not said Hello by then is closed
constexpr size_t kReplyQueueLimit = 4u << 20;  // replies a client has not read: then it is let go
constexpr uint64_t kSaveRetryMs = 1000;        // a record that could not be written is tried again

int64_t mono_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// One line for a row: control characters dropped, runs of blanks kept.
std::string clean_line(std::string s) {
  std::string out;
  for (unsigned char ch : s)
    if (ch >= 0x20 && ch != 0x7f) out.push_back(char(ch));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  size_t b = out.find_first_not_of(' ');
  return b == std::string::npos ? "" : out.substr(b);
}

// Keep a text answer well inside one frame: drop whole lines from the front.
std::string fit_text(std::string text) {
  constexpr size_t kMaxText = kMaxFrame - (256u << 10);
  if (text.size() <= kMaxText) return text;
  size_t cut = text.size() - kMaxText;
  size_t nl = text.find('\n', cut);
  return nl == std::string::npos ? text.substr(cut) : text.substr(nl + 1);
}

// Text of a row's cells, trailing blanks trimmed.
std::string cells_text(const render::Screen& s, const std::vector<render::Cell>& cells) {
  std::string out;
  for (const auto& c : cells) {
    if (c.ch == render::kWideTail) continue;
    if (c.ch == render::kBlank) {
      out.push_back(' ');
      continue;
    }
    std::string t = s.cell_text(c);
    out += t.empty() ? " " : t;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

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

  uv_pipe_t pty_pipe{};
  uv_pipe_t server{};
  uv_signal_t sig_chld{}, sig_term{}, sig_int{}, sig_hup{};
  uv_timer_t frame_timer{}, kill_timer{}, drain_timer{}, linger_timer{}, probe_timer{}, watch_timer{}, idle_timer{},
      hello_timer{}, save_timer{};
  uv_timer_t esc_timer{};  // the escape time of keys read from clients' terminals
  bool pty_pipe_open = false, server_open = false;
  int open_handles = 0;
  bool closed_all = false;

  std::vector<std::unique_ptr<Conn>> conns;
  std::vector<Conn*> attach_stack;  // newest last
  std::vector<Conn*> stop_waiters;
  // Not zero-filled: an idle host should not hold 64 KiB it never read into.
  std::unique_ptr<char[]> read_buf = std::make_unique_for_overwrite<char[]>(kReadBufSize);

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
  pty::TtyProbeCache probe_cache;
  uint64_t probe_delay = kProbeMinMs;
  bool output_since_probe = false;
  int64_t detail_saved_ms = 0;
  bool idle_stopped = false;  // stopped by the idle_agent rule (DESIGN.md §8)

  Impl(uv_loop_t* l, HostOptions o) : loop(l), opts(std::move(o)) {
    for (uv_timer_t* t : {&frame_timer, &kill_timer, &drain_timer, &linger_timer, &probe_timer, &watch_timer, &idle_timer, &hello_timer, &save_timer, &esc_timer}) {
      uv_timer_init(loop, t);
      t->data = this;
      ++open_handles;
    }
    for (uv_signal_t* s : {&sig_chld, &sig_term, &sig_int, &sig_hup}) {
      uv_signal_init(loop, s);
      s->data = this;
      ++open_handles;
    }
  }

  void log(const std::string& msg) const {
    std::fprintf(stderr, "amux host %s: %s\n", opts.id.c_str(), msg.c_str());
  }

  bool child_alive() const { return pty && !pty->reaped(); }

  // ---- startup -----------------------------------------------------------

  void report_ready(const std::string& line) {
    if (opts.ready_fd < 0) return;
    std::string_view rest(line);
    while (!rest.empty()) {
      ssize_t n = ::write(opts.ready_fd, rest.data(), rest.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      rest.remove_prefix(size_t(n));
    }
    ::close(opts.ready_fd);
    opts.ready_fd = -1;
  }

  std::string start() {
    auto fail = [&](const std::string& err) {
      report_ready("error: " + err + "\n");
      close_all();
      return err;
    };
    // A client that disconnects mid-write must not kill the host.
    ::signal(SIGPIPE, SIG_IGN);
    if (std::string e = opts.paths.ensure(); !e.empty()) return fail(e);
    std::string err;
    auto loaded = load_record(opts.paths, opts.id, &err);
    if (!loaded) return fail(err);
    rec = std::move(*loaded);
    if (rec.id.empty()) rec.id = opts.id;
    if (rec.argv.empty()) return fail("session " + opts.id + " has no command to run");
    if (rec.rows <= 0 || rec.cols <= 0) {
      rec.rows = 50;
      rec.cols = 200;
    }
    rec.rows = std::min(rec.rows, kMaxRows);
    rec.cols = std::min(rec.cols, kMaxCols);

    if (std::string e = listen_socket(); !e.empty()) return fail(e);

    render::Screen::Options so;
    so.rows = rec.rows;
    so.cols = rec.cols;
    so.scrollback_lines = opts.scrollback_lines;
    screen = std::make_unique<render::Screen>(so);
    screen->on_output = [this](std::string_view b) { write_pty(b); };
    screen->on_bell = [this]() { tracker.on_notification("", mono_ms()); schedule_probe(0); };
    screen->on_notification = [this](const render::Notification& n) {
      std::string text = n.body.empty() ? n.title : n.title.empty() ? n.body : n.title + ": " + n.body;
      tracker.on_notification(clean_line(text), mono_ms());
      schedule_probe(0);
    };
    load_profile();

    uv_signal_start(&sig_chld, [](uv_signal_t* s, int) { self(s)->on_sigchld(); }, SIGCHLD);
    for (uv_signal_t* s : {&sig_term, &sig_int, &sig_hup})
      uv_signal_start(s, [](uv_signal_t* h, int signum) { self(h)->on_host_signal(signum); },
                      s == &sig_term ? SIGTERM : s == &sig_int ? SIGINT : SIGHUP);

    pty::SpawnOptions sp;
    sp.argv = rec.argv;
    sp.cwd = rec.cwd;
    // The dispatching command's environment (jobs/<id>/env); a session
    // dispatched without one gets the host's own.
    std::vector<std::string> base;
    if (auto stored = load_session_env(opts.paths, rec.id)) base = std::move(*stored);
    else for (char** e = environ; e && *e; ++e) base.emplace_back(*e);
    sp.env = session_environment(base, rec.env, opts.paths, rec.id);
    sp.rows = rec.rows;
    sp.cols = rec.cols;
    try {
      pty.emplace(pty::Pty::spawn(sp));
    } catch (const std::exception& e) {
      rec.state = SessionState::Failed;
      rec.detail = std::string("could not start: ") + e.what();
      rec.finished_at = now_ms();
      save();
      return fail(rec.detail);
    }

    int dupfd = ::fcntl(pty->master_fd(), F_DUPFD_CLOEXEC, 0);
    if (dupfd < 0) return fail(std::string("dup: ") + std::strerror(errno));
    uv_pipe_init(loop, &pty_pipe, 0);
    pty_pipe.data = this;
    ++open_handles;
    pty_pipe_open = true;
    if (int rc = uv_pipe_open(&pty_pipe, dupfd); rc < 0) {
      ::close(dupfd);
      return fail(std::string("cannot watch the terminal: ") + uv_strerror(rc));
    }
    uv_read_start(reinterpret_cast<uv_stream_t*>(&pty_pipe), on_pty_alloc, on_pty_read);

    rec.state = SessionState::Working;
    rec.detail.clear();
    rec.waiting_for.clear();
    rec.pid = pty->pid();
    rec.host_pid = int(::getpid());
    rec.host_start_time = process_start_time(::getpid());
    rec.socket = opts.paths.host_socket(rec.id);
    rec.started_at = now_ms();
    rec.finished_at = 0;
    rec.exit_code.reset();
    rec.signal.reset();
    save();
    // In case the child was gone before the watcher saw its SIGCHLD.
    on_sigchld();
    schedule_probe(kProbeMinMs);
    report_ready("ok\n");
    return "";
  }

  std::string listen_socket() {
    const std::string path = opts.paths.host_socket(opts.id);
    if (path.size() > max_socket_path())
      return "socket path too long (" + std::to_string(path.size()) + " > " +
             std::to_string(max_socket_path()) + " bytes): " + path;
    if (socket_in_use(path)) return "session " + opts.id + " already has a host at " + path;
    ::unlink(path.c_str());
    uv_pipe_init(loop, &server, 0);
    server.data = this;
    ++open_handles;
    server_open = true;
    if (int rc = uv_pipe_bind(&server, path.c_str()); rc < 0)
      return "cannot bind " + path + ": " + uv_strerror(rc);
    ::chmod(path.c_str(), 0600);
    if (int rc = uv_listen(reinterpret_cast<uv_stream_t*>(&server), 64, on_connection); rc < 0)
      return "cannot listen on " + path + ": " + uv_strerror(rc);
    return "";
  }

  // True when something accepts connections at path (a live host).
  static bool socket_in_use(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    bool live = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return live;
  }

  // Write the record. The host owns the live fields (state, detail, pid,
  // size, times, exit); the rest (name, worktree, unknown keys such as the
  // supervisor's) is taken from the file first, so a rename or pin made by
  // someone else meanwhile is not undone. own_name: this write is a rename.
  // Returns "" or the error. A record that could not be written (disk full)
  // is written again every second until it is, and subscribers hear only
  // of what is on disk.
  std::string save(bool own_name = false) {
    if (auto disk = load_record(opts.paths, rec.id)) {
      if (!own_name) {
        rec.name = disk->name;
        rec.name_source = disk->name_source;
      }
      rec.kind = disk->kind;
      rec.agent = disk->agent;
      rec.prompt = disk->prompt;
      rec.resume_argv = disk->resume_argv;
      rec.session_uuid = disk->session_uuid;
      rec.worktree = disk->worktree;
      rec.created_at = disk->created_at;
      rec.extra = disk->extra;
      if (idle_stopped) rec.extra["idleStopped"] = true;
      else rec.extra.erase("idleStopped");
    }
    if (int rc = save_record(opts.paths, rec); rc < 0) {
      std::string err = "cannot write " + opts.paths.state_file(rec.id) + ": " + std::strerror(-rc);
      if (!record_unsaved) log(err);
      record_unsaved = true;
      last_save_error = err;
      if (!closed_all && !uv_is_active(reinterpret_cast<uv_handle_t*>(&save_timer)))
        uv_timer_start(&save_timer, [](uv_timer_t* t) { self(t)->retry_save(); }, kSaveRetryMs, 0);
      return err;
    }
    if (record_unsaved) log("the record is written again");
    record_unsaved = false;
    publish();
    return "";
  }
  bool record_unsaved = false;
  std::string last_save_error;

  void retry_save() {
    if (record_unsaved) save();
  }

  // Send the record to every subscriber (the supervisor).
  void publish() {
    bool any = false;
    for (auto& c : conns) any |= c->subscribed && !c->closing;
    if (!any) return;
    const json ev = {{"record", rec.to_json()}};
    for (auto& c : conns) {
      if (!c->subscribed || c->closing) continue;
      // A subscriber that does not read misses events; it gets the record
      // as it is then once it has read what was queued (on_write).
      if (queue_size(c.get()) > opts.client_queue_limit) {
        c->sub_behind = true;
        continue;
      }
      send_json(c.get(), MsgType::Event, ev);
    }
  }

  // ---- state detection ------------------------------------------------------

  // The launcher resolved the agent's patterns (host_spec.h): the host
  // reads no agents.toml itself.
  void load_profile() {
    StateTracker::Options o;
    o.hold_ms = opts.state_hold_ms;
    if (!rec.agent.empty() && rec.kind != "shell") {
      if (!opts.screen_note.empty()) log("no screen patterns: " + opts.screen_note);
      o.settle_ms = opts.screen.settle_ms;
      use_patterns = !opts.screen.empty();
      o.count_repaints = false;  // an agent's animation is not work (note_growth)
    }
    tracker = StateTracker(o);
  }

  // Run the probe after `delay` ms, or sooner if it is already due sooner.
  void schedule_probe(uint64_t delay) {
    if (closed_all || !child_alive()) return;
    auto* t = reinterpret_cast<uv_handle_t*>(&probe_timer);
    if (uv_is_active(t) && uv_timer_get_due_in(&probe_timer) <= delay) return;
    uv_timer_start(&probe_timer, [](uv_timer_t* tm) { self(tm)->on_probe_tick(); }, delay, 0);
  }

  // Did the output since the last probe add to the screen (a row painted
  // for the first time since the screen was last blank, or lines scrolled
  // off) or only repaint rows already painted (an animation)? Only the
  // former counts as work for an agent that reads its terminal.
  std::vector<bool> painted_rows;
  size_t scrolled_seen = 0;
  void note_growth() {
    const int rows = screen->rows();
    if (painted_rows.size() != size_t(rows)) painted_rows.assign(size_t(rows), false);
    bool grew = screen->total_lines_scrolled() != scrolled_seen, any = false;
    scrolled_seen = screen->total_lines_scrolled();
    std::vector<bool> now(size_t(rows), false);
    for (int r = 0; r < rows; ++r) {
      now[size_t(r)] = !cells_text(*screen, screen->row(r).cells).empty();
      any = any || now[size_t(r)];
      if (now[size_t(r)] && !painted_rows[size_t(r)]) grew = true, painted_rows[size_t(r)] = true;
    }
    if (!any) painted_rows.assign(size_t(rows), false);  // cleared: the next paint is new
    if (grew) tracker.on_growth(last_output_ms);
  }

  std::vector<std::string> screen_lines() const {
    std::vector<std::string> lines;
    lines.reserve(size_t(screen->rows()));
    for (int r = 0; r < screen->rows(); ++r) lines.push_back(cells_text(*screen, screen->row(r).cells));
    return lines;
  }

  void on_probe_tick() {
    if (!child_alive() || finished) return;
    const int64_t now = mono_ms();
    tracker.on_probe(pty::probe_tty_read(pty->master_fd(), pty->slave_path(), &probe_cache).state, now);
    if (output_since_probe) note_growth();
    if (use_patterns && pattern_seq == screen->seq() && pattern_seq != 0) {
      tracker.on_screen(pattern_verdict, now);  // same screen, same verdict
    } else if (use_patterns) {
      pattern_seq = screen->seq();
      pattern_verdict = match_screen(opts.screen, screen_lines());
      tracker.on_screen(pattern_verdict, now);
    }
    update_state(now);
    // Quick again while output flows or a pattern is settling; slower when quiet.
    // Blocked or idle ends with input (which probes at once) or output, so
    // a quiet session there is probed rarely; a silent working one is
    // watched closer, as it may start reading without printing anything.
    const uint64_t cap = rec.state == SessionState::Working ? kProbeMaxMs : kProbeQuietMaxMs;
    probe_delay = output_since_probe ? kProbeMinMs : std::min(probe_delay * 2, cap);
    if (use_patterns && tracker.settling() && probe_delay > uint64_t(opts.screen.settle_ms)) {
      // a pattern seen but not settled yet must be looked at again in time
      probe_delay = std::max<uint64_t>(kProbeMinMs, std::min<uint64_t>(probe_delay, uint64_t(opts.screen.settle_ms) + 50));
    }
    // Once a burst of output is over, hand the heap's free pages back (the
    // buffers a burst needed, e.g. while scrollback chunks were being filled):
    // an idle host should hold only what it keeps.
    if (output_since_probe) {
      trim_due = true;
    } else if (trim_due) {
      trim_due = false;
      ::malloc_trim(0);
    }
    output_since_probe = false;
    schedule_probe(probe_delay);
  }

  // The detail shown in the row: what the tracker has, else the question on
  // screen (the profile's question patterns), else the title, else the last
  // meaningful line.
  std::string live_detail(const TrackedState& t) {
    if (!t.detail.empty()) return clean_line(t.detail);
    // Worked out again only when the screen changed: a quiet session's
    // probes then cost no screen scan.
    if (detail_seq != screen->seq() || detail_cache_empty) {
      detail_seq = screen->seq();
      detail_cache_empty = false;
      std::string title = clean_line(screen->title());
      std::string question = use_patterns ? clean_line(question_line(opts.screen, screen_lines())) : "";
      detail_cache = !question.empty() ? question
                     : !title.empty()  ? title
                                       : clean_line(render::last_meaningful_line(*screen));
    }
    return detail_cache;
  }
  int64_t last_output_ms = 0;
  uint64_t pattern_seq = 0;
  std::optional<SessionState> pattern_verdict;
  uint64_t detail_seq = 0;
  bool detail_cache_empty = true;
  std::string detail_cache;

  void update_state(int64_t now) {
    if (finished || !child_alive()) return;
    TrackedState t = tracker.current(now);
    // A state held back (output activity or the probe alone) is looked at
    // again when it would have held long enough.
    if (auto due = tracker.hold_until()) schedule_probe(uint64_t(std::max<int64_t>(0, *due - now)) + 5);
    std::string waiting = t.waiting_for;
    if (t.state == SessionState::Blocked && t.source == "screen") waiting = "permission";
    std::string detail = live_detail(t);
    const bool major = rec.state != t.state || rec.waiting_for != waiting;
    const bool minor = rec.detail != detail;
    if (!major && !minor) return;
    if (!major && now - detail_saved_ms < kDetailSaveMs) return;  // the next tick writes it
    if (major) log(std::string("state ") + state_name(t.state) + " (" + t.source + ")");
    rec.state = t.state;
    rec.waiting_for = t.state == SessionState::Blocked ? waiting : "";
    rec.detail = detail;
    rec.updated_at = now_ms();
    detail_saved_ms = now;
    save();
    if (major) arm_idle_timer();
  }

  // DESIGN.md §8: an agent session idle for idle_agent seconds has its
  // process stopped (record kept, attach/peek/reply resumes it), unless it
  // is pinned or someone is attached.
  void arm_idle_timer() {
    if (rec.kind == "shell" || rec.state != SessionState::Idle) {
      uv_timer_stop(&idle_timer);
      return;
    }
    uint64_t ms = uint64_t(std::max(0.0, opts.idle_agent_seconds) * 1000.0);
    uv_timer_start(&idle_timer, [](uv_timer_t* t) { self(t)->on_idle_timeout(); }, ms, 0);
  }

  void on_idle_timeout() {
    if (finished || rec.state != SessionState::Idle) return;
    if (!attach_stack.empty() || load_pins(opts.paths).count(rec.id)) {
      uv_timer_start(&idle_timer, [](uv_timer_t* t) { self(t)->on_idle_timeout(); }, 60000, 0);
      return;
    }
    log("idle for " + std::to_string(int(opts.idle_agent_seconds)) + " s: stopping the agent (attach resumes it)");
    idle_stopped = true;
    shutdown_requested = true;  // nothing to linger for: the record keeps the session
    stop_child();
  }


  template <typename H>
  static Impl* self(H* h) {
    return static_cast<Impl*>(h->data);
  }

  // ---- the PTY -----------------------------------------------------------

  // The PTY and every client share one read buffer: a read callback consumes
  // it before libuv asks for the next one.
  static void on_pty_alloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
    *buf = uv_buf_init(self(h)->read_buf.get(), unsigned(kReadBufSize));
  }
  static void on_conn_alloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
    *buf = uv_buf_init(static_cast<Conn*>(h->data)->host->read_buf.get(), unsigned(kReadBufSize));
  }

  static void on_pty_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
    Impl* h = self(s);
    if (n > 0) h->on_output(std::string_view(buf->base, size_t(n)));
    else if (n < 0) h->on_output_end();  // EOF, EIO or any error: the end
  }

  void on_output(std::string_view bytes) {
    bytes_since_frame += bytes.size();
    last_output_ms = mono_ms();
    tracker.on_output(last_output_ms);  // first: a notification in these bytes comes after it
    screen->feed(bytes);
    note_work();
    if (!output_since_probe) {
      output_since_probe = true;
      probe_delay = kProbeMinMs;
      schedule_probe(kProbeMinMs);
    }
    schedule_frame();
    schedule_watch();
  }

  // A person typed or replied.
  void on_person_input() {
    note_work();
    tracker.on_input(mono_ms());
    probe_delay = kProbeMinMs;
    schedule_probe(kProbeMinMs);
  }

  void note_work() {
    if (rec.had_work) return;
    rec.had_work = true;
    save();
  }

  // libuv 1.44 reports UV_EOF as soon as POLLHUP (slave closed) comes with
  // a short read, while the master may still hold the last few KiB; read
  // them directly. With the slave closed the kernel returns data, then EIO.
  void on_output_end() {
    if (pty_pipe_open) uv_read_stop(reinterpret_cast<uv_stream_t*>(&pty_pipe));
    drain_pty();
    output_done = true;
    if (exit_status) finish();
  }

  // Feed whatever the master holds right now (bounded, in case a writer is
  // still active).
  void drain_pty() {
    if (!pty || pty->master_fd() < 0) return;
    std::string out;
    size_t total = 0;
    while (total < (16u << 20)) {
      out.clear();
      ssize_t n = pty->read_available(out);
      if (n <= 0) break;
      total += size_t(n);
      on_output(out);
    }
  }

  // Write bytes for the program; dropped (with a log line) when the child is
  // gone or stopped reading and too much is queued.
  void write_pty(std::string_view data) {
    if (!child_alive() || !pty_pipe_open || data.empty() ||
        uv_is_closing(reinterpret_cast<uv_handle_t*>(&pty_pipe)))
      return;
    auto* stream = reinterpret_cast<uv_stream_t*>(&pty_pipe);
    if (uv_stream_get_write_queue_size(stream) > kPtyQueueLimit) {
      log("the program does not read its input; dropped " + std::to_string(data.size()) +
          " bytes");
      return;
    }
    write_stream(stream, std::string(data), nullptr);
  }

  void on_sigchld() {
    if (!child_alive()) return;
    auto st = pty->try_wait();
    if (!st) return;
    exit_status = st;
    uv_timer_stop(&kill_timer);
    if (output_done) {
      finish();
    } else {
      // Normally EIO follows at once; a leftover process that keeps the
      // terminal open must not keep the session alive.
      uv_timer_start(&drain_timer, [](uv_timer_t* t) { self(t)->drain_and_finish(); },
                     kDrainGraceMs, 0);
    }
  }

  void drain_and_finish() {
    if (finished) return;
    drain_pty();
    finish();
  }

  // The child is reaped and its output is in: record the end, tell everyone.
  void finish() {
    if (finished) return;
    finished = true;
    uv_timer_stop(&drain_timer);
    uv_timer_stop(&kill_timer);
    if (pty_pipe_open && !uv_is_closing(reinterpret_cast<uv_handle_t*>(&pty_pipe)))
      uv_close(reinterpret_cast<uv_handle_t*>(&pty_pipe), on_handle_closed);
    if (pty) pty->close_master();

    const pty::ExitStatus st = exit_status.value_or(pty::ExitStatus{});
    const std::string last = render::last_meaningful_line(*screen);
    rec.pid = 0;
    rec.finished_at = now_ms();
    rec.waiting_for.clear();
    if (st.signaled) {
      rec.signal = st.signal;
      rec.exit_code.reset();
    } else {
      rec.exit_code = st.code;
      rec.signal.reset();
    }
    if (idle_stopped) {
      rec.state = SessionState::Done;  // the turn was over; attach resumes the conversation
      if (rec.detail.empty()) rec.detail = last;
    } else if (stop_requested) {
      rec.state = SessionState::Stopped;
      rec.detail = "stopped";
    } else if (st.success()) {
      rec.state = SessionState::Done;
      rec.detail = last.empty() ? "(no output)" : last;
    } else {
      rec.state = SessionState::Failed;
      rec.detail = st.describe() + (last.empty() ? "" : " — " + last);
    }
    const std::string save_err = save();

    const json ex = exit_summary();
    for (Conn* c : std::vector<Conn*>(attach_stack)) {
      send_frame(c, true);
      send_exited(c, ex);
    }
    for (auto& c : conns) {
      if (c->closing || !c->following) continue;
      follow_emit(c.get(), true);
      json ev = ex;
      ev["exited"] = true;
      send_json(c.get(), MsgType::Event, ev);
      close_conn(c.get(), true);
    }
    auto waiters = std::move(stop_waiters);
    stop_waiters.clear();
    for (Conn* c : waiters) {
      if (save_err.empty()) respond(c, {{"ok", true}, {"record", rec.to_json()}});
      else respond(c, {{"ok", false}, {"error", "the session ended, but " + save_err}});
    }

    if (shutdown_requested) close_all();
    else start_linger();
  }

  json exit_summary() const {
    json j = {{"state", state_name(rec.state)}, {"detail", rec.detail}};
    if (rec.exit_code) j["exitCode"] = *rec.exit_code;
    if (rec.signal) j["signal"] = *rec.signal;
    return j;
  }

  double linger_for_state() const {
    return rec.state == SessionState::Stopped ? opts.stopped_linger_seconds : opts.linger_seconds;
  }

  void start_linger() {
    double s = std::max(0.0, linger_for_state());
    uv_timer_start(&linger_timer, [](uv_timer_t* t) { self(t)->on_linger_end(); },
                   uint64_t(s * 1000.0), 0);
  }

  void on_linger_end() {
    if (record_unsaved && !shutdown_requested) save();
    if (!attach_stack.empty() || (record_unsaved && !shutdown_requested)) {
      // Someone is still looking at the final screen, or the final record
      // is not on disk yet (the disk is full); check again later.
      uint64_t ms = std::max<uint64_t>(1000, uint64_t(std::max(0.0, linger_for_state()) * 1000));
      uv_timer_start(&linger_timer, [](uv_timer_t* t) { self(t)->on_linger_end(); }, ms, 0);
      return;
    }
    close_all();
  }

  // SIGHUP + SIGTERM to the child's process group; SIGKILL after 3 s.
  void stop_child() {
    if (!child_alive()) return;
    stop_requested = true;
    pty->signal_group(SIGHUP);
    pty->signal_group(SIGTERM);
    if (!uv_is_active(reinterpret_cast<uv_handle_t*>(&kill_timer)))
      uv_timer_start(&kill_timer, [](uv_timer_t* t) {
        Impl* h = self(t);
        if (!h->child_alive()) return;
        h->log("the program ignored SIGHUP/SIGTERM; sending SIGKILL");
        h->pty->signal_group(SIGKILL);
        ::kill(h->pty->pid(), SIGKILL);
      }, kKillAfterMs, 0);
  }

  void on_host_signal(int signum) {
    log(std::string("got ") + pty::signal_name(signum) + "; stopping the session");
    shutdown_requested = true;
    if (finished) close_all();
    else stop_child();  // when already reaped (draining), finish() will close
  }

  // ---- writes -------------------------------------------------------------

  void write_stream(uv_stream_t* stream, std::string data, Conn* conn) {
    // Nothing queued: write at once (uv_write would also arm and disarm
    // POLLOUT, two epoll_ctl calls per key echo); queue only what is left.
    if (uv_stream_get_write_queue_size(stream) == 0) {
      uv_buf_t b = uv_buf_init(data.data(), unsigned(data.size()));
      int n = uv_try_write(stream, &b, 1);
      if (n == int(data.size())) return;
      if (n > 0) data.erase(0, size_t(n));
      else if (n != UV_EAGAIN) {
        if (conn) close_conn(conn, false);
        else log(std::string("cannot write to the terminal: ") + uv_strerror(n));
        return;
      }
    }
    auto w = std::make_unique<WriteReq>();
    w->data = std::move(data);
    w->conn = conn;
    w->req.data = w.get();
    uv_buf_t buf = uv_buf_init(w->data.data(), unsigned(w->data.size()));
    int rc = uv_write(&w->req, stream, &buf, 1, on_write);
    if (rc < 0) {
      if (conn) close_conn(conn, false);
      else log(std::string("cannot write to the terminal: ") + uv_strerror(rc));
      return;
    }
    w.release();  // on_write owns it now
  }

  static void on_write(uv_write_t* req, int status) {
    std::unique_ptr<WriteReq> w(static_cast<WriteReq*>(req->data));
    Conn* c = w->conn;
    if (!c) return;
    Impl* h = c->host;
    if (status < 0) {
      if (status != UV_ECANCELED) h->close_conn(c, false);
      return;
    }
    if (c->exited_pending && c->tty_open && h->out_queue_size(c) == 0) {
      c->exited_pending = false;
      h->send_json(c, MsgType::Exited, h->exit_summary());
    }
    if (c->behind && !c->closing && h->out_queue_size(c) <= h->opts.client_queue_limit)
      h->schedule_frame();
    if (c->sub_behind && !c->closing && h->queue_size(c) == 0) {
      c->sub_behind = false;
      h->send_json(c, MsgType::Event, {{"record", h->rec.to_json()}});
    }
  }

  size_t queue_size(Conn* c) const {
    return uv_stream_get_write_queue_size(reinterpret_cast<uv_stream_t*>(&c->pipe));
  }

  void send(Conn* c, MsgType t, std::string_view payload) {
    if (c->closing) return;
    // Frames and streamed events skip a client that falls behind (they are
    // resent from the screen); a reply cannot be skipped: a client that
    // asks without reading the answers is let go.
    if (t == MsgType::Response && queue_size(c) > kReplyQueueLimit) {
      log("closing a connection that does not read its replies (" + std::to_string(queue_size(c)) +
          " bytes queued)");
      close_conn(c, false);
      return;
    }
    std::string bytes;
    try {
      bytes = encode_frame(t, payload);
    } catch (const ProtocolError& e) {
      log(e.what());
      return;
    }
    write_stream(reinterpret_cast<uv_stream_t*>(&c->pipe), std::move(bytes), c);
  }

  void send_json(Conn* c, MsgType t, const json& j) {
    send(c, t, j.dump(-1, ' ', false, json::error_handler_t::replace));
  }

  void respond(Conn* c, const json& j) { send_json(c, MsgType::Response, j); }

  // ---- connections ----------------------------------------------------------

  static void on_connection(uv_stream_t* server, int status) {
    Impl* h = self(server);
    if (status < 0) {
      h->log(std::string("accept: ") + uv_strerror(status));
      return;
    }
    auto c = std::make_unique<Conn>();
    c->host = h;
    uv_pipe_init(h->loop, &c->pipe, 1);  // ipc: Attach may carry a terminal fd
    c->pipe.data = c.get();
    ++h->open_handles;
    Conn* cp = c.get();
    h->conns.push_back(std::move(c));
    if (uv_accept(server, reinterpret_cast<uv_stream_t*>(&cp->pipe)) < 0) {
      h->close_conn(cp, false);
      return;
    }
    uv_os_fd_t fd;
    ucred cred{};
    socklen_t len = sizeof cred;
    if (uv_fileno(reinterpret_cast<uv_handle_t*>(&cp->pipe), &fd) < 0 ||
        ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != ::getuid()) {
      h->log("refused a connection from uid " + std::to_string(cred.uid));
      h->close_conn(cp, false);
      return;
    }
    uv_read_start(reinterpret_cast<uv_stream_t*>(&cp->pipe), on_conn_alloc, on_conn_read);
    cp->accepted_ms = uv_now(h->loop);
    h->schedule_hello_check();
  }

  // Close connections that have not said Hello within kHelloTimeoutMs (a
  // silent connection would be kept forever); one timer for all of them.
  void schedule_hello_check() {
    if (closed_all) return;
    const uint64_t now = uv_now(loop);
    uint64_t next = ~uint64_t(0);
    for (auto& c : conns) {
      if (c->greeted || c->closing) continue;
      uint64_t due = c->accepted_ms + kHelloTimeoutMs;
      next = std::min(next, due > now ? due - now : 0);
    }
    if (next == ~uint64_t(0)) {
      uv_timer_stop(&hello_timer);
      return;
    }
    uv_timer_start(&hello_timer, [](uv_timer_t* t) { self(t)->on_hello_check(); }, next, 0);
  }

  void on_hello_check() {
    const uint64_t now = uv_now(loop);
    std::vector<Conn*> late;
    for (auto& c : conns)
      if (!c->greeted && !c->closing && now >= c->accepted_ms + kHelloTimeoutMs) late.push_back(c.get());
    for (Conn* c : late) {
      log("closing a connection that said nothing for " + std::to_string(kHelloTimeoutMs / 1000) + " s");
      close_conn(c, false);
    }
    schedule_hello_check();
  }

  static void on_conn_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
    Conn* c = static_cast<Conn*>(s->data);
    Impl* h = c->host;
    if (n < 0) {
      h->close_conn(c, false);
      return;
    }
    if (n == 0 || c->closing) return;
    c->dec.append(std::string_view(buf->base, size_t(n)));
    try {
      while (!c->closing) {
        auto f = c->dec.next();
        if (!f) break;
        h->on_frame(c, *f);
      }
      // Only Attach may carry a file descriptor (closing the pipe closes any
      // left pending).
      if (!c->closing && uv_pipe_pending_count(&c->pipe) > 0)
        h->fail_conn(c, "a file descriptor came without Attach");
    } catch (const std::exception& e) {
      h->log(std::string("closing a connection: ") + e.what());
      h->close_conn(c, false);
    }
  }

  // Close one connection. flush: let queued frames reach the peer first.
  void close_conn(Conn* c, bool flush) {
    if (c->closing) return;
    c->closing = true;
    c->following = false;
    stop_waiters.erase(std::remove(stop_waiters.begin(), stop_waiters.end(), c),
                       stop_waiters.end());
    if (c->attached) detach(c);
    close_tty(c);
    auto* stream = reinterpret_cast<uv_stream_t*>(&c->pipe);
    uv_read_stop(stream);
    if (flush && queue_size(c) > 0) {
      auto req = std::make_unique<uv_shutdown_t>();
      if (uv_shutdown(req.get(), stream, [](uv_shutdown_t* r, int) {
            std::unique_ptr<uv_shutdown_t> own(r);
            auto* hd = reinterpret_cast<uv_handle_t*>(r->handle);
            if (!uv_is_closing(hd)) uv_close(hd, on_conn_closed);
          }) == 0) {
        req.release();
        return;
      }
    }
    uv_close(reinterpret_cast<uv_handle_t*>(&c->pipe), on_conn_closed);
  }

  // Close callback of both handles of a connection (pipe, tty): the last
  // one frees it.
  static void on_conn_closed(uv_handle_t* hd) {
    Conn* c = static_cast<Conn*>(hd->data);
    Impl* h = c->host;
    --h->open_handles;
    if (--c->handles > 0) return;  // its other handle is still closing
    auto it = std::find_if(h->conns.begin(), h->conns.end(),
                           [c](const std::unique_ptr<Conn>& p) { return p.get() == c; });
    if (it != h->conns.end()) h->conns.erase(it);
  }

  static void on_handle_closed(uv_handle_t* hd) { --self(hd)->open_handles; }

  // ---- direct output --------------------------------------------------------

  // Takes the terminal fd that came with Attach. Anything but a tty stays
  // pending (and fails the connection).
  void take_tty(Conn* c) {
    if (c->tty_open || uv_pipe_pending_count(&c->pipe) == 0) return;
    if (uv_pipe_pending_type(&c->pipe) != UV_TTY) return;
    uv_pipe_init(loop, &c->tty, 0);
    c->tty.data = c;
    ++c->handles;
    ++open_handles;
    c->tty_open = true;
    uv_os_fd_t fd = -1;
    if (uv_accept(reinterpret_cast<uv_stream_t*>(&c->pipe), reinterpret_cast<uv_stream_t*>(&c->tty)) < 0 ||
        uv_fileno(reinterpret_cast<uv_handle_t*>(&c->tty), &fd) < 0 || !::isatty(fd)) {
      close_tty(c);
      return;
    }
    // The client opened this description for us alone: never block on it.
    int fl = ::fcntl(fd, F_GETFL);
    if (fl < 0 || ::fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) close_tty(c);
  }

  void close_tty(Conn* c) {
    c->tty_reading = false;
    if (!c->tty_open) return;
    c->tty_open = false;
    c->exited_pending = false;
    uv_close(reinterpret_cast<uv_handle_t*>(&c->tty), on_conn_closed);  // drops queued frames
  }

  // Bytes waiting to reach an attached client's terminal.
  size_t out_queue_size(Conn* c) const {
    if (!c->tty_open) return queue_size(c);
    return uv_stream_get_write_queue_size(reinterpret_cast<const uv_stream_t*>(&c->tty));
  }

  // Exited goes through the socket; with direct output it waits until the
  // frames before it are on the terminal, and no frame follows it.
  void send_exited(Conn* c, const json& ex) {
    stop_tty_input(c);  // "press any key": the client reads its keys again
    if (c->tty_open) {
      c->exited_sent = true;
      if (out_queue_size(c) > 0) {
        c->exited_pending = true;
        return;
      }
    }
    send_json(c, MsgType::Exited, ex);
  }

  // Reads the keys from the client's terminal (direct input). Any problem
  // with the bindings leaves the reading to the client, which then sends
  // Input as without a terminal.
  void start_tty_input(Conn* c, const json& j) {
    std::vector<keymap::Binding> bindings;
    try {
      for (const auto& b : j.at("bindings"))
        bindings.push_back({b.at("keys").get<std::string>(), b.at("action").get<std::string>()});
      c->chords = std::make_unique<keymap::ChordMatcher>(bindings);
    } catch (const std::exception& e) {
      log(std::string("attach: not reading the terminal: ") + e.what());
      return;
    }
    if (finished) return;  // the session is over: the client reads its keys
    if (uv_read_start(reinterpret_cast<uv_stream_t*>(&c->tty), on_conn_alloc, on_tty_read) == 0)
      c->tty_reading = true;
  }

  void stop_tty_input(Conn* c) {
    if (!c->tty_reading) return;
    c->tty_reading = false;
    if (c->tty_open) uv_read_stop(reinterpret_cast<uv_stream_t*>(&c->tty));
  }

  static void on_tty_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
    Conn* c = static_cast<Conn*>(s->data);
    Impl* h = c->host;
    if (n < 0) {  // the terminal is gone
      h->close_conn(c, false);
      return;
    }
    if (n == 0 || c->closing || !c->tty_reading) return;
    if (!h->on_tty_keys(c, c->chords->feed(std::string_view(buf->base, size_t(n))))) return;
    // The start of a key's escape sequence (a lone ESC) goes to the program
    // if nothing follows within the escape time; a prefix key waits.
    if (!c->chords->expiring()) {
      c->esc_due = 0;
    } else if (c->esc_due == 0) {
      c->esc_due = uv_now(h->loop) + uint64_t(h->opts.escape_time_ms);
      h->arm_esc_timer();
    }
  }

  // Keys matched on a client's terminal. False when the client left.
  bool on_tty_keys(Conn* c, const std::vector<keymap::ChordMatcher::Event>& events) {
    for (auto& ev : events) {
      if (ev.kind == keymap::ChordMatcher::Event::Passthrough) {
        on_person_input();
        write_pty(ev.data);
      } else if (ev.data == "send-prefix") {
        on_person_input();
        write_pty(c->chords->prefix());
      } else {
        c->esc_due = 0;
        leave(c, ev.data);
        return false;
      }
    }
    return true;
  }

  // One timer serves every client reading keys: it fires at the earliest due.
  void arm_esc_timer() {
    if (closed_all) return;
    uint64_t due = 0;
    for (auto& c : conns)
      if (c->esc_due && !c->closing && (due == 0 || c->esc_due < due)) due = c->esc_due;
    if (due == 0) {
      uv_timer_stop(&esc_timer);
      return;
    }
    const uint64_t now = uv_now(loop);
    uv_timer_start(&esc_timer, [](uv_timer_t* t) { self(t)->on_esc_time(); }, due > now ? due - now : 0, 0);
  }

  void on_esc_time() {
    const uint64_t now = uv_now(loop);
    std::vector<Conn*> due;
    for (auto& c : conns)
      if (c->esc_due && c->esc_due <= now) due.push_back(c.get());
    for (Conn* c : due) {
      c->esc_due = 0;
      if (c->closing || !c->tty_reading || !c->chords) continue;
      on_tty_keys(c, c->chords->flush());
    }
    arm_esc_timer();
  }

  // A binding was typed on a terminal the host reads: let go of it and tell
  // the client what to do.
  void leave(Conn* c, const std::string& action) {
    stop_tty_input(c);
    if (c->attached) detach(c);
    close_tty(c);
    send_json(c, MsgType::Leave, {{"action", action}});
  }

  void fail_conn(Conn* c, const std::string& err) {
    log("closing a connection: " + err);
    send_json(c, MsgType::Error, {{"error", err}});
    close_conn(c, true);
  }

  void on_frame(Conn* c, const Frame& f) {
    if (!c->greeted) {
      if (f.type != MsgType::Hello)
        return fail_conn(c, std::string("expected Hello, got ") + msg_type_name(f.type));
      if (std::string err = check_hello(f.json()); !err.empty()) return fail_conn(c, err);
      c->greeted = true;
      send_json(c, MsgType::Welcome,
                {{"proto", kProtocolVersion},
                 {"server", "host"},
                 {"id", rec.id},
                 {"pid", int(::getpid())}});
      return;
    }
    switch (f.type) {
      case MsgType::Request: return on_request(c, f.json());
      case MsgType::Attach: return on_attach(c, f.json());
      case MsgType::Resize: return on_resize(c, f.json());
      case MsgType::Detach:
        if (c->attached) detach(c);
        if (c->tty_open) {
          // The client restores its terminal once told that no frame can
          // reach it any more.
          close_tty(c);
          respond(c, {{"ok", true}, {"detached", true}});
        }
        return;
      case MsgType::Input:
        if (f.payload.size() > kMaxInputFrame)
          throw ProtocolError("Input frame of " + std::to_string(f.payload.size()) +
                              " bytes exceeds the limit");
        on_person_input();
        write_pty(f.payload);
        return;
      default:
        throw ProtocolError(std::string("unexpected ") + msg_type_name(f.type) + " frame");
    }
  }

  // ---- requests -------------------------------------------------------------

  void on_request(Conn* c, const json& req) {
    json resp;
    try {
      resp = handle_request(c, req);
    } catch (const json::exception& e) {
      resp = {{"ok", false}, {"error", std::string("bad request: ") + e.what()}};
    }
    if (!resp.is_null()) respond(c, resp);
  }

  // Returns the response, or null when it is sent later.
  json handle_request(Conn* c, const json& req) {
    if (!req.is_object() || !req.contains("op") || !req["op"].is_string())
      return {{"ok", false}, {"error", "bad request: no op"}};
    const std::string op = req["op"].get<std::string>();
    if (op == "state") return {{"ok", true}, {"record", rec.to_json()}};  // live fields
    if (op == "capture") {
      render::DumpOptions o;
      o.sgr = req.value("sgr", false);
      return {{"ok", true}, {"text", fit_text(render::dump_screen(*screen, o))}};
    }
    if (op == "logs") {
      render::DumpOptions o;
      o.sgr = req.value("sgr", false);
      int64_t lines = req.value("lines", int64_t(0));
      return {{"ok", true},
              {"text", fit_text(render::dump_history(*screen, size_t(std::max<int64_t>(0, lines)), o))}};
    }
    if (op == "follow") return start_follow(c, req.value("lines", int64_t(0)));
    if (op == "reply" || op == "input") {
      if (!child_alive()) return {{"ok", false}, {"error", "session is not running"}};
      on_person_input();
      if (op == "reply") {
        write_pty(req.at("text").get<std::string>());
        write_pty("\r");
      } else {
        write_pty(req.at("data").get<std::string>());
      }
      return {{"ok", true}};
    }
    if (op == "stop" || op == "shutdown") {
      if (op == "shutdown") shutdown_requested = true;
      if (finished) {
        respond(c, {{"ok", true}, {"record", rec.to_json()}});
        if (shutdown_requested) close_all();
        return nullptr;
      }
      stop_child();  // when already reaped (draining), just wait for finish()
      stop_waiters.push_back(c);
      return nullptr;
    }
    if (op == "rename") {
      std::string name = req.at("name").get<std::string>();
      if (name.empty()) return {{"ok", false}, {"error", "the name is empty"}};
      const std::string old_name = rec.name, old_source = rec.name_source;
      rec.name = name;
      rec.name_source = "user";
      if (std::string err = save(true); !err.empty()) {
        rec.name = old_name;  // as on disk: the rename did not happen
        rec.name_source = old_source;
        return {{"ok", false}, {"error", err}};
      }
      return {{"ok", true}, {"record", rec.to_json()}};
    }
    if (op == "subscribe") {
      c->subscribed = true;
      return {{"ok", true}, {"record", rec.to_json()}};
    }
    if (op == "screen_watch") {
      c->watching = true;
      c->watch_rows = std::clamp(req.value("rows", 10), 1, kMaxRows);
      c->watch_cols = std::clamp(req.value("cols", 40), 1, kMaxCols);
      c->watch_interval = uint64_t(std::clamp(req.value("interval_ms", 100), 20, 10000));
      c->watch_sgr = req.value("sgr", false);
      json r = watch_json(c);
      r["ok"] = true;
      c->watch_last_ms = uv_now(loop);
      c->watch_seq = screen->seq();
      return r;
    }
    if (op == "notify") {
      auto st = parse_state(req.value("state", std::string()));
      if (!st || (*st != SessionState::Working && *st != SessionState::Blocked && *st != SessionState::Idle))
        return {{"ok", false}, {"error", "state must be working, blocked or idle"}};
      if (!child_alive()) return {{"ok", false}, {"error", "session is not running"}};
      tracker.on_notify(*st, req.value("detail", std::string()), req.value("waitingFor", std::string()),
                        mono_ms());
      note_work();
      update_state(mono_ms());
      if (record_unsaved) return {{"ok", false}, {"error", last_save_error}};
      return {{"ok", true}};
    }
    if (op == "set_linger") {
      double s = req.at("seconds").get<double>();
      if (s < 0) return {{"ok", false}, {"error", "linger seconds must be >= 0"}};
      opts.linger_seconds = s;
      if (uv_is_active(reinterpret_cast<uv_handle_t*>(&linger_timer))) start_linger();
      return {{"ok", true}};
    }
    return {{"ok", false}, {"error", "unknown op '" + op + "'"}};
  }

  // ---- follow (logs -f) -----------------------------------------------------

  // Absolute index of the first line still held (scrollback start).
  uint64_t first_line() const {
    return uint64_t(screen->total_lines_scrolled() - screen->scrollback_size());
  }
  uint64_t cursor_line() const {
    return uint64_t(screen->total_lines_scrolled()) + uint64_t(std::max(0, screen->cursor().row));
  }
  // One past the last non-blank screen row (absolute).
  uint64_t end_of_content() const {
    int last = -1;
    for (int r = 0; r < screen->rows(); ++r)
      if (!cells_text(*screen, screen->row(r).cells).empty()) last = r;
    return std::max<uint64_t>(uint64_t(screen->total_lines_scrolled()) + uint64_t(last + 1),
                              cursor_line());
  }

  // Lines [from, to) as text; soft-wrapped rows continue without a newline.
  std::string lines_text(uint64_t from, uint64_t to) const {
    std::string out;
    const uint64_t scrolled = screen->total_lines_scrolled();
    const uint64_t first = first_line();
    for (uint64_t l = std::max(from, first); l < to; ++l) {
      bool wrapped = false;
      if (l < scrolled) {
        auto sl = screen->scrollback_line(size_t(l - first));
        out += cells_text(*screen, sl.cells);
        wrapped = sl.wrapped;
      } else {
        const uint64_t r = l - scrolled;
        if (r >= uint64_t(screen->rows())) break;
        const auto& row = screen->row(int(r));
        out += cells_text(*screen, row.cells);
        wrapped = row.wrapped;
      }
      if (!wrapped || l + 1 == to) out.push_back('\n');
    }
    return out;
  }

  json start_follow(Conn* c, int64_t lines) {
    const uint64_t end = finished ? end_of_content() : cursor_line();
    uint64_t from = first_line();
    if (lines > 0 && end > uint64_t(lines)) from = std::max(from, end - uint64_t(lines));
    respond(c, {{"ok", true}, {"text", fit_text(lines_text(from, end))}});
    if (finished) {
      json ev = exit_summary();
      ev["exited"] = true;
      send_json(c, MsgType::Event, ev);
      close_conn(c, true);
      return nullptr;
    }
    c->following = true;
    c->follow_next = end;
    return nullptr;
  }

  // Send the lines completed since the last event. at_exit: everything.
  void follow_emit(Conn* c, bool at_exit) {
    if (!at_exit && (screen->alt_screen() || queue_size(c) > opts.client_queue_limit)) {
      c->behind = !screen->alt_screen();
      return;
    }
    c->behind = false;
    const uint64_t end = at_exit ? end_of_content() : cursor_line();
    if (c->follow_next < first_line()) c->follow_next = first_line();  // lost to the ring
    if (end <= c->follow_next) return;
    std::string text = lines_text(c->follow_next, end);
    c->follow_next = end;
    if (!text.empty()) send_json(c, MsgType::Event, {{"text", fit_text(std::move(text))}});
  }

  // ---- attach ---------------------------------------------------------------

  static void read_size(const json& j, int* rows, int* cols) {
    *rows = std::clamp(j.at("rows").get<int>(), 1, kMaxRows);
    *cols = std::clamp(j.at("cols").get<int>(), 1, kMaxCols);
  }

  void on_attach(Conn* c, const json& j) {
    read_size(j, &c->rows, &c->cols);
    take_tty(c);
    if (j.value("input", false)) {
      // Tell the client whether it must read its keys itself.
      if (c->tty_open && !c->tty_reading) start_tty_input(c, j);
      respond(c, {{"ok", true}, {"input", c->tty_reading}});
    }
    c->ro.truecolor = j.value("truecolor", true);
    c->ro.colors = j.value("colors", true);
    c->ro.max_rows = c->rows;
    c->ro.max_cols = c->cols;
    attach_stack.erase(std::remove(attach_stack.begin(), attach_stack.end(), c),
                       attach_stack.end());
    attach_stack.push_back(c);
    c->attached = true;
    apply_size();
    c->needs_full = true;
    send_frame(c, true);
    if (finished) send_exited(c, exit_summary());
  }

  void on_resize(Conn* c, const json& j) {
    read_size(j, &c->rows, &c->cols);
    c->ro.max_rows = c->rows;
    c->ro.max_cols = c->cols;
    if (!c->attached) return;
    if (c == attach_stack.back()) apply_size();
    c->needs_full = true;
    send_frame(c, false);
  }

  void detach(Conn* c) {
    c->attached = false;
    c->behind = false;
    const bool was_top = !attach_stack.empty() && attach_stack.back() == c;
    attach_stack.erase(std::remove(attach_stack.begin(), attach_stack.end(), c),
                       attach_stack.end());
    if (was_top) apply_size();  // back to the previous client's size; none left: stays
  }

  // Give the PTY and the Screen the newest attached client's size. After the
  // child is gone the final screen is kept as it is (clients clip it).
  void apply_size() {
    if (attach_stack.empty() || !child_alive()) return;
    const Conn* top = attach_stack.back();
    if (top->rows == screen->rows() && top->cols == screen->cols()) return;
    screen->resize(top->rows, top->cols);
    pty->resize(top->rows, top->cols);
    rec.rows = top->rows;
    rec.cols = top->cols;
    schedule_frame();  // the others need a full redraw too
  }

  bool has_viewers() const {
    if (!attach_stack.empty()) return true;
    for (const auto& c : conns)
      if (c->following && !c->closing) return true;
    return false;
  }

  // Send a frame now or arm the one-shot frame timer. Output after a quiet
  // spell (no frame for frame_delay_ms), or a little of it, gets a frame at
  // once, so a typed key echoes without delay; output that keeps coming is throttled:
  // frame_delay_ms after the latest output, but no later than
  // frame_max_delay_ms after the first output of the burst.
  void schedule_frame() {
    if (closed_all || !has_viewers()) return;
    const uint64_t now = uv_now(loop);
    const bool active = uv_is_active(reinterpret_cast<uv_handle_t*>(&frame_timer));
    // A little output (a key's echo, a prompt) is drawn at once too, at most
    // once a millisecond; a flood of it waits for the throttle below.
    const bool small = bytes_since_frame <= kSmallOutput && now > last_frame_ms;
    if (!active && (small || now - last_frame_ms >= uint64_t(std::max(0, opts.frame_delay_ms)))) {
      on_frame_tick();  // now: no extra loop turn between the echo and its frame
      return;
    }
    if (!active) burst_start = now;
    const uint64_t want = now + uint64_t(std::max(0, opts.frame_delay_ms));
    const uint64_t limit = burst_start + uint64_t(std::max(0, opts.frame_max_delay_ms));
    const uint64_t at = std::min(want, limit);
    uv_timer_start(&frame_timer, [](uv_timer_t* t) { self(t)->on_frame_tick(); },
                   at > now ? at - now : 0, 0);
  }

  // ---- screen_watch (agent view tiles) --------------------------------------

  json watch_json(Conn* c) {
    render::Tile t = render::crop_around_cursor(*screen, c->watch_rows, c->watch_cols);
    std::string text = render::tile_text(*screen, t, c->watch_sgr);
    return {{"text", text},
            {"cursor", json::array({t.cursor_row, t.cursor_col})},
            {"title", clean_line(screen->title())}};
  }

  // Send each watcher the changed screen once its interval has passed; arm
  // one timer for the earliest watcher still waiting.
  void schedule_watch() {
    if (closed_all) return;
    const uint64_t now = uv_now(loop);
    uint64_t next = ~uint64_t(0);
    for (auto& c : conns) {
      if (!c->watching || c->closing || c->watch_seq == screen->seq()) continue;
      uint64_t due = c->watch_last_ms + c->watch_interval;
      next = std::min(next, due > now ? due - now : 0);
    }
    if (next == ~uint64_t(0)) return;
    if (uv_is_active(reinterpret_cast<uv_handle_t*>(&watch_timer)) &&
        uv_timer_get_due_in(&watch_timer) <= next)
      return;
    uv_timer_start(&watch_timer, [](uv_timer_t* t) { self(t)->on_watch_tick(); }, next, 0);
  }

  void on_watch_tick() {
    const uint64_t now = uv_now(loop);
    for (auto& c : conns) {
      if (!c->watching || c->closing || c->watch_seq == screen->seq()) continue;
      if (now < c->watch_last_ms + c->watch_interval) continue;
      if (queue_size(c.get()) > opts.client_queue_limit) continue;  // slow: try later
      c->watch_seq = screen->seq();
      c->watch_last_ms = now;
      json ev = watch_json(c.get());
      std::string key = ev["text"].get<std::string>() + ev["cursor"].dump() + ev["title"].get<std::string>();
      if (key == c->watch_last) continue;
      c->watch_last = std::move(key);
      send_json(c.get(), MsgType::Event, ev);
    }
    schedule_watch();
  }

  void on_frame_tick() {
    bytes_since_frame = 0;
    last_frame_ms = uv_now(loop);
    for (Conn* c : std::vector<Conn*>(attach_stack)) send_frame(c, false);
    for (auto& c : conns)
      if (c->following && !c->closing) follow_emit(c.get(), false);
  }

  // Send an attached client what changed since its last frame (everything
  // when needs_full). Skipped while its queue is over the limit, unless force.
  void send_frame(Conn* c, bool force) {
    if (c->closing) return;
    if (c->exited_sent) return;  // direct: the client shows the exit line now
    if (!force && out_queue_size(c) > opts.client_queue_limit) {
      c->behind = true;
      return;
    }
    c->behind = false;
    if (!c->needs_full && c->last_seq == screen->seq()) return;
    std::string out = c->needs_full ? render::redraw_full(*screen, c->ro, &c->meta)
                                    : render::redraw_since(*screen, c->last_seq, c->ro, &c->meta);
    c->needs_full = false;
    c->last_seq = screen->seq();
    if (c->tty_open) {
      write_stream(reinterpret_cast<uv_stream_t*>(&c->tty), std::move(out), c);
      return;
    }
    for (size_t i = 0; i < out.size(); i += kOutputChunk)
      send(c, MsgType::Output, std::string_view(out).substr(i, kOutputChunk));
  }

  // ---- teardown -------------------------------------------------------------

  // Close every handle so uv_run returns. Idempotent.
  void close_all() {
    if (closed_all) return;
    closed_all = true;
    for (uv_timer_t* t : {&frame_timer, &kill_timer, &drain_timer, &linger_timer, &probe_timer, &watch_timer, &idle_timer, &hello_timer, &save_timer, &esc_timer})
      uv_close(reinterpret_cast<uv_handle_t*>(t), on_handle_closed);
    for (uv_signal_t* s : {&sig_chld, &sig_term, &sig_int, &sig_hup})
      uv_close(reinterpret_cast<uv_handle_t*>(s), on_handle_closed);
    if (server_open) uv_close(reinterpret_cast<uv_handle_t*>(&server), on_handle_closed);
    if (pty_pipe_open && !uv_is_closing(reinterpret_cast<uv_handle_t*>(&pty_pipe)))
      uv_close(reinterpret_cast<uv_handle_t*>(&pty_pipe), on_handle_closed);
    for (auto& c : conns) {
      if (!c->closing) close_conn(c.get(), false);
      auto* hd = reinterpret_cast<uv_handle_t*>(&c->pipe);
      if (!uv_is_closing(hd)) uv_close(hd, on_conn_closed);  // a pending flush
    }
    stop_waiters.clear();
    attach_stack.clear();
  }
};

SessionHost::SessionHost(uv_loop_t* loop, HostOptions opts)
    : impl_(std::make_unique<Impl>(loop, std::move(opts))) {}

SessionHost::~SessionHost() {
  impl_->report_ready("error: the host ended before it started\n");  // no-op once reported
  impl_->close_all();
  // The handles live inside impl_: let their close callbacks run first.
  while (impl_->open_handles > 0) uv_run(impl_->loop, UV_RUN_NOWAIT);
}

std::string SessionHost::start() { return impl_->start(); }

int SessionHost::run_main(HostOptions opts) {
  ::signal(SIGPIPE, SIG_IGN);
  uv_loop_t loop;
  if (int rc = uv_loop_init(&loop); rc < 0) {
    std::fprintf(stderr, "amux host: uv_loop_init: %s\n", uv_strerror(rc));
    return 1;
  }
  int status = 0;
  {
    SessionHost host(&loop, std::move(opts));
    if (std::string err = host.start(); !err.empty()) {
      std::fprintf(stderr, "amux host: %s\n", err.c_str());
      status = 1;
    }
    uv_run(&loop, UV_RUN_DEFAULT);
  }
  uv_walk(&loop, [](uv_handle_t* h, void*) {
    if (!uv_is_closing(h)) uv_close(h, nullptr);
  }, nullptr);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  return status;
}

}  // namespace amux::mux
