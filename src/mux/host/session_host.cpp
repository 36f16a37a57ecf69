// session_host.cpp — one session's host: starting it up and tearing it down.
//
// Why: see session_host.h. This file loads the record, binds the socket,
// spawns the child on a PTY, writes the record and reports ready; and it
// closes every handle at the end so uv_run returns. What the host does in
// between lives beside it, one concern per file (host_impl.h lists them).
// Everything happens on one libuv loop.
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
#include <ctime>

#include "mux/host/host_impl.h"
#include "mux/store/session_env.h"
#include "mux/sys/process_info.h"

extern char** environ;

namespace amux::mux {

using namespace host_detail;

SessionHost::Impl::Impl(uv_loop_t* l, HostOptions o) : loop(l), opts(std::move(o)) {
  for (uv_timer_t* t : {&frame_timer, &kill_timer, &drain_timer, &linger_timer, &probe_timer, &watch_timer, &idle_timer, &hello_timer, &save_timer, &esc_timer, &sync_timer}) {
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

// ---- startup -----------------------------------------------------------

void SessionHost::Impl::report_ready(const std::string& line) {
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

std::string SessionHost::Impl::start() {
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
  screen->on_bell = [this]() {
    notification_note = "BEL";
    tracker.on_notification("", mono_ms());
    schedule_probe(0);
  };
  screen->on_notification = [this](const render::Notification& n) {
    std::string text = n.body.empty() ? n.title : n.title.empty() ? n.body : n.title + ": " + n.body;
    notification_note = clean_line("OSC " + std::to_string(n.osc) + ": " + text);
    tracker.on_notification(clean_line(text), mono_ms());
    schedule_probe(0);
  };
  rec.attached = 0;  // a new host: nobody is attached yet
  history = StateHistory::from_json(rec.transitions);
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
  uv_async_init(loop, &pty_async, [](uv_async_t* a) { self(a)->on_pty_data(); });
  pty_async.data = this;
  ++open_handles;
  pty_async_open = true;
  try {
    reader = std::make_unique<pty::PtyReader>(pty->master_fd(), [this] { uv_async_send(&pty_async); });
  } catch (const std::exception& e) {
    return fail(std::string("cannot read the terminal: ") + e.what());
  }

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
  note_transition("start", "started pid " + std::to_string(rec.pid));
  save();
  // In case the child was gone before the watcher saw its SIGCHLD.
  on_sigchld();
  schedule_probe(kProbeMinMs);
  report_ready("ok\n");
  return "";
}

std::string SessionHost::Impl::listen_socket() {
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
bool SessionHost::Impl::socket_in_use(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  bool live = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return live;
}

// ---- teardown -------------------------------------------------------------

// Close every handle so uv_run returns. Idempotent.
void SessionHost::Impl::close_all() {
  if (closed_all) return;
  closed_all = true;
  for (uv_timer_t* t : {&frame_timer, &kill_timer, &drain_timer, &linger_timer, &probe_timer, &watch_timer, &idle_timer, &hello_timer, &save_timer, &esc_timer, &sync_timer})
    uv_close(reinterpret_cast<uv_handle_t*>(t), on_handle_closed);
  for (uv_signal_t* s : {&sig_chld, &sig_term, &sig_int, &sig_hup})
    uv_close(reinterpret_cast<uv_handle_t*>(s), on_handle_closed);
  if (server_open) uv_close(reinterpret_cast<uv_handle_t*>(&server), on_handle_closed);
  if (pty_pipe_open && !uv_is_closing(reinterpret_cast<uv_handle_t*>(&pty_pipe)))
    uv_close(reinterpret_cast<uv_handle_t*>(&pty_pipe), on_handle_closed);
  reader.reset();  // (its thread ends; nothing is fed any more)
  if (pty_async_open) uv_close(reinterpret_cast<uv_handle_t*>(&pty_async), on_handle_closed);
  for (auto& c : conns) {
    if (!c->closing) close_conn(c.get(), false);
    auto* hd = reinterpret_cast<uv_handle_t*>(&c->pipe);
    if (!uv_is_closing(hd)) uv_close(hd, on_conn_closed);  // a pending flush
  }
  stop_waiters.clear();
  attach_stack.clear();
  close_exit_watches();
}

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
  // One malloc arena for the host's two threads (the loop and the PTY
  // reader): a second arena would hold its own pages for the reader's few
  // buffers, and grow a host's memory by what it never gives back.
  ::mallopt(M_ARENA_MAX, 1);
  // Buffers from 64 KiB up (a burst's queue) are mapped and unmapped, never
  // left in the heap: glibc would otherwise raise this threshold after the
  // first such free and keep later ones, a host's memory growing by bursts.
  ::mallopt(M_MMAP_THRESHOLD, 64 * 1024);
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
