// Rules of the state tracker (state_tracker.h), source by source, with the
// clock driven by hand.
#include <gtest/gtest.h>

#include "mux/state_tracker.h"

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
