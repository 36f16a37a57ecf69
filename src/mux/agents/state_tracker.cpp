// state_tracker.cpp — see state_tracker.h for the rules.
#include "mux/agents/state_tracker.h"

#include <algorithm>
#include <utility>

namespace amux::mux {

void StateTracker::on_notify(SessionState s, std::string detail, std::string waiting_for, int64_t) {
  TrackedState t;
  t.state = s;
  t.detail = std::move(detail);
  if (s == SessionState::Blocked) t.waiting_for = waiting_for.empty() ? "input" : std::move(waiting_for);
  t.source = "notify";
  notified_ = std::move(t);
  attention_.reset();
}

void StateTracker::on_notification(std::string text, int64_t) {
  attention_ = text.empty() ? std::string("attention") : std::move(text);
  output_since_attention_ = false;
}

void StateTracker::on_output(int64_t now_ms) {
  last_output_ = now_ms;
  if (attention_) output_since_attention_ = true;
}

void StateTracker::on_growth(int64_t now_ms) { last_growth_ = std::max(last_growth_, now_ms); }

void StateTracker::on_input(int64_t now_ms) {
  last_input_ = now_ms;
  attention_.reset();
  // The program got its answer; a hook will say what it does next.
  if (notified_ && notified_->state != SessionState::Working) notified_.reset();
}

void StateTracker::on_probe(pty::TtyReadState r, int64_t now_ms) {
  if (r == pty::TtyReadState::Reading && probe_ != r) reading_since_ = now_ms;
  probe_ = r;
  // More output while not reading the terminal: the program moved on.
  if (attention_ && output_since_attention_ && r == pty::TtyReadState::NotReading) attention_.reset();
}

void StateTracker::on_screen(std::optional<SessionState> pattern, int64_t now_ms) {
  if (pattern != pattern_seen_) {
    pattern_seen_ = pattern;
    pattern_since_ = now_ms;
  }
  if (now_ms - pattern_since_ >= opt_.settle_ms) pattern_ = pattern_seen_;
}

namespace {
// Sources whose changes are held back (see the header).
bool weak(const std::string& source) { return source == "probe" || source == "output"; }
}  // namespace

TrackedState StateTracker::current(int64_t now_ms) {
  TrackedState raw = decide(now_ms);
  const bool at_once = !shown_ || opt_.hold_ms <= 0 || raw.state == shown_->state ||
                       !weak(raw.source) || !weak(shown_->source) ||
                       now_ms - last_input_ < opt_.hold_ms;
  if (!at_once) {
    if (held_ != raw.state) {
      held_ = raw.state;
      // A quiet reader has been waiting since its output stopped.
      held_since_ = raw.state == SessionState::Blocked && raw.source == "probe"
                        ? std::max(last_output_, reading_since_)
                        : now_ms;
    }
    if (now_ms - held_since_ < opt_.hold_ms) return *shown_;
  }
  held_.reset();
  shown_ = raw;
  return raw;
}

std::optional<int64_t> StateTracker::hold_until() const {
  if (!held_) return std::nullopt;
  return held_since_ + opt_.hold_ms;
}

TrackedState StateTracker::decide(int64_t now_ms) const {
  if (notified_) return *notified_;
  TrackedState t;
  if (attention_) {
    t.state = SessionState::Blocked;
    t.waiting_for = *attention_;
    if (*attention_ != "attention") t.detail = *attention_;
    t.source = "notification";
    return t;
  }
  // A settled pattern that became true only now is not settled yet.
  std::optional<SessionState> pattern = pattern_;
  if (pattern_seen_ != pattern_ && now_ms - pattern_since_ >= opt_.settle_ms) pattern = pattern_seen_;
  const bool active = now_ms - (opt_.count_repaints ? last_output_ : last_growth_) < opt_.active_ms;
  switch (probe_) {
    case pty::TtyReadState::NotReading:
      t.state = SessionState::Working;
      t.source = "probe";
      return t;
    case pty::TtyReadState::Reading:
      if (pattern) {
        t.state = *pattern;
        t.source = "screen";
      } else if (active) {
        t.state = SessionState::Working;
        t.source = "output";
      } else {
        t.state = SessionState::Blocked;
        t.source = "probe";
      }
      break;
    case pty::TtyReadState::Unknown:
      t.state = pattern ? *pattern : SessionState::Working;
      t.source = pattern ? "screen" : "output";
      break;
  }
  if (t.state == SessionState::Blocked) t.waiting_for = "input";
  return t;
}

}  // namespace amux::mux
