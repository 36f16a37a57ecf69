// supervisor_async.cpp — how the supervisor waits without blocking its loop.
//
// Why: two things take longer than a loop turn may: blocking work (git,
// reading TOML), which runs on libuv's thread pool and reports back on the
// loop; and a host process going away after it was asked to, which is polled
// on a timer so everyone else is served meanwhile.
#include "mux/daemon/supervisor_impl.h"
#include "mux/sys/process_info.h"

namespace amux::mux {

using json = nlohmann::json;

void Supervisor::Impl::off_loop(std::function<json()> work, std::function<void(const json&)> done) {
  auto job = std::make_unique<BlockingJob>();
  job->self = this;
  job->work = std::move(work);
  job->done = std::move(done);
  job->req.data = job.get();
  auto run = [](uv_work_t* w) {
    auto* j = static_cast<BlockingJob*>(w->data);
    try {
      j->result = j->work();
    } catch (const std::exception& e) {
      j->result = {{"error", e.what()}};
    }
  };
  auto after = [](uv_work_t* w, int) {
    std::unique_ptr<BlockingJob> j(static_cast<BlockingJob*>(w->data));
    if (!j->self->shutting_down) j->done(j->result);
  };
  if (uv_queue_work(loop, &job->req, run, after) == 0) {
    job.release();  // `after` owns it now
  } else {
    run(&job->req);
    job->done(job->result);
  }
}

void Supervisor::Impl::when_gone(pid_t pid, uint64_t timeout_ms, std::function<void()> cb) {
  if (pid <= 0 || !process_alive(pid) || closed_all) { cb(); return; }
  auto w = std::make_unique<GoneWaiter>();
  w->self = this;
  w->pid = pid;
  w->deadline = uv_now(loop) + timeout_ms;
  w->cb = std::move(cb);
  uv_timer_init(loop, &w->timer);
  w->timer.data = w.get();
  uv_timer_start(&w->timer, [](uv_timer_t* t) {
    auto* gw = static_cast<GoneWaiter*>(t->data);
    gw->self->poll_gone(*gw);
  }, 10, 10);
  gone_waiters.push_back(std::move(w));
}

void Supervisor::Impl::poll_gone(GoneWaiter& w) {
  if (!w.cb || (process_alive(w.pid) && uv_now(loop) < w.deadline)) return;
  auto cb = std::move(w.cb);
  w.cb = nullptr;
  close_gone_waiter(w);
  cb();
}

void Supervisor::Impl::close_gone_waiter(GoneWaiter& w) {
  if (w.closing) return;
  w.closing = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&w.timer), [](uv_handle_t* h) {
    auto* gw = static_cast<GoneWaiter*>(h->data);
    gw->self->gone_waiters.remove_if([gw](const std::unique_ptr<GoneWaiter>& p) { return p.get() == gw; });
  });
}

}  // namespace amux::mux
