// Terminal tests: what a program reads, key by key, while a person is
// attached inside a real tmux. A lone Esc (an agent's interrupt) must reach
// the program on its own and soon, though ESC also begins the CSI u form of
// the detach key; arrow keys, Alt+x and CSI u keys must still arrive whole.
// The program logs every read(2) with a CLOCK_MONOTONIC timestamp, the same
// clock as std::chrono::steady_clock here. Both key readers are tried: the
// session host reading the client's terminal (the default) and the client
// relaying keys over the socket (AMUX_ATTACH_RELAY=1).
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "support/amux_env.h"

using namespace amux::test;
using Clock = std::chrono::steady_clock;

namespace {

// Reads its terminal raw and appends "<monotonic ns> <hex of the bytes>" per read.
const char* kKeyLog = R"(import os, sys, time, tty
tty.setraw(0)
log = open(sys.argv[1], "a", buffering=1)
os.write(1, b"keylog-ready\r\n")
while True:
    b = os.read(0, 4096)
    if not b:
        break
    log.write("%d %s\n" % (time.monotonic_ns(), b.hex()))
)";

struct Read {
  int64_t ns = 0;
  std::string hex;
};

std::vector<Read> reads(const std::string& path) {
  std::vector<Read> v;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream l(line);
    Read r;
    if (l >> r.ns >> r.hex) v.push_back(r);
  }
  return v;
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

struct KeyLogSession {
  AmuxEnv env;
  std::string log;
  std::string id;
  Tmux tmux{100, 30, "env PS1='$ ' TERM=tmux-256color bash --norc --noprofile"};

  explicit KeyLogSession(bool relay, const std::string& config = "", const std::string& keymap = "") {
    if (!config.empty()) env.write_config(config);
    if (!keymap.empty()) std::ofstream(env.config_dir() + "/keymap.toml") << keymap;
    const std::string script = env.config_dir() + "/keylog.py";
    log = env.config_dir() + "/reads.log";
    std::ofstream(script) << kKeyLog;
    id = env.bg_exec("python3 " + script + " " + log);
    EXPECT_TRUE(env.wait_capture(id, "keylog-ready"));
    EXPECT_TRUE(tmux.wait_for("$"));
    tmux.send_text(env.env_prefix() + (relay ? "AMUX_ATTACH_RELAY=1 " : "") + amux_bin() + " attach " + id);
    tmux.send_keys({"Enter"});
    EXPECT_TRUE(tmux.wait_for("keylog-ready")) << tmux.capture();
    // A first key read through the attach: from here on keys flow.
    EXPECT_TRUE(wait_until([&] {
      tmux.send_keys({"z"});
      return wait_for_reads(1, 500);
    }, 15000)) << tmux.capture();
    skip_ = reads(log).size();
  }

  // The reads since the attach was known to work.
  std::vector<Read> fresh() const {
    auto all = reads(log);
    return std::vector<Read>(all.begin() + long(std::min(skip_, all.size())), all.end());
  }
  bool wait_for_reads(size_t n, int timeout_ms = 10000) const {
    return wait_until([&] { return reads(log).size() >= skip_ + n; }, timeout_ms);
  }
  // Send one key and return the read it caused.
  Read key(const std::vector<std::string>& keys) {
    size_t before = fresh().size();
    tmux.send_keys(keys);
    EXPECT_TRUE(wait_for_reads(before + 1)) << tmux.capture();
    auto f = fresh();
    return f.size() > before ? f[before] : Read{};
  }

  size_t skip_ = 0;
};

}  // namespace

class AttachKeys : public ::testing::TestWithParam<bool> {};

TEST_P(AttachKeys, LoneEscapeReachesTheProgramAloneWithin100ms) {
  KeyLogSession s(GetParam());
  for (int round = 0; round < 3; round++) {
    size_t before = s.fresh().size();
    s.tmux.send_keys({"Escape"});
    const int64_t sent = now_ns();  // tmux has written the byte by now
    // Nothing else is typed: the Esc must come through on its own.
    ASSERT_TRUE(s.wait_for_reads(before + 1)) << "a lone Esc never reached the program";
    Read r = s.fresh()[before];
    EXPECT_EQ(r.hex, "1b");
    EXPECT_LT((r.ns - sent) / 1000000, 100) << "Esc took " << (r.ns - sent) / 1000000 << " ms";
  }
}

TEST_P(AttachKeys, EscapeThenAKeyLaterAreTwoReads) {
  KeyLogSession s(GetParam());
  size_t before = s.fresh().size();
  s.tmux.send_keys({"Escape"});
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  s.tmux.send_keys({"x"});
  ASSERT_TRUE(s.wait_for_reads(before + 2)) << "Esc and x came as one read (Alt+x)";
  auto f = s.fresh();
  EXPECT_EQ(f[before].hex, "1b");
  EXPECT_EQ(f[before + 1].hex, "78");
}

TEST_P(AttachKeys, ArrowsAltAndCsiUKeysArriveWhole) {
  KeyLogSession s(GetParam());
  Read up = s.key({"Up"});
  EXPECT_TRUE(up.hex == "1b5b41" || up.hex == "1b4f41") << up.hex;
  Read left = s.key({"Left"});
  EXPECT_TRUE(left.hex == "1b5b44" || left.hex == "1b4f44") << left.hex;
  EXPECT_EQ(s.key({"M-x"}).hex, "1b78");
  EXPECT_EQ(s.key({"F5"}).hex, "1b5b31357e");
  // C-a in its CSI u form (ESC [ 97 ; 5 u), which shares "ESC [ 9" with the
  // CSI u form of the detach key.
  EXPECT_EQ(s.key({"-H", "1b", "5b", "39", "37", "3b", "35", "75"}).hex, "1b5b39373b3575");
  // The detach key in its CSI u form still detaches.
  s.tmux.send_keys({"-H", "1b", "5b", "39", "32", "3b", "35", "75"});
  EXPECT_TRUE(s.tmux.wait_for("[detached from " + s.id)) << s.tmux.capture();
}

TEST_P(AttachKeys, PrefixKeyStillWaitsForItsSecondKey) {
  KeyLogSession s(GetParam());
  size_t before = s.fresh().size();
  s.tmux.send_keys({"C-b"});
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  s.tmux.send_keys({"C-b"});  // C-b C-b: send-prefix, one C-b for the program
  ASSERT_TRUE(s.wait_for_reads(before + 1));
  // A barrier key: everything before it has been read.
  Read bar = s.key({"y"});
  EXPECT_EQ(bar.hex, "79");
  auto f = s.fresh();
  std::string all;
  for (size_t i = before; i < f.size(); i++) all += f[i].hex;
  EXPECT_EQ(all, "0279");
}

// send-prefix types the prefix the keymap configures, not a built-in C-b.
TEST_P(AttachKeys, SendPrefixSendsTheConfiguredPrefix) {
  KeyLogSession s(GetParam(), "",
                  "[attach]\ndetach = [\"C-\\\\\", \"C-a d\"]\nnext = [\"C-a n\"]\n"
                  "previous = [\"C-a p\"]\nback = [\"C-a Left\"]\nsend-prefix = [\"C-a C-a\"]\n"
                  "copy-mode = [\"C-a [\"]\n");
  size_t before = s.fresh().size();
  s.tmux.send_keys({"C-a", "C-a"});
  ASSERT_TRUE(s.wait_for_reads(before + 1));
  // C-b is no binding any more: it reaches the program as typed. y is a
  // barrier: once it is read, everything before it has been.
  s.tmux.send_keys({"C-b"});
  s.tmux.send_keys({"y"});
  std::string all;
  EXPECT_TRUE(wait_until([&] {
    auto f = s.fresh();
    all.clear();
    for (size_t i = before; i < f.size(); i++) all += f[i].hex;
    return all.find("79") != std::string::npos;
  }, 10000)) << all;
  EXPECT_EQ(all, "010279");
  // The rebound prefix's chords work too.
  s.tmux.send_keys({"C-a", "d"});
  EXPECT_TRUE(s.tmux.wait_for("[detached from " + s.id)) << s.tmux.capture();
}

// escape_time_ms from config.toml reaches both readers: with a long one, Esc
// and a key 200 ms later are one key again (Alt+x).
TEST_P(AttachKeys, EscapeTimeComesFromTheConfig) {
  KeyLogSession s(GetParam(), "escape_time_ms = 2000\n");
  size_t before = s.fresh().size();
  s.tmux.send_keys({"Escape"});
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  s.tmux.send_keys({"x"});
  ASSERT_TRUE(s.wait_for_reads(before + 1));
  EXPECT_EQ(s.fresh()[before].hex, "1b78");
}

INSTANTIATE_TEST_SUITE_P(Readers, AttachKeys, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& i) {
                           return std::string(i.param ? "ClientRelays" : "HostReadsTheTerminal");
                         });
