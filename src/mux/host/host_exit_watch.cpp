// host_exit_watch.cpp — the probe driven by events: the foreground group's
// processes are watched exiting (pidfds on the loop), so a quiet session
// needs no probe timer.
//
// Why: whether the program waits for the keyboard changes when it prints
// (output), when a person types (input), or when a process of the
// foreground group ends (a shell back at its prompt after its job, the
// next command of a script). The first two already probe; this file covers
// the third. Once the probe has seen the same verdict a few times with no
// output, every live process of the group watched and nothing pending
// (hold, settling pattern), the host stops probing on a timer; only a
// rare safety probe remains (a program that goes from a timed sleep to a
// silent read of the terminal in one process gives no event).
#include <algorithm>

#include "mux/host/host_impl.h"
#include "pty/pidfd.h"

namespace amux::mux {

using namespace host_detail;

void SessionHost::Impl::close_exit_watch(std::unique_ptr<ExitWatch> w) {
  auto* h = reinterpret_cast<uv_handle_t*>(&w->poll);
  h->data = w.release();  // owned by the handle until it is closed
  uv_close(h, [](uv_handle_t* hd) {
    std::unique_ptr<ExitWatch> gone(static_cast<ExitWatch*>(hd->data));
    --gone->host->open_handles;
  });
}

void SessionHost::Impl::close_exit_watches() {
  for (auto& [pid, w] : exit_watches) close_exit_watch(std::move(w));
  exit_watches.clear();
}

bool SessionHost::Impl::watch_group(const std::vector<pid_t>& members) {
  if (closed_all) return false;
  // Let go of processes that left the group.
  for (auto it = exit_watches.begin(); it != exit_watches.end();) {
    if (std::find(members.begin(), members.end(), it->first) == members.end()) {
      close_exit_watch(std::move(it->second));
      it = exit_watches.erase(it);
    } else {
      ++it;
    }
  }
  bool all = !members.empty();
  for (pid_t pid : members) {
    if (exit_watches.count(pid)) continue;
    auto w = std::make_unique<ExitWatch>();
    w->fd = pty::open_pidfd(pid);
    if (!w->fd || uv_poll_init(loop, &w->poll, w->fd.get()) != 0) {
      all = false;
      continue;
    }
    ++open_handles;
    w->pid = pid;
    w->host = this;
    w->poll.data = w.get();
    uv_poll_start(&w->poll, UV_READABLE, [](uv_poll_t* p, int, int) {
      auto* watch = static_cast<ExitWatch*>(p->data);
      watch->host->on_member_exit(watch->pid);
    });
    exit_watches.emplace(pid, std::move(w));
  }
  return all;
}

// A process of the foreground group ended: the group (or the shell that
// waited for it) may read the terminal now.
void SessionHost::Impl::on_member_exit(pid_t pid) {
  auto it = exit_watches.find(pid);
  if (it != exit_watches.end()) {
    close_exit_watch(std::move(it->second));
    exit_watches.erase(it);
  }
  quiet_probes = 0;
  probe_delay = kProbeMinMs;
  schedule_probe(kProbeAfterExitMs);
}

}  // namespace amux::mux
