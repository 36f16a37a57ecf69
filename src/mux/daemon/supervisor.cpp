// supervisor.cpp — the per-user supervisor (see supervisor.h for the why):
// its start (daemon.lock, the control socket, signals), its log, and the
// public class. The rest of Impl lives in the files supervisor_impl.h lists.
#include "mux/daemon/supervisor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <ctime>

#include "mux/daemon/supervisor_impl.h"
#include "mux/store/atomic_file.h"
#include "mux/wire/protocol.h"

namespace amux::mux {

using json = nlohmann::json;

namespace {

std::string iso_now() {
  char buf[64];
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, sizeof buf - n, ".%03ldZ", ts.tv_nsec / 1000000);
  return buf;
}

}  // namespace

Supervisor::Impl::Impl(uv_loop_t* l, SupervisorOptions opts) : loop(l), o(std::move(opts)) {
  uv_timer_init(loop, &reap_timer);
  reap_timer.data = this;
  uv_timer_init(loop, &idle_timer);
  idle_timer.data = this;
  for (uv_signal_t* h : {&sig_term, &sig_int, &sig_hup}) {
    uv_signal_init(loop, h);
    h->data = this;
  }
}

// ---- logging ----
void Supervisor::Impl::log(const std::string& msg) {
  if (log_fd.get() < 0) return;
  std::string line = "[" + iso_now() + "] [supervisor] " + msg + "\n";
  ssize_t n = ::write(log_fd.get(), line.data(), line.size());
  (void)n;
}

// ---- lifecycle ----
std::string Supervisor::Impl::start() {
  make_dirs(o.paths.config_dir);
  make_dirs(o.paths.daemon_dir());
  make_dirs(o.paths.jobs_dir());
  log_fd.reset(open(o.paths.daemon_log().c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
  lock_fd.reset(open(o.paths.daemon_lock().c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (lock_fd.get() < 0) return "cannot open " + o.paths.daemon_lock() + ": " + strerror(errno);
  if (flock(lock_fd.get(), LOCK_EX | LOCK_NB) != 0) {
    char buf[512] = {0};
    ssize_t n = pread(lock_fd.get(), buf, sizeof buf - 1, 0);
    std::string pid = "?";
    try { if (n > 0) pid = std::to_string(json::parse(std::string(buf, size_t(n))).value("pid", 0)); } catch (...) {}
    return "already running (pid " + pid + ")";
  }
  json lock = {{"pid", getpid()}, {"version", AMUX_VERSION}, {"protocol", kProtocolVersion},
               {"startedAt", started_at}, {"origin", o.origin}};
  std::string ls = lock.dump() + "\n";
  if (ftruncate(lock_fd.get(), 0) == 0) {
    ssize_t n = pwrite(lock_fd.get(), ls.data(), ls.size(), 0);
    (void)n;
  }
  log("─── daemon start ─── version=" AMUX_VERSION " pid=" + std::to_string(getpid()) +
      " origin=" + o.origin);

  std::string sock = o.paths.control_socket();
  if (sock.size() > max_socket_path()) return "socket path too long: " + sock;
  unlink(sock.c_str());  // we hold the lock: any socket file left is stale
  uv_pipe_init(loop, &server, 0);
  server.data = this;
  server_open = true;
  if (int r = uv_pipe_bind(&server, sock.c_str()); r != 0)
    return "cannot bind " + sock + ": " + uv_strerror(r);
  chmod(sock.c_str(), 0600);
  if (int r = uv_listen(reinterpret_cast<uv_stream_t*>(&server), 64, [](uv_stream_t* s, int st) {
        if (st == 0) static_cast<Impl*>(s->data)->on_accept();
      });
      r != 0)
    return "cannot listen on " + sock + ": " + uv_strerror(r);

  for (auto [h, s] : {std::pair{&sig_term, SIGTERM}, {&sig_int, SIGINT}, {&sig_hup, SIGHUP}}) {
    uv_signal_start(h, [](uv_signal_t* hh, int signum) {
      auto* self = static_cast<Impl*>(hh->data);
      if (signum == SIGHUP) return;  // detached from a terminal: keep going
      self->log(std::string("shutdown requested by ") + (signum == SIGTERM ? "SIGTERM" : "SIGINT"));
      self->shutdown(false, nullptr);
    }, s);
  }
  adopt();
  save_roster_now();
  schedule_reap();
  check_idle();
  return "";
}

Supervisor::Supervisor(uv_loop_t* loop, SupervisorOptions opts)
    : impl_(std::make_unique<Impl>(loop, std::move(opts))) {}
Supervisor::~Supervisor() {
  // Every handle lives in impl_: close them and let their callbacks run
  // before it goes.
  impl_->close_all();
  uv_run(impl_->loop, UV_RUN_DEFAULT);
}

std::string Supervisor::start() { return impl_->start(); }

int Supervisor::run_main(SupervisorOptions opts) {
  // Starting a host works out its settings on libuv's thread pool (TOML,
  // git); `respawn --all` starts every session at once, so the pool is
  // larger than libuv's default of 4 (read once, at its first use).
  setenv("UV_THREADPOOL_SIZE", "16", 0);
  uv_loop_t loop;
  uv_loop_init(&loop);
  int ready = opts.ready_fd;
  int rc = 0;
  {
    Supervisor s(&loop, std::move(opts));
    std::string err = s.start();
    if (!err.empty()) {
      if (ready >= 0) { dprintf(ready, "error: %s\n", err.c_str()); ::close(ready); }
      else fprintf(stderr, "amux: %s\n", err.c_str());
      s.impl_->close_all();
      uv_run(&loop, UV_RUN_DEFAULT);
      rc = 1;
    } else {
      if (ready >= 0) { dprintf(ready, "ok\n"); ::close(ready); }
      uv_run(&loop, UV_RUN_DEFAULT);
    }
  }
  if (uv_loop_close(&loop) != 0) fprintf(stderr, "amux: supervisor: handles left open at exit\n");
  return rc;
}

}  // namespace amux::mux
