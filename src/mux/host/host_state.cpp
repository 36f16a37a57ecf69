// host_state.cpp — what state the session is in: probing and state feeding.
//
// Why: a row in the list says working, blocked or idle. The host feeds the
// StateTracker (state_tracker.h) from output activity, input, bells and
// notifications, the tty probe (who reads the terminal) and the agent's
// screen patterns, runs the probe on a backing-off timer, writes the state
// and its detail to the record, and stops an agent left idle too long
// (idle_agent).
#include <malloc.h>

#include <algorithm>

#include "mux/host/host_impl.h"
#include "mux/store/roster.h"
#include "render/text_dump.h"

namespace amux::mux {

using namespace host_detail;

// The launcher resolved the agent's patterns (host_spec.h): the host
// reads no agents.toml itself.
void SessionHost::Impl::load_profile() {
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
void SessionHost::Impl::schedule_probe(uint64_t delay) {
  if (closed_all || !child_alive()) return;
  auto* t = reinterpret_cast<uv_handle_t*>(&probe_timer);
  if (uv_is_active(t) && uv_timer_get_due_in(&probe_timer) <= delay) return;
  uv_timer_start(&probe_timer, [](uv_timer_t* tm) { self(tm)->on_probe_tick(); }, delay, 0);
}

// Did the output since the last probe add to the screen (a row painted
// for the first time since the screen was last blank, or lines scrolled
// off) or only repaint rows already painted (an animation)? Only the
// former counts as work for an agent that reads its terminal.
void SessionHost::Impl::note_growth() {
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

std::vector<std::string> SessionHost::Impl::screen_lines() const {
  std::vector<std::string> lines;
  lines.reserve(size_t(screen->rows()));
  for (int r = 0; r < screen->rows(); ++r) lines.push_back(cells_text(*screen, screen->row(r).cells));
  return lines;
}

void SessionHost::Impl::on_probe_tick() {
  if (!child_alive() || finished) return;
  const int64_t now = mono_ms();
  last_probe = pty::probe_tty_read(pty->master_fd(), pty->slave_path(), &probe_cache);
  // What the program wrote before it began to wait must be on the screen
  // before the verdict counts (a prompt is the detail of a blocked row, and
  // output fed after "blocked" would read as work): the reader's queue is
  // fed now, and bytes still on their way put the verdict off once, briefly.
  if (reader && reader->holds_unread()) {
    on_pty_data();
    if (finished) return;
    if (reader && reader->holds_unread() && !probe_put_off) {
      probe_put_off = true;
      schedule_probe(kProbeRetryMs);
      return;
    }
  }
  probe_put_off = false;
  tracker.on_probe(last_probe.state, now);
  const pty::TtyProbeResult& probe = last_probe;
  if (output_since_probe) note_growth();
  if (use_patterns && pattern_seq == screen->seq() && pattern_seq != 0) {
    tracker.on_screen(pattern_verdict, now);  // same screen, same verdict
  } else if (use_patterns) {
    pattern_seq = screen->seq();
    pattern_match = match_screen_line(opts.screen, screen_lines());
    pattern_verdict = pattern_match ? std::optional<SessionState>(pattern_match->state) : std::nullopt;
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
  // Events instead of timers (host_exit_watch.cpp): the group's processes
  // are watched exiting; once the verdict holds with nothing else pending,
  // output, input and those exits are what probe next.
  quiet_probes = !output_since_probe && probe.state == last_verdict ? quiet_probes + 1 : 0;
  last_verdict = probe.state;
  const bool watched = probe.state != pty::TtyReadState::Unknown && watch_group(probe.members);
  const bool settled = watched && quiet_probes >= kProbeSettledCount && probe_delay >= kProbeSettledMs &&
                       !(use_patterns && tracker.settling()) && !tracker.hold_until();
  // Once a burst of output is over, hand the heap's free pages back (the
  // buffers a burst needed, e.g. while scrollback chunks were being filled):
  // an idle host should hold only what it keeps.
  if (output_since_probe) {
    trim_due = true;
  } else if (trim_due) {
    trim_due = false;
    trim_heap();
  }
  output_since_probe = false;
  schedule_probe(settled && !trim_due ? kProbeSafetyMs : probe_delay);
}

// Hands the heap's free pages back after a burst or a client leaving, at
// most once a second. A session that prints all the time never goes quiet
// for the probe's trim above, and without this its RSS would creep up to
// the sum of its worst moments (a burst while two clients were attached).
void SessionHost::Impl::release_heap() {
  if (mono_ms() - heap_released_ms < 1000) return;  // (heap_spare stays: the next piece tries again)
  trim_heap();
}

void SessionHost::Impl::trim_heap() {
  ::malloc_trim(0);
  heap_spare = false;
  heap_released_ms = mono_ms();
}

// The detail shown in the row: what the tracker has, else the question on
// screen (the profile's question patterns), else the title, else the last
// meaningful line.
std::string SessionHost::Impl::live_detail(const TrackedState& t) {
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

void SessionHost::Impl::update_state(int64_t now) {
  if (finished || !child_alive()) return;
  TrackedState t = tracker.current(now);
  shown = t;
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
  if (major) note_transition(t.source, evidence_for(t, now));
  save();
  if (major) arm_idle_timer();
}

// docs/architecture.md §8 (Lifecycle): an agent session idle for idle_agent seconds has its
// process stopped (record kept, attach/peek/reply resumes it), unless it
// is pinned or someone is attached.
void SessionHost::Impl::arm_idle_timer() {
  if (rec.kind == "shell" || rec.state != SessionState::Idle) {
    uv_timer_stop(&idle_timer);
    return;
  }
  uint64_t ms = uint64_t(std::max(0.0, opts.idle_agent_seconds) * 1000.0);
  uv_timer_start(&idle_timer, [](uv_timer_t* t) { self(t)->on_idle_timeout(); }, ms, 0);
}

void SessionHost::Impl::on_idle_timeout() {
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

}  // namespace amux::mux
