// Rules of the state tracker (state_tracker.h), source by source, with the
// clock driven by hand.
#include <gtest/gtest.h>

#include "mux/agents/state_tracker.h"

using amux::mux::SessionState;
using amux::mux::StateTracker;
using amux::pty::TtyReadState;

TEST(StateTracker, ProbeDecidesForPlainPrograms) {
  StateTracker t;
  t.on_probe(TtyReadState::NotReading, 0);
  EXPECT_EQ(t.current(0).state, SessionState::Working);
  t.on_probe(TtyReadState::Reading, 5000);
  auto s = t.current(5000);
  EXPECT_EQ(s.state, SessionState::Blocked);
  EXPECT_EQ(s.waiting_for, "input");
  EXPECT_EQ(s.source, "probe");
}

TEST(StateTracker, SilentNotReadingIsWorkingEvenAfterAQuestion) {
  StateTracker t;
  t.on_output(0);  // "Continue? [y/N]" printed, then sleep
  t.on_probe(TtyReadState::NotReading, 10000);
  EXPECT_EQ(t.current(10000).state, SessionState::Working);
}

TEST(StateTracker, RecentOutputWhileReadingIsWorking) {
  // An event loop that animates a spinner also sleeps in poll on the tty.
  StateTracker t;
  t.on_output(1000);
  t.on_probe(TtyReadState::Reading, 1200);
  EXPECT_EQ(t.current(1200).state, SessionState::Working);
  EXPECT_EQ(t.current(2500).state, SessionState::Blocked);
}

TEST(StateTracker, ScreenPatternsMustSettle) {
  StateTracker::Options o;
  o.settle_ms = 500;
  StateTracker t(o);
  t.on_probe(TtyReadState::Reading, 0);
  t.on_screen(SessionState::Idle, 0);
  EXPECT_EQ(t.current(100).state, SessionState::Blocked);  // not settled: the probe says reading
  EXPECT_EQ(t.current(600).state, SessionState::Idle);
  t.on_screen(SessionState::Idle, 600);
  EXPECT_EQ(t.current(600).source, "screen");
  // A flicker to "working" for less than settle_ms does not count.
  t.on_screen(SessionState::Working, 700);
  t.on_screen(SessionState::Idle, 800);
  EXPECT_EQ(t.current(900).state, SessionState::Idle);
  t.on_screen(SessionState::Blocked, 1000);
  t.on_screen(SessionState::Blocked, 1600);
  auto s = t.current(1600);
  EXPECT_EQ(s.state, SessionState::Blocked);
}

TEST(StateTracker, NotificationBlocksUntilInput) {
  StateTracker t;
  t.on_probe(TtyReadState::NotReading, 0);
  t.on_notification("Build done", 10);
  auto s = t.current(20);
  EXPECT_EQ(s.state, SessionState::Blocked);
  EXPECT_EQ(s.waiting_for, "Build done");
  EXPECT_EQ(s.detail, "Build done");
  t.on_probe(TtyReadState::NotReading, 1000);  // no output since: still waiting
  EXPECT_EQ(t.current(1000).state, SessionState::Blocked);
  t.on_input(2000);
  EXPECT_EQ(t.current(2000).state, SessionState::Working);
}

TEST(StateTracker, BellThenMoreOutputWhileNotReadingClears) {
  StateTracker t;
  t.on_notification("", 0);
  EXPECT_EQ(t.current(0).waiting_for, "attention");
  t.on_output(500);
  t.on_probe(TtyReadState::Reading, 600);  // reading: still waiting
  EXPECT_EQ(t.current(3000).state, SessionState::Blocked);
  t.on_output(3100);
  t.on_probe(TtyReadState::NotReading, 3200);
  EXPECT_EQ(t.current(3200).state, SessionState::Working);
}

TEST(StateTracker, NotifyIsStrongest) {
  StateTracker t;
  t.on_probe(TtyReadState::NotReading, 0);
  t.on_notify(SessionState::Blocked, "Allow Bash?", "permission", 10);
  t.on_notification("bell", 20);  // weaker, ignored while a notify holds
  auto s = t.current(30);
  EXPECT_EQ(s.state, SessionState::Blocked);
  EXPECT_EQ(s.waiting_for, "permission");
  EXPECT_EQ(s.detail, "Allow Bash?");
  EXPECT_EQ(s.source, "notify");
  t.on_notify(SessionState::Working, "", "", 40);
  EXPECT_EQ(t.current(50).state, SessionState::Working);
  EXPECT_EQ(t.current(50).waiting_for, "");
  t.on_notify(SessionState::Idle, "done", "", 60);
  t.on_probe(TtyReadState::NotReading, 70);
  EXPECT_EQ(t.current(70).state, SessionState::Idle);
  // The person answers: the notify no longer holds until the next one.
  t.on_input(80);
  EXPECT_EQ(t.current(80).state, SessionState::Working);
}

TEST(StateTracker, UnknownProbeFallsBackToPatterns) {
  StateTracker::Options o;
  o.settle_ms = 0;
  StateTracker t(o);
  EXPECT_EQ(t.current(0).state, SessionState::Working);
  t.on_screen(SessionState::Blocked, 0);
  EXPECT_EQ(t.current(0).state, SessionState::Blocked);
}

namespace {
StateTracker held(int hold_ms = 2000) {
  StateTracker::Options o;
  o.hold_ms = hold_ms;
  return StateTracker(o);
}
}  // namespace

// `top -d 3`: it repaints every 3 s and reads its terminal in between. The
// first state shows at once; a quiet reader becomes blocked once quiet for
// hold_ms, and a repaint every 3 s (1 s of "working" output each) never
// holds long enough to flip it back.
TEST(StateTracker, RepaintingReaderStaysInOneGroup) {
  StateTracker t = held();
  t.on_output(0);
  t.on_probe(TtyReadState::Reading, 200);
  EXPECT_EQ(t.current(200).state, SessionState::Working);  // the first state: at once
  EXPECT_FALSE(t.hold_until());
  EXPECT_EQ(t.current(1400).state, SessionState::Working);  // quiet 1.4 s: held back
  ASSERT_TRUE(t.hold_until());
  EXPECT_EQ(*t.hold_until(), 2200);  // quiet and reading since the probe at 200
  EXPECT_EQ(t.current(2100).state, SessionState::Working);
  EXPECT_EQ(t.current(2200).state, SessionState::Blocked);
  EXPECT_FALSE(t.hold_until());
  for (int64_t cycle = 3000; cycle < 30000; cycle += 3000) {
    t.on_output(cycle);  // the repaint
    t.on_probe(TtyReadState::NotReading, cycle);
    EXPECT_EQ(t.current(cycle).state, SessionState::Blocked) << cycle;
    t.on_probe(TtyReadState::Reading, cycle + 10);
    for (int64_t at = cycle + 10; at < cycle + 3000; at += 100)
      EXPECT_EQ(t.current(at).state, SessionState::Blocked) << at;
  }
}

// `top -d 1`: never quiet long enough, so it stays working.
TEST(StateTracker, FastRepaintingReaderStaysWorking) {
  StateTracker t = held();
  t.on_probe(TtyReadState::Reading, 0);
  for (int64_t cycle = 0; cycle < 20000; cycle += 1050) {
    t.on_output(cycle);
    for (int64_t at = cycle; at < cycle + 1050; at += 50) {
      t.on_probe(TtyReadState::Reading, at);
      EXPECT_EQ(t.current(at).state, SessionState::Working) << at;
    }
  }
}

// Without the hold (hold_ms 0), the same program flips: what the hold fixes.
TEST(StateTracker, WithoutAHoldARepaintingReaderFlips) {
  StateTracker t = held(0);
  t.on_output(0);
  t.on_probe(TtyReadState::Reading, 200);
  EXPECT_EQ(t.current(200).state, SessionState::Working);
  EXPECT_EQ(t.current(1500).state, SessionState::Blocked);
  t.on_output(3000);
  EXPECT_EQ(t.current(3000).state, SessionState::Working);
}

TEST(StateTracker, ProbeChangesWaitForTheHold) {
  StateTracker t = held();
  t.on_probe(TtyReadState::NotReading, 0);
  EXPECT_EQ(t.current(0).state, SessionState::Working);
  t.on_probe(TtyReadState::Reading, 10000);  // `sleep 10; read x`, silent
  EXPECT_EQ(t.current(10000).state, SessionState::Working);
  ASSERT_TRUE(t.hold_until());
  EXPECT_EQ(*t.hold_until(), 12000);
  // A blip of work resets the wait.
  t.on_probe(TtyReadState::NotReading, 11000);
  EXPECT_EQ(t.current(11000).state, SessionState::Working);
  EXPECT_FALSE(t.hold_until());
  t.on_probe(TtyReadState::Reading, 11500);
  EXPECT_EQ(t.current(13000).state, SessionState::Working);
  EXPECT_EQ(t.current(13500).state, SessionState::Blocked);
}

TEST(StateTracker, StrongSourcesAndInputShowAtOnce) {
  StateTracker t = held();
  t.on_probe(TtyReadState::Reading, 0);
  EXPECT_EQ(t.current(0).state, SessionState::Blocked);
  // The person answers; the program works at once.
  t.on_input(5000);
  t.on_probe(TtyReadState::NotReading, 5200);
  EXPECT_EQ(t.current(5200).state, SessionState::Working);
  // ... and when it reads again right after, that shows at once too.
  t.on_probe(TtyReadState::Reading, 5600);
  EXPECT_EQ(t.current(5600).state, SessionState::Blocked);
  // Long after the input, a change rests on the probe alone: held.
  t.on_probe(TtyReadState::NotReading, 20000);
  EXPECT_EQ(t.current(20000).state, SessionState::Blocked);
  EXPECT_EQ(t.current(22000).state, SessionState::Working);
  // A notification, a notify and a screen pattern: at once.
  t.on_notification("Build done", 30000);
  EXPECT_EQ(t.current(30000).state, SessionState::Blocked);
  t.on_notify(SessionState::Working, "", "", 31000);
  EXPECT_EQ(t.current(31000).state, SessionState::Working);
  StateTracker p = held();
  p.on_probe(TtyReadState::Reading, 0);
  p.on_output(0);
  EXPECT_EQ(p.current(0).state, SessionState::Working);
  p.on_screen(SessionState::Idle, 100);
  p.on_screen(SessionState::Idle, 600);
  EXPECT_EQ(p.current(600).state, SessionState::Idle);
  p.on_screen(std::nullopt, 5000);  // the pattern is gone: the probe says blocked
  p.on_screen(std::nullopt, 5500);
  EXPECT_EQ(p.current(5500).state, SessionState::Blocked);
}

TEST(StateTracker, RepaintsUnderAWaitingQuestionAreNotWork) {
  // An agent session: only output that adds to the screen counts. A logo
  // animating over a question the program reads on is not work.
  StateTracker::Options o;
  o.count_repaints = false;
  StateTracker t(o);
  t.on_output(0);
  t.on_growth(0);  // the first paint
  t.on_probe(TtyReadState::Reading, 100);
  EXPECT_EQ(t.current(100).state, SessionState::Working);
  for (int64_t ms = 200; ms <= 5000; ms += 100) t.on_output(ms);  // frames, same rows
  t.on_probe(TtyReadState::Reading, 5000);
  EXPECT_EQ(t.current(5000).state, SessionState::Blocked);
  // New rows (a reply streaming in) are work again.
  t.on_output(5100);
  t.on_growth(5100);
  EXPECT_EQ(t.current(5200).state, SessionState::Working);
  // Not reading: working whatever the output.
  t.on_probe(TtyReadState::NotReading, 9000);
  EXPECT_EQ(t.current(9000).state, SessionState::Working);
}

TEST(StateTracker, ABlockedPatternBeatsAnimation) {
  StateTracker::Options o;
  o.settle_ms = 400;
  StateTracker t(o);  // counting every repaint, as for a plain program
  t.on_probe(TtyReadState::Reading, 0);
  t.on_screen(SessionState::Blocked, 0);
  for (int64_t ms = 0; ms <= 2000; ms += 50) {
    t.on_output(ms);
    t.on_screen(SessionState::Blocked, ms);
  }
  EXPECT_EQ(t.current(2000).state, SessionState::Blocked);
}
