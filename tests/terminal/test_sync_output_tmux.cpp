// Terminal tests: synchronized output (mode 2026) while a person is
// attached inside a real tmux. A program opens an update, draws half a
// screen and stops there (it says so with a marker file, and waits for the
// test's go, or 400 ms); the attached client must show none of it until the
// update closes, then all of it. tmux's pipe-pane records the raw bytes
// the attach writes to its terminal, so the tests also see whether frames
// are wrapped in mode 2026: tmux 3.3a does not understand the mode (its
// terminfo entry has no Sync and it does not answer DECRQM for it), so
// "auto" writes no 2026 there and sync_output = "on" wraps every frame.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/amux_env.h"

using namespace amux::test;
namespace fs = std::filesystem;

namespace {

// argv: marker file, go file (waited for up to 30 s; "-": sleep 400 ms).
// Also answers what DECRQM for 2026 got, into the marker dir.
const char* kHalfUpdate = R"(import os, sys, time, tty, select
marker, go = sys.argv[1], sys.argv[2]
tty.setraw(0)
os.write(1, b"\x1b[?2026$p")
r = b""
while not r.endswith(b"y") and select.select([0], [], [], 10)[0]:
    r += os.read(0, 64)
open(marker + ".decrqm", "w").write(r.decode("latin1"))
os.write(1, b"sync-ready\r\n")
while not os.path.exists(marker + ".start"):
    time.sleep(0.02)
os.write(1, b"\x1b[?2026h\x1b[2J\x1b[H")
os.write(1, b"".join(b"TOPHALF-%02d\r\n" % i for i in range(6)))
open(marker, "w").close()
if go == "-":
    time.sleep(0.4)
else:
    deadline = time.time() + 30
    while not os.path.exists(go) and time.time() < deadline:
        time.sleep(0.02)
os.write(1, b"".join(b"BOTTOMHALF-%02d\r\n" % i for i in range(6)))
os.write(1, b"\x1b[?2026l")
time.sleep(3600)
)";

struct SyncSession {
  AmuxEnv env;
  std::string dir, marker, go, raw, id;
  Tmux tmux{100, 30, "env PS1='$ ' TERM=tmux-256color bash --norc --noprofile"};

  SyncSession(const std::string& config, bool use_go) {
    env.write_config(config);
    dir = env.config_dir();
    marker = dir + "/half-drawn";
    go = use_go ? dir + "/go" : "-";
    raw = dir + "/pane.raw";
    std::ofstream(dir + "/half.py") << kHalfUpdate;
    id = env.bg_exec("python3 " + dir + "/half.py " + marker + " " + go);
    EXPECT_TRUE(env.wait_capture(id, "sync-ready", 15000)) << env.capture(id);
    EXPECT_TRUE(tmux.wait_for("$"));
    tmux.send_text(env.env_prefix() + amux_bin() + " attach " + id);
    tmux.send_keys({"Enter"});
    EXPECT_TRUE(tmux.wait_for("sync-ready", 15000)) << tmux.capture();
    // From here on, every byte written to the pane is logged raw.
    auto r = tmux.tmux({"pipe-pane", "-O", "-t", "0", "cat >> " + raw});
    EXPECT_EQ(r.rc, 0) << r.err;
  }

  void start() const { std::ofstream(marker + ".start").close(); }
};

// The program opens an update and draws half a screen; the host has that
// half (amux capture reads its screen), yet the attached terminal shows
// none of it and got none of its bytes. Once the update closes, all of it.
TEST(SyncOutput, AttachedClientSeesNothingUntilTheUpdateCloses) {
  // The hold is long here so the checks in the middle take their time on a
  // loaded machine; the program itself waits for the test's go.
  SyncSession s("sync_hold_ms = 60000\n", true);
  s.start();
  ASSERT_TRUE(wait_until([&] { return fs::exists(s.marker); }, 30000));
  // Barrier: the host parsed the half (its own screen has it).
  ASSERT_TRUE(s.env.wait_capture(s.id, "TOPHALF-05", 15000)) << s.env.capture(s.id);
  std::string pane = s.tmux.capture();
  EXPECT_EQ(pane.find("TOPHALF"), std::string::npos) << pane;
  EXPECT_NE(pane.find("sync-ready"), std::string::npos) << pane;
  EXPECT_EQ(read_text(s.raw).find("TOPHALF"), std::string::npos);
  std::ofstream(s.go).close();
  ASSERT_TRUE(s.tmux.wait_for("BOTTOMHALF-05", 15000)) << s.tmux.capture();
  pane = s.tmux.capture();
  for (int i = 0; i < 6; i++) {
    char top[32], bottom[32];
    std::snprintf(top, sizeof top, "TOPHALF-%02d", i);
    std::snprintf(bottom, sizeof bottom, "BOTTOMHALF-%02d", i);
    EXPECT_NE(pane.find(top), std::string::npos) << pane;
    EXPECT_NE(pane.find(bottom), std::string::npos) << pane;
  }
  EXPECT_EQ(pane.find("sync-ready"), std::string::npos) << pane;  // the update cleared it
  // The whole update came as one frame: no frame start between the halves.
  std::string bytes = read_text(s.raw);
  size_t top = bytes.find("TOPHALF-00"), bottom = bytes.find("BOTTOMHALF-05");
  ASSERT_NE(top, std::string::npos);
  ASSERT_NE(bottom, std::string::npos);
  EXPECT_LT(top, bottom);
  EXPECT_EQ(bytes.substr(top, bottom - top).find("\x1b[?25l\x1b[?7l"), std::string::npos);
  // DECRQM for 2026 was answered as supported and reset (the program asked
  // before opening its update), by the host, not by tmux (which does not know it).
  EXPECT_EQ(read_text(s.marker + ".decrqm"), "\x1b[?2026;2$y");
  // tmux-256color has no Sync: with "auto" nothing is wrapped.
  EXPECT_EQ(bytes.find("\x1b[?2026"), std::string::npos);
}

// As a program really does it: half, 400 ms, the rest, with the default
// hold of a second. The terminal shows the whole screen at the end, and
// the raw bytes never carried the first half without the second.
TEST(SyncOutput, HalfThenSleepThenRestArrivesWhole) {
  SyncSession s("", false);
  s.start();
  ASSERT_TRUE(s.tmux.wait_for("BOTTOMHALF-05", 15000)) << s.tmux.capture();
  EXPECT_NE(s.tmux.capture().find("TOPHALF-00"), std::string::npos);
  std::string bytes = read_text(s.raw);
  size_t top = bytes.find("TOPHALF-00"), bottom = bytes.find("BOTTOMHALF-05");
  ASSERT_NE(top, std::string::npos);
  ASSERT_NE(bottom, std::string::npos);
  EXPECT_EQ(bytes.substr(top, bottom - top).find("\x1b[?25l\x1b[?7l"), std::string::npos);
}

// An update the program never closes is drawn after the hold anyway, as
// terminals do (the go never comes within the test: the hold is short).
TEST(SyncOutput, UpdateLeftOpenIsDrawnAfterTheHold) {
  SyncSession s("sync_hold_ms = 300\n", true);
  s.start();
  ASSERT_TRUE(s.tmux.wait_for("TOPHALF-05", 15000)) << s.tmux.capture();
  EXPECT_FALSE(fs::exists(s.go));
  EXPECT_EQ(s.tmux.capture().find("BOTTOMHALF"), std::string::npos);
  std::ofstream(s.go).close();
  EXPECT_TRUE(s.tmux.wait_for("BOTTOMHALF-05", 15000)) << s.tmux.capture();
}

// sync_output = "on": the person's terminal is taken to understand mode
// 2026 whatever its terminfo says, and every frame is wrapped in it.
TEST(SyncOutput, FramesWrappedWhenConfigured) {
  SyncSession s("sync_output = \"on\"\n", false);
  s.start();
  ASSERT_TRUE(s.tmux.wait_for("BOTTOMHALF-05", 15000)) << s.tmux.capture();
  std::string bytes = read_text(s.raw);
  size_t top = bytes.find("TOPHALF-00");
  ASSERT_NE(top, std::string::npos);
  size_t open = bytes.rfind("\x1b[?2026h", top);
  ASSERT_NE(open, std::string::npos);
  size_t close = bytes.find("\x1b[?2026l", top);
  ASSERT_NE(close, std::string::npos);
  EXPECT_LT(bytes.find("BOTTOMHALF-05"), close);
  // Every frame start sits inside an open update.
  size_t at = 0, frames = 0;
  while ((at = bytes.find("\x1b[?25l\x1b[?7l", at)) != std::string::npos) {
    size_t last_open = bytes.rfind("\x1b[?2026h", at), last_close = bytes.rfind("\x1b[?2026l", at);
    ASSERT_NE(last_open, std::string::npos);
    EXPECT_TRUE(last_close == std::string::npos || last_close < last_open);
    ++frames;
    ++at;
  }
  EXPECT_GE(frames, 1u);
}

}  // namespace
