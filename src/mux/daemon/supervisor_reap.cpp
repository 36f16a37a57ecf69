// supervisor_reap.cpp — reaping: rows that are finished and no longer
// wanted leave on their own.
//
// Why: a background session's row should not need the person to remove it
// when it is plainly over (a shell that exited, an agent row that never got
// any work); one that matters (stopped, pinned, or with work in its
// worktree) stays. The supervisor wakes only for the next deadline.
#include "mux/daemon/supervisor_impl.h"
#include "mux/store/roster.h"

namespace amux::mux {

using json = nlohmann::json;

// Deadline (ms) at which a record must be reaped, or 0 for never.

int64_t Supervisor::Impl::reap_deadline(const SessionRecord& r, bool pinned) {
  if (pinned || reap_tried.count(r.id)) return 0;
  auto ms = [](double s) { return int64_t(s * 1000); };
  // `amux stop` leaves a stopped record until the user removes it.
  if (r.state == SessionState::Stopped) return 0;
  if (r.kind == "shell") {
    if (!state_is_live(r.state) && r.state != SessionState::Starting && r.finished_at)
      return r.finished_at + ms(o.config.shell_linger);
    return 0;
  }
  // Agent rows that never got any work go after empty_row.
  if (!r.had_work) return (r.finished_at ? r.finished_at : r.created_at) + ms(o.config.empty_row);
  return 0;
}

void Supervisor::Impl::schedule_reap() {
  if (shutting_down) return;
  auto pins = load_pins(o.paths);
  int64_t next = 0;
  for (auto& [id, r] : records) {
    int64_t d = reap_deadline(r, pins.count(id) > 0);
    if (d && (!next || d < next)) next = d;
  }
  uv_timer_stop(&reap_timer);
  if (!next) return;
  int64_t wait = std::max<int64_t>(0, next - now_ms());
  uv_timer_start(&reap_timer, [](uv_timer_t* t) { static_cast<Impl*>(t->data)->reap(); }, uint64_t(wait) + 5, 0);
}

void Supervisor::Impl::reap() {
  auto pins = load_pins(o.paths);
  int64_t now = now_ms();
  std::vector<std::string> gone;
  for (auto& [id, r] : records) {
    int64_t d = reap_deadline(r, pins.count(id) > 0);
    if (d && d <= now) gone.push_back(id);
  }
  for (auto& id : gone) {
    log("reaped " + id);
    // The worktree rules of rm apply: a clean amux-made worktree goes with
    // the row; one holding work keeps the row for the user to look at.
    const std::string wt = records[id].worktree;
    if (wt.empty()) remove_session(id, [](const json&) {});
    else {
      reap_tried.insert(id);  // tried once: a kept worktree keeps the row
      rm_with_worktree(id, wt, false, [](const json&) {});
    }
  }
  schedule_reap();
}

}  // namespace amux::mux
