// Integration tests for bounded resources on both sockets: a client that
// asks without reading the answers is let go before the host grows, a
// watcher that does not read misses events and gets the whole list again
// once it reads (the supervisor stays small), and a connection that never
// says Hello is closed after the handshake timeout — so it no longer keeps
// an idle supervisor alive.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/amux_env.h"

using namespace amux::test;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr uint8_t kHello = 1, kRequest = 4, kResponse = 5, kEvent = 16;

int raw_connect(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) { close(fd); return -1; }
  return fd;
}

std::string frame(uint8_t type, const std::string& payload) {
  uint32_t n = uint32_t(payload.size() + 1);
  std::string out(reinterpret_cast<const char*>(&n), 4);
  out.push_back(char(type));
  return out + payload;
}

std::string hello() { return frame(kHello, json{{"proto", 1}, {"client", "test"}, {"pid", getpid()}}.dump()); }

bool write_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = write(fd, s.data() + off, s.size() - off);
    if (n <= 0) return false;
    off += size_t(n);
  }
  return true;
}

// Reads whole frames from a socket.
struct FrameReader {
  int fd;
  std::string buf;
  // Next frame within timeout_ms; false on EOF or timeout.
  bool next(uint8_t* type, std::string* payload, int timeout_ms = 10000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (true) {
      if (buf.size() >= 5) {
        uint32_t n;
        memcpy(&n, buf.data(), 4);
        if (buf.size() >= 4 + size_t(n)) {
          *type = uint8_t(buf[4]);
          *payload = buf.substr(5, n - 1);
          buf.erase(0, 4 + size_t(n));
          return true;
        }
      }
      int left = int(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
      if (left <= 0) return false;
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, left) <= 0) continue;
      char tmp[65536];
      ssize_t got = read(fd, tmp, sizeof tmp);
      if (got <= 0) return false;
      buf.append(tmp, size_t(got));
    }
  }
};

// The peer has closed its end (data may still be unread here).
bool peer_closed(int fd) {
  pollfd p{fd, POLLRDHUP, 0};
  return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP));
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

long rss_kb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

int supervisor_pid(const AmuxEnv& env) {
  auto r = env.amux({"daemon", "status", "--json"});
  if (r.rc != 0) return 0;
  try { return json::parse(r.out).value("pid", 0); } catch (...) { return 0; }
}

std::string control_socket(const AmuxEnv& env) {
  auto r = env.amux({"daemon", "status", "--json"});
  return json::parse(r.out).value("socketDir", std::string()) + "/control.sock";
}

}  // namespace

TEST(Bounds, HostLetsGoOfAClientThatDoesNotReadItsReplies) {
  AmuxEnv env;
  // ~1.9 MB of scrollback: each `logs` answer is about that big.
  std::string id = env.bg_exec(
      "awk 'BEGIN{for(i=0;i<12000;i++){printf \"%06d\", i; for(j=0;j<180;j++) printf \"x\"; print \"\"}}'; "
      "echo big-done; sleep 300");
  ASSERT_TRUE(env.wait_capture(id, "big-done", 60000));
  int host = std::stoi(env.record_field(id, "hostPid"));
  long before = rss_kb(host);
  ASSERT_GT(before, 0);
  int fd = raw_connect(env.record_field(id, "socket"));
  ASSERT_GE(fd, 0);
  std::string flood = hello();
  for (int i = 0; i < 30; i++) flood += frame(kRequest, R"({"op":"logs"})");
  ASSERT_TRUE(write_all(fd, flood));
  // Unbounded, the host would queue 30 answers (~57 MB) and keep the
  // connection; bounded, it lets go of it.
  EXPECT_TRUE(wait_until([&] { return peer_closed(fd); }, 20000)) << "the host kept a client that does not read";
  long after = rss_kb(host);
  if (!kSanitized) {  // the sanitizer's heap and quarantine are no measure of the host's own
    EXPECT_LT(after - before, 25 * 1024) << "host grew from " << before << " kB to " << after << " kB";
  }
  // What did arrive is a few whole answers, not 30.
  FrameReader rd{fd, {}};
  int responses = 0;
  uint8_t t;
  std::string p;
  while (rd.next(&t, &p, 5000)) responses += t == kResponse;
  EXPECT_LT(responses, 30);
  close(fd);
  // The host goes on serving everyone else.
  EXPECT_NE(env.capture(id).find("big-done"), std::string::npos);
  EXPECT_EQ(env.session(id).value("state", ""), "working");
}

TEST(Bounds, HostClosesAConnectionThatSaysNothing) {
  AmuxEnv env;
  std::string id = env.bg_exec("sleep 300");
  ASSERT_TRUE(wait_until([&] { return !env.record_field(id, "socket").empty(); }));
  int fd = raw_connect(env.record_field(id, "socket"));
  ASSERT_GE(fd, 0);
  EXPECT_TRUE(wait_until([&] { return peer_closed(fd); }, 20000)) << "a silent connection was kept";
  close(fd);
  EXPECT_EQ(env.amux({"capture", id}).rc, 0);
}

TEST(Bounds, SupervisorClosesASilentConnectionAndExitsWhenIdle) {
  AmuxEnv env;
  env.write_config("[daemon]\nidle_exit = 3\n");
  ASSERT_EQ(env.amux({"agents"}).rc, 0);  // starts a supervisor with nothing to do
  int pid = supervisor_pid(env);
  ASSERT_GT(pid, 0);
  int fd = raw_connect(control_socket(env));
  ASSERT_GE(fd, 0);
  EXPECT_TRUE(wait_until([&] { return peer_closed(fd); }, 20000)) << "a silent connection was kept";
  EXPECT_TRUE(wait_until([&] { return kill(pid, 0) != 0; }, 20000)) << "the supervisor did not exit when idle";
  close(fd);
}

TEST(Bounds, SupervisorWatcherThatDoesNotReadStaysSmall) {
  AmuxEnv env;
  // A long working directory makes each event ~4 KB.
  fs::path dir = env.config_dir() + "/w";
  for (int i = 0; i < 15; i++) dir /= std::string(200, char('a' + i));
  fs::create_directories(dir);
  auto r = run_process({"sh", "-c", "cd '" + dir.string() + "' && exec '" + amux_bin() + "' --bg --exec 'sleep 300'"},
                       env.env());
  const std::string id = dispatched_id(r);
  ASSERT_FALSE(id.empty());
  int sup = supervisor_pid(env);
  ASSERT_GT(sup, 0);
  std::string sock = control_socket(env);

  // The watcher: says hello, asks to watch, then reads nothing.
  int watcher = raw_connect(sock);
  ASSERT_GE(watcher, 0);
  ASSERT_TRUE(write_all(watcher, hello() + frame(kRequest, R"({"op":"watch"})")));
  // A client that does read its answers makes thousands of events.
  int ctl = raw_connect(sock);
  ASSERT_GE(ctl, 0);
  FrameReader rd{ctl, {}};
  uint8_t t;
  std::string pl;
  ASSERT_TRUE(write_all(ctl, hello()));
  ASSERT_TRUE(rd.next(&t, &pl));  // Welcome
  long before = rss_kb(sup);
  const int kEvents = 3000, kBatch = 50;
  for (int i = 0; i < kEvents; i += kBatch) {
    std::string batch;
    for (int k = 0; k < kBatch; k++)
      batch += frame(kRequest, json{{"op", (i + k) % 2 ? "unpin" : "pin"}, {"id", id}}.dump());
    ASSERT_TRUE(write_all(ctl, batch));
    for (int k = 0; k < kBatch; k++) ASSERT_TRUE(rd.next(&t, &pl)) << "request " << i + k;
  }
  long after = rss_kb(sup);
  if (!kSanitized) {
    EXPECT_LT(after - before, 6 * 1024) << "supervisor grew from " << before << " kB to " << after << " kB";
  }
  // Once the watcher reads, it gets the whole list again after the events it missed.
  FrameReader wr{watcher, {}};
  bool resynced = false;
  while (!resynced && wr.next(&t, &pl, 10000)) {
    if (t != kEvent) continue;
    auto j = json::parse(pl, nullptr, false);
    resynced = j.is_object() && j.contains("sessions") && j["sessions"].is_array() && j["sessions"].size() == 1 &&
               j["sessions"][0].value("id", "") == id;
  }
  EXPECT_TRUE(resynced) << "no resync event for the watcher";
  close(watcher);
  close(ctl);
  EXPECT_EQ(env.amux({"daemon", "status"}).rc, 0);
}
