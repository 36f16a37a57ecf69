// test_mux_host.cpp — a real session host, in-process on its own loop thread,
// driven through its socket: real PTYs, real child processes, real libvterm.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <termios.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "mux/wire/host_client.h"
#include "mux/store/paths.h"
#include "mux/wire/protocol.h"
#include "mux/host/session_host.h"
#include "mux/store/session_id.h"
#include "mux/store/session_record.h"
#include "render/screen.h"
#include "render/text_dump.h"

using namespace amux::mux;
using nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

// Generous deadlines: slow machines and sanitizer builds must not flake.
constexpr auto kDeadline = 30s;

bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout = kDeadline) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return pred();
}

long vm_rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

// A SessionHost running on its own loop in a thread.
class HostThread {
 public:
  explicit HostThread(HostOptions opts) {
    std::promise<std::string> started;
    auto fut = started.get_future();
    th_ = std::thread([this, opts, started = std::move(started)]() mutable {
      uv_loop_init(&loop_);
      uv_async_init(&loop_, &stop_, [](uv_async_t* a) { uv_stop(a->loop); });
      uv_unref(reinterpret_cast<uv_handle_t*>(&stop_));
      {
        SessionHost host(&loop_, std::move(opts));
        started.set_value(host.start());
        uv_run(&loop_, UV_RUN_DEFAULT);
      }
      uv_close(reinterpret_cast<uv_handle_t*>(&stop_), nullptr);
      uv_run(&loop_, UV_RUN_DEFAULT);
      uv_loop_close(&loop_);
      done_ = true;
    });
    start_error = fut.get();
  }
  ~HostThread() { join(); }

  bool done() const { return done_; }
  // Wait for the host to end by itself; force it after the deadline.
  void join(std::chrono::milliseconds timeout = 20s) {
    if (!th_.joinable()) return;
    if (!wait_until([this] { return done_.load(); }, timeout)) uv_async_send(&stop_);
    th_.join();
  }

  std::string start_error;

 private:
  uv_loop_t loop_{};
  uv_async_t stop_{};
  std::atomic<bool> done_{false};
  std::thread th_;
};

// A raw unix socket, for speaking the protocol badly on purpose.
struct RawConn {
  int fd = -1;
  explicit RawConn(const std::string& path) {
    fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ~RawConn() {
    if (fd >= 0) ::close(fd);
  }
  void send_bytes(std::string_view b) {
    while (!b.empty()) {
      ssize_t n = ::send(fd, b.data(), b.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      b.remove_prefix(size_t(n));
    }
  }
  // Read until EOF/reset (true) or the deadline (false); collects the bytes.
  bool wait_closed(std::string* got = nullptr, int timeout_ms = 20000) {
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    char buf[4096];
    while (std::chrono::steady_clock::now() < end) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return true;
      if (got) got->append(buf, size_t(n));
    }
    return false;
  }
};

class MuxHost : public ::testing::Test {
 protected:
  void SetUp() override {
    char x[] = "/tmp/amuxt-XXXXXX";
    char c[] = "/tmp/amuxc-XXXXXX";
    ASSERT_TRUE(::mkdtemp(x));
    ASSERT_TRUE(::mkdtemp(c));
    xdg_ = x;
    cfg_ = c;
    if (const char* o = std::getenv("AMUX_CONFIG_DIR")) old_cfg_ = o;
    if (const char* o = std::getenv("XDG_RUNTIME_DIR")) old_xdg_ = o;
    ::setenv("AMUX_CONFIG_DIR", cfg_.c_str(), 1);
    ::setenv("XDG_RUNTIME_DIR", xdg_.c_str(), 1);
    paths_ = Paths::from_env();
    ASSERT_EQ(paths_.ensure(), "");
  }
  void TearDown() override {
    for (auto& h : hosts_) {
      HostClient hc;
      if (!h.second->done() && hc.connect(paths_.host_socket(h.first), 2000).empty())
        hc.request({{"op", "shutdown"}}, 15000);
      h.second->join();
    }
    hosts_.clear();
    if (old_cfg_) ::setenv("AMUX_CONFIG_DIR", old_cfg_->c_str(), 1);
    else ::unsetenv("AMUX_CONFIG_DIR");
    if (old_xdg_) ::setenv("XDG_RUNTIME_DIR", old_xdg_->c_str(), 1);
    else ::unsetenv("XDG_RUNTIME_DIR");
    std::error_code ec;
    fs::remove_all(xdg_, ec);
    fs::remove_all(cfg_, ec);
  }

  // Write a record for argv and start a host for it. Returns the id.
  std::string start_host(const std::vector<std::string>& argv, int rows = 24, int cols = 80,
                         std::function<void(HostOptions&)> tweak = nullptr) {
    SessionRecord r;
    r.id = new_session_id();
    r.name = "test-" + r.id;
    r.argv = argv;
    r.cwd = cfg_;
    r.rows = rows;
    r.cols = cols;
    r.env = {"AMUX_TEST_VAR=yes"};
    EXPECT_EQ(save_record(paths_, r), 0);
    HostOptions o;
    o.paths = paths_;
    o.id = r.id;
    o.scrollback_lines = 2000;
    if (tweak) tweak(o);
    auto h = std::make_unique<HostThread>(o);
    EXPECT_EQ(h->start_error, "");
    hosts_.emplace_back(r.id, std::move(h));
    return r.id;
  }

  HostThread& host(const std::string& id) {
    for (auto& h : hosts_)
      if (h.first == id) return *h.second;
    throw std::runtime_error("no host");
  }

  HostClient client(const std::string& id) {
    HostClient hc;
    std::string err = hc.connect(paths_.host_socket(id));
    EXPECT_EQ(err, "");
    return hc;
  }

  // A PTY pair in raw mode, standing in for an attach client's terminal.
  static bool open_raw_pty(int* master, int* slave) {
    if (::openpty(master, slave, nullptr, nullptr, nullptr) != 0) return false;
    struct termios raw {};
    ::tcgetattr(*slave, &raw);
    ::cfmakeraw(&raw);
    return ::tcsetattr(*slave, TCSANOW, &raw) == 0;
  }

  json request(const std::string& id, const json& req) {
    HostClient hc = client(id);
    return hc.request(req);
  }

  json record(const std::string& id) {
    json r = request(id, {{"op", "state"}});
    EXPECT_TRUE(r.value("ok", false)) << r.dump();
    return r.value("record", json::object());
  }

  std::string capture(const std::string& id, bool sgr = false) {
    json r = request(id, {{"op", "capture"}, {"sgr", sgr}});
    return r.value("text", std::string());
  }

  bool wait_capture(const std::string& id, const std::string& needle) {
    return wait_until([&] { return capture(id).find(needle) != std::string::npos; });
  }

  bool wait_state(const std::string& id, const std::string& state,
                  std::chrono::milliseconds timeout = kDeadline) {
    return wait_until([&] { return record(id).value("state", "") == state; }, timeout);
  }

  std::string xdg_, cfg_;
  std::optional<std::string> old_cfg_, old_xdg_;
  Paths paths_;
  std::vector<std::pair<std::string, std::unique_ptr<HostThread>>> hosts_;
};

}  // namespace

TEST_F(MuxHost, ShellJobRunsAnswersAndCompletes) {
  std::string id = start_host(
      {"sh", "-c", "echo hi $AMUX_TEST_VAR $AMUX_SESSION; read x; echo got $x; sleep 0.2"});
  HostClient hc = client(id);
  EXPECT_EQ(hc.welcome()["server"], "host");
  EXPECT_EQ(hc.welcome()["id"], id);

  json rec = hc.request({{"op", "state"}})["record"];
  EXPECT_EQ(rec["state"], "working");
  EXPECT_GT(rec.value("pid", 0), 0);
  EXPECT_EQ(rec.value("hostPid", 0), int(::getpid()));
  EXPECT_GT(rec.value("hostStartTime", uint64_t(0)), 0u);
  EXPECT_EQ(rec["socket"], paths_.host_socket(id));
  EXPECT_GT(rec.value("startedAt", int64_t(0)), 0);

  struct stat st;
  ASSERT_EQ(::stat(paths_.host_socket(id).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  ASSERT_TRUE(wait_capture(id, "hi yes " + id)) << capture(id);
  EXPECT_TRUE(wait_until([&] { return record(id).value("hadWork", false); }));
  // The record on disk was written on start and on first output.
  auto disk = load_record(paths_, id);
  ASSERT_TRUE(disk);
  EXPECT_EQ(disk->state, SessionState::Working);
  EXPECT_EQ(disk->pid, rec.value("pid", 0));

  json r = hc.request({{"op", "reply"}, {"text", "abc"}});
  EXPECT_TRUE(r.value("ok", false)) << r.dump();
  ASSERT_TRUE(wait_capture(id, "got abc")) << capture(id);

  ASSERT_TRUE(wait_state(id, "done")) << record(id).dump();
  rec = record(id);
  EXPECT_EQ(rec["detail"], "got abc");
  EXPECT_EQ(rec["exitCode"], 0);
  EXPECT_FALSE(rec.contains("pid"));
  EXPECT_GT(rec.value("finishedAt", int64_t(0)), 0);
  disk = load_record(paths_, id);
  ASSERT_TRUE(disk);
  EXPECT_EQ(disk->state, SessionState::Done);
  EXPECT_EQ(disk->detail, "got abc");

  // Logs still work while the host lingers; reply does not.
  json logs = request(id, {{"op", "logs"}, {"lines", 0}});
  EXPECT_NE(logs.value("text", "").find("hi yes"), std::string::npos);
  EXPECT_NE(logs.value("text", "").find("got abc"), std::string::npos);
  r = request(id, {{"op", "reply"}, {"text", "late"}});
  EXPECT_FALSE(r.value("ok", true));
  EXPECT_EQ(r["error"], "session is not running");

  r = request(id, {{"op", "no-such-op"}});
  EXPECT_FALSE(r.value("ok", true));
  r = request(id, {{"op", "shutdown"}});
  EXPECT_TRUE(r.value("ok", false)) << r.dump();
  host(id).join();
  EXPECT_TRUE(host(id).done());
  EXPECT_FALSE(fs::exists(paths_.host_socket(id)));
}

TEST_F(MuxHost, NonZeroExitFailsWithDetail) {
  std::string id = start_host({"sh", "-c", "echo oops; exit 3"});
  ASSERT_TRUE(wait_state(id, "failed")) << record(id).dump();
  json rec = record(id);
  EXPECT_EQ(rec["detail"], "exit 3 — oops");
  EXPECT_EQ(rec["exitCode"], 3);
  EXPECT_FALSE(rec.contains("signal"));
}

TEST_F(MuxHost, KilledBySignalFails) {
  std::string id = start_host({"sh", "-c", "echo dying; kill -KILL $$"});
  ASSERT_TRUE(wait_state(id, "failed")) << record(id).dump();
  json rec = record(id);
  EXPECT_EQ(rec["detail"], "SIGKILL (137) — dying");
  EXPECT_EQ(rec["signal"], 9);
}

TEST_F(MuxHost, MissingProgramFails) {
  std::string id = start_host({"/nonexistent/amux-test-program"});
  ASSERT_TRUE(wait_state(id, "failed")) << record(id).dump();
  EXPECT_EQ(record(id)["exitCode"], 127);
}

TEST_F(MuxHost, StopEndsTheSession) {
  std::string id = start_host({"sh", "-c", "echo ready; sleep 1000"});
  ASSERT_TRUE(wait_capture(id, "ready"));
  json r = request(id, {{"op", "stop"}});
  ASSERT_TRUE(r.value("ok", false)) << r.dump();
  EXPECT_EQ(r["record"]["state"], "stopped");  // answered once the child was reaped
  EXPECT_EQ(r["record"]["detail"], "stopped");
  EXPECT_FALSE(r["record"].contains("pid"));
  EXPECT_EQ(load_record(paths_, id)->state, SessionState::Stopped);
  // Stopping again is harmless.
  r = request(id, {{"op", "stop"}});
  EXPECT_TRUE(r.value("ok", false));
  EXPECT_EQ(r["record"]["state"], "stopped");
}

TEST_F(MuxHost, StopEscalatesToSigkill) {
  std::string id =
      start_host({"sh", "-c", "trap '' HUP TERM; echo stubborn; while :; do sleep 0.1; done"});
  ASSERT_TRUE(wait_capture(id, "stubborn"));
  HostClient hc = client(id);
  json r = hc.request({{"op", "stop"}}, 30000);
  ASSERT_TRUE(r.value("ok", false)) << r.dump();
  EXPECT_EQ(r["record"]["state"], "stopped");
  EXPECT_EQ(r["record"]["signal"], 9);
}

TEST_F(MuxHost, SigtermToTheHostStopsTheSession) {
  std::string id = start_host({"sh", "-c", "echo up; sleep 1000"});
  ASSERT_TRUE(wait_capture(id, "up"));
  // The host's uv_signal watcher owns SIGTERM while it runs; the test process
  // itself is not terminated.
  ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
  ASSERT_TRUE(wait_until([&] { return host(id).done(); }));
  auto disk = load_record(paths_, id);
  ASSERT_TRUE(disk);
  EXPECT_EQ(disk->state, SessionState::Stopped);
  EXPECT_EQ(disk->detail, "stopped");
  EXPECT_EQ(disk->pid, 0);
  EXPECT_FALSE(fs::exists(paths_.host_socket(id)));
}

TEST_F(MuxHost, LingerEndsTheHost) {
  std::string id = start_host({"sh", "-c", "echo bye"}, 24, 80,
                              [](HostOptions& o) { o.linger_seconds = 0.2; });
  ASSERT_TRUE(wait_until([&] { return host(id).done(); }));
  auto disk = load_record(paths_, id);
  ASSERT_TRUE(disk);
  EXPECT_EQ(disk->state, SessionState::Done);
  EXPECT_EQ(disk->detail, "bye");
  EXPECT_FALSE(fs::exists(paths_.host_socket(id)));
  HostClient hc;
  EXPECT_EQ(hc.connect(paths_.host_socket(id)), "no session host at " + paths_.host_socket(id));
}

TEST_F(MuxHost, RenameAndLinger) {
  std::string id = start_host({"sh", "-c", "read x"});
  json r = request(id, {{"op", "rename"}, {"name", "better-name"}});
  ASSERT_TRUE(r.value("ok", false)) << r.dump();
  EXPECT_EQ(r["record"]["name"], "better-name");
  EXPECT_EQ(load_record(paths_, id)->name, "better-name");
  EXPECT_EQ(load_record(paths_, id)->name_source, "user");
  // A rename made by someone else in the file survives the host's next write.
  auto disk = load_record(paths_, id);
  disk->name = "from-supervisor";
  disk->extra["pinned"] = true;
  ASSERT_EQ(save_record(paths_, *disk), 0);
  r = request(id, {{"op", "rename"}, {"name", 5}});
  EXPECT_FALSE(r.value("ok", true));
  r = request(id, {{"op", "set_linger"}, {"seconds", 0}});
  EXPECT_TRUE(r.value("ok", false));
  r = request(id, {{"op", "input"}, {"data", "\n"}});
  EXPECT_TRUE(r.value("ok", false));
  // The child ends; with linger 0 the host goes away by itself.
  ASSERT_TRUE(wait_until([&] { return host(id).done(); }));
  disk = load_record(paths_, id);
  EXPECT_EQ(disk->state, SessionState::Done);
  EXPECT_EQ(disk->name, "from-supervisor");
  EXPECT_EQ(disk->extra.value("pinned", false), true);
}

TEST_F(MuxHost, SecondHostForTheSameSessionIsRefused) {
  std::string id = start_host({"sh", "-c", "sleep 1000"});
  HostOptions o;
  o.paths = paths_;
  o.id = id;
  HostThread second(o);
  EXPECT_NE(second.start_error.find("already has a host"), std::string::npos)
      << second.start_error;
  second.join();
  EXPECT_EQ(record(id)["state"], "working");  // the first one is untouched
}

TEST_F(MuxHost, ReadyFdReportsOkOrError) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  std::string id = start_host({"sh", "-c", "sleep 1000"}, 24, 80,
                              [&](HostOptions& o) { o.ready_fd = p[1]; });
  char buf[64] = {};
  ASSERT_GT(::read(p[0], buf, sizeof buf - 1), 0);
  EXPECT_STREQ(buf, "ok\n");
  ::close(p[0]);

  ASSERT_EQ(::pipe(p), 0);
  HostOptions o;
  o.paths = paths_;
  o.id = "00000000";  // no record
  o.ready_fd = p[1];
  HostThread bad(o);
  EXPECT_NE(bad.start_error, "");
  bad.join();
  std::string got;
  ssize_t n;
  while ((n = ::read(p[0], buf, sizeof buf)) > 0) got.append(buf, size_t(n));
  ::close(p[0]);
  EXPECT_EQ(got.rfind("error: ", 0), 0u) << got;
  EXPECT_EQ(got.back(), '\n');
}

TEST_F(MuxHost, RunMainInItsOwnProcess) {
  SessionRecord r;
  r.id = new_session_id();
  r.argv = {"sh", "-c", "echo from-run-main"};
  ASSERT_EQ(save_record(paths_, r), 0);
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(p[0]);
    HostOptions o;
    o.paths = paths_;
    o.id = r.id;
    o.linger_seconds = 0;
    o.ready_fd = p[1];
    ::_exit(SessionHost::run_main(o));
  }
  ::close(p[1]);
  char buf[64] = {};
  EXPECT_GT(::read(p[0], buf, sizeof buf - 1), 0);
  ::close(p[0]);
  EXPECT_STREQ(buf, "ok\n");
  int status = -1;
  ASSERT_TRUE(wait_until([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }));
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  auto disk = load_record(paths_, r.id);
  ASSERT_TRUE(disk);
  EXPECT_EQ(disk->state, SessionState::Done);
  EXPECT_EQ(disk->detail, "from-run-main");
  EXPECT_NE(disk->host_pid, int(::getpid()));
  EXPECT_FALSE(fs::exists(paths_.host_socket(r.id)));

  // A start failure: exit status 1 and an error line on the ready fd.
  ASSERT_EQ(::pipe(p), 0);
  pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(p[0]);
    HostOptions o;
    o.paths = paths_;
    o.id = "0badc0de";
    o.ready_fd = p[1];
    ::_exit(SessionHost::run_main(o));
  }
  ::close(p[1]);
  std::string got;
  ssize_t n;
  while ((n = ::read(p[0], buf, sizeof buf)) > 0) got.append(buf, size_t(n));
  ::close(p[0]);
  EXPECT_EQ(got.rfind("error: ", 0), 0u) << got;
  ASSERT_TRUE(wait_until([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }));
  EXPECT_EQ(WEXITSTATUS(status), 1);
}

TEST_F(MuxHost, AttachRedrawReproducesTheScreen) {
  std::string id = start_host(
      {"sh", "-c",
       "i=0; while [ $i -lt 30 ]; do echo line$i; i=$((i+1)); done; "
       "printf '\\033]2;the title\\007\\033[1;31mred\\033[0m plain\\n\\033[42;4mgreen\\033[0m\\n"
       "wide: \\346\\227\\245\\346\\234\\254 done\\n\\033[38;5;208mindexed\\033[48;2;10;20;30m rgb\\033[0m\\n'; "
       "printf '\\033[3;50H\\033[7mplaced\\033[0m\\033[20;1H'; read x"});
  ASSERT_TRUE(wait_capture(id, "placed"));

  HostClient hc = client(id);
  ASSERT_EQ(hc.send(MsgType::Attach,
                    json{{"rows", 24}, {"cols", 80}, {"term", "xterm-256color"},
                         {"truecolor", true}, {"colors", true}}
                        .dump()),
            "");
  amux::render::Screen::Options so;
  so.rows = 24;
  so.cols = 80;
  amux::render::Screen mirror(so);
  const std::string want_plain = capture(id);
  const std::string want_sgr = capture(id, true);
  std::string err;
  json exited;
  auto pump = [&] {
    while (auto f = hc.receive(50, &err)) {
      if (f->type == MsgType::Exited) exited = f->json();
      else if (f->type == MsgType::Output) mirror.feed(f->payload);
      else ADD_FAILURE() << "unexpected " << msg_type_name(f->type);
    }
  };
  bool same = wait_until([&] {
    pump();
    return amux::render::dump_screen(mirror) == want_plain;
  });
  EXPECT_TRUE(same) << "host:\n" << want_plain << "client:\n" << amux::render::dump_screen(mirror);
  amux::render::DumpOptions sgr;
  sgr.sgr = true;
  EXPECT_EQ(amux::render::dump_screen(mirror, sgr), want_sgr);
  EXPECT_EQ(mirror.title(), "the title");

  // Typing through the attach reaches the program; its output comes back as
  // frames; the child then exits: a final frame and an Exited frame.
  ASSERT_EQ(hc.send(MsgType::Input, "typed\r"), "");
  same = wait_until([&] {
    pump();
    return !exited.is_null() && amux::render::dump_screen(mirror) == capture(id);
  });
  EXPECT_TRUE(same) << amux::render::dump_screen(mirror);
  EXPECT_NE(amux::render::dump_screen(mirror).find("typed"), std::string::npos);
  EXPECT_EQ(exited.value("state", ""), "done") << exited.dump();
}

TEST_F(MuxHost, BadConnectionsAreClosedAloneAndTheHostKeepsServing) {
  std::string id = start_host({"sh", "-c", "echo alive; sleep 1000"});
  ASSERT_TRUE(wait_capture(id, "alive"));
  const std::string path = paths_.host_socket(id);

  // A client that stays connected meanwhile must not be disturbed.
  HostClient keep = client(id);

  {  // garbage
    RawConn c(path);
    ASSERT_GE(c.fd, 0);
    c.send_bytes("GET / HTTP/1.1\r\nHost: amux\r\n\r\n");
    EXPECT_TRUE(c.wait_closed());
  }
  {  // an oversized length
    RawConn c(path);
    c.send_bytes(encode_frame(MsgType::Hello, make_hello().dump()));
    c.send_bytes(std::string("\x00\x00\x00\x7f\x04", 5));
    EXPECT_TRUE(c.wait_closed());
  }
  {  // a zero length after a good hello
    RawConn c(path);
    c.send_bytes(encode_frame(MsgType::Hello, make_hello().dump()));
    c.send_bytes(std::string(4, '\0'));
    EXPECT_TRUE(c.wait_closed());
  }
  {  // the wrong protocol version: an Error frame, then close
    RawConn c(path);
    c.send_bytes(encode_json(MsgType::Hello, {{"proto", 99}, {"client", "amux 9"}}));
    std::string got;
    EXPECT_TRUE(c.wait_closed(&got));
    FrameDecoder d;
    d.append(got);
    auto f = d.next();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->type, MsgType::Error);
    EXPECT_EQ(f->json()["error"], "protocol version 99, expected 1");
  }
  {  // a request before the hello
    RawConn c(path);
    c.send_bytes(encode_json(MsgType::Request, {{"op", "state"}}));
    EXPECT_TRUE(c.wait_closed());
  }
  {  // an Input frame over the limit
    RawConn c(path);
    c.send_bytes(encode_json(MsgType::Hello, make_hello()));
    c.send_bytes(encode_frame(MsgType::Input, std::string(kMaxInputFrame + 1, 'x')));
    EXPECT_TRUE(c.wait_closed());
  }
  {  // bad JSON in a request
    RawConn c(path);
    c.send_bytes(encode_json(MsgType::Hello, make_hello()));
    c.send_bytes(encode_frame(MsgType::Request, "{oops"));
    EXPECT_TRUE(c.wait_closed());
  }
  {  // a request with bad field types gets an error answer, not a close
    HostClient hc = client(id);
    json r = hc.request({{"op", "capture"}, {"sgr", "yes"}});
    EXPECT_FALSE(r.value("ok", true));
    EXPECT_TRUE(hc.request({{"op", "state"}}).value("ok", false));
  }

  EXPECT_EQ(keep.request({{"op", "state"}})["record"]["state"], "working");
  EXPECT_EQ(record(id)["state"], "working");
  EXPECT_NE(capture(id).find("alive"), std::string::npos);
}

TEST_F(MuxHost, TerminalQueriesAreAnsweredWithNobodyAttached) {
  // The child asks for Primary Device Attributes and reads the answer raw.
  const char* py =
      "import os, sys, termios, tty, select\n"
      "fd = 0\n"
      "old = termios.tcgetattr(fd)\n"
      "tty.setraw(fd)\n"
      "os.write(1, b'\\x1b[c')\n"
      "ans = b''\n"
      "while not ans.endswith(b'c'):\n"
      "    r, _, _ = select.select([fd], [], [], 10)\n"
      "    if not r: break\n"
      "    ans += os.read(fd, 64)\n"
      "termios.tcsetattr(fd, termios.TCSADRAIN, old)\n"
      "print('ANS=' + ans.hex())\n";
  std::string id = start_host({"/usr/bin/python3", "-c", py});
  ASSERT_TRUE(wait_state(id, "done")) << capture(id);
  std::string screen = capture(id);
  // ESC [ ? ... c
  EXPECT_NE(screen.find("ANS=1b5b3f"), std::string::npos) << screen;
  EXPECT_NE(screen.find("63\n"), std::string::npos) << screen;
}

TEST_F(MuxHost, PtyFollowsTheNewestAttachedClient) {
  std::string id = start_host({"sh", "-c", "while read l; do echo \"$l: $(stty size)\"; done"});
  auto attach = [&](HostClient& hc, int rows, int cols) {
    ASSERT_EQ(hc.send(MsgType::Attach, json{{"rows", rows}, {"cols", cols}}.dump()), "");
  };
  // Frames on different connections are not ordered: wait until the host
  // shows the size, then ask the program what its terminal says.
  auto size_seen = [&](const std::string& tag, int rows, int cols) {
    bool host_has_it = wait_until([&] {
      json r = record(id);
      return r.value("rows", 0) == rows && r.value("cols", 0) == cols;
    });
    request(id, {{"op", "reply"}, {"text", tag}});
    return host_has_it &&
           wait_capture(id, tag + ": " + std::to_string(rows) + " " + std::to_string(cols));
  };
  HostClient a = client(id);
  attach(a, 30, 100);
  EXPECT_TRUE(size_seen("one", 30, 100)) << capture(id);

  {
    HostClient b = client(id);
    attach(b, 20, 60);
    EXPECT_TRUE(size_seen("two", 20, 60)) << capture(id);
    ASSERT_EQ(b.send(MsgType::Detach, ""), "");
    EXPECT_TRUE(size_seen("three", 30, 100)) << capture(id);

    attach(b, 22, 70);
    EXPECT_TRUE(size_seen("four", 22, 70)) << capture(id);
  }  // b disconnects without detaching
  EXPECT_TRUE(size_seen("five", 30, 100)) << capture(id);

  // A resize from the newest client resizes the PTY.
  ASSERT_EQ(a.send(MsgType::Resize, json{{"rows", 25}, {"cols", 90}}.dump()), "");
  EXPECT_TRUE(size_seen("six", 25, 90)) << capture(id);

  // The last client leaves: the size stays as it is.
  ASSERT_EQ(a.send(MsgType::Detach, ""), "");
  EXPECT_TRUE(size_seen("seven", 25, 90)) << capture(id);
  a.close();
  EXPECT_TRUE(size_seen("eight", 25, 90)) << capture(id);
}

TEST_F(MuxHost, FollowStreamsCompletedLinesUntilExit) {
  std::string id =
      start_host({"sh", "-c", "echo one; echo two; sleep 0.5; echo three; sleep 0.5; echo four"});
  HostClient hc = client(id);
  ASSERT_EQ(hc.send(MsgType::Request, json{{"op", "follow"}, {"lines", 0}}.dump()), "");
  std::string text, err;
  bool exited = false, got_response = false;
  auto end = std::chrono::steady_clock::now() + kDeadline;
  while (!exited && std::chrono::steady_clock::now() < end) {
    auto f = hc.receive(1000, &err);
    if (!f) continue;
    json j = f->json();
    if (f->type == MsgType::Response) {
      got_response = true;
      EXPECT_TRUE(j.value("ok", false));
    } else {
      EXPECT_EQ(f->type, MsgType::Event);
    }
    text += j.value("text", "");
    if (j.value("exited", false)) {
      exited = true;
      EXPECT_EQ(j["state"], "done");
    }
  }
  EXPECT_TRUE(got_response);
  EXPECT_TRUE(exited);
  EXPECT_EQ(text, "one\ntwo\nthree\nfour\n");
  // Then the host closes the stream.
  EXPECT_FALSE(hc.receive(10000, &err));
  EXPECT_EQ(err, "host closed the connection");

  // Following a finished session: everything, then the exit event.
  HostClient again = client(id);
  ASSERT_EQ(again.send(MsgType::Request, json{{"op", "follow"}, {"lines", 2}}.dump()), "");
  auto f = again.receive(10000, &err);
  ASSERT_TRUE(f) << err;
  EXPECT_EQ(f->json()["text"], "three\nfour\n");
  f = again.receive(10000, &err);
  ASSERT_TRUE(f) << err;
  EXPECT_TRUE(f->json().value("exited", false));
}

TEST_F(MuxHost, SlowClientDoesNotStallTheSession) {
  const long rss_before = vm_rss_kib();
  // A small queue limit and fast frames, so the slow client is skipped often.
  std::string id = start_host(
      {"sh", "-c", "head -c 20000000 /dev/zero | tr '\\0' x | fold -w 100; echo; echo END"}, 50,
      200, [](HostOptions& o) {
        o.client_queue_limit = 64 * 1024;
        o.frame_delay_ms = 1;
        o.frame_max_delay_ms = 2;
      });
  // Attached, and not reading anything until the session is over.
  HostClient slow = client(id);
  ASSERT_EQ(slow.send(MsgType::Attach, json{{"rows", 50}, {"cols", 200}}.dump()), "");
  // A reader that keeps up meanwhile gets frames.
  HostClient fast = client(id);
  ASSERT_EQ(fast.send(MsgType::Attach, json{{"rows", 50}, {"cols", 200}}.dump()), "");

  long rss_peak = rss_before;
  std::string err;
  size_t fast_bytes = 0;
  bool done = wait_until(
      [&] {
        while (auto f = fast.receive(10, &err)) fast_bytes += f->payload.size();
        rss_peak = std::max(rss_peak, vm_rss_kib());
        return record(id).value("state", "") == "done";
      },
      kSanitized ? 600s : 180s);
  ASSERT_TRUE(done) << record(id).dump();
  EXPECT_GT(fast_bytes, 0u);
  EXPECT_EQ(record(id)["detail"], "END");
  if (!kSanitized) {
    // The screen, 2000 lines of scrollback and bounded client queues: far
    // below the 20 MB that went through.
    EXPECT_LT(rss_peak - rss_before, 64 * 1024)
        << "RSS grew by " << (rss_peak - rss_before) << " KiB";
  }

  // The slow client now reads: it got a bounded amount (frames were skipped,
  // not queued) and still ends up with the exact final screen.
  amux::render::Screen::Options so;
  so.rows = 50;
  so.cols = 200;
  amux::render::Screen mirror(so);
  size_t slow_bytes = 0;
  bool exited = false;
  const std::string want = capture(id);
  bool same = wait_until([&] {
    while (auto f = slow.receive(50, &err)) {
      if (f->type == MsgType::Exited) exited = true;
      if (f->type != MsgType::Output) continue;
      slow_bytes += f->payload.size();
      mirror.feed(f->payload);
    }
    return exited && amux::render::dump_screen(mirror) == want;
  });
  EXPECT_TRUE(same) << amux::render::dump_screen(mirror);
  // 20 MB went through the session; the slow client got a bounded part.
  // (No comparison with the fast reader: its frames are only the cells
  // that changed, often fewer bytes than one full redraw.)
  EXPECT_LT(slow_bytes, 8u << 20);
}

// Direct output (as tmux's server writes to its clients' terminals): a
// terminal fd passed with Attach gets the frames raw; the socket carries no
// Output; after Detach the host answers and never writes to it again. A
// descriptor that is no terminal, or comes without Attach, is refused.
TEST_F(MuxHost, AttachWithATerminalGetsFramesWrittenToIt) {
  std::string id = start_host({"sh", "-c", "echo first; read x; echo second $x; read y; echo third $y; sleep 30"});
  ASSERT_TRUE(wait_capture(id, "first"));
  int master = -1, slave = -1;
  ASSERT_TRUE(open_raw_pty(&master, &slave));
  HostClient hc = client(id);
  ASSERT_EQ(hc.send(MsgType::Attach, json{{"rows", 24}, {"cols", 80}}.dump(), slave), "");
  ::close(slave);  // the host holds its own copy now

  amux::render::Screen::Options so;
  so.rows = 24;
  so.cols = 80;
  amux::render::Screen mirror(so);
  std::string err;
  size_t socket_output = 0;
  auto pump = [&] {
    char buf[65536];
    for (;;) {
      pollfd p{master, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) break;
      ssize_t n = ::read(master, buf, sizeof buf);
      if (n <= 0) break;
      mirror.feed(std::string_view(buf, size_t(n)));
    }
    while (auto f = hc.receive(5, &err))
      if (f->type == MsgType::Output) socket_output += f->payload.size();
  };
  EXPECT_TRUE(wait_until([&] {
    pump();
    return amux::render::dump_screen(mirror) == capture(id);
  })) << amux::render::dump_screen(mirror);
  ASSERT_EQ(hc.send(MsgType::Input, "typed\r"), "");
  EXPECT_TRUE(wait_until([&] {
    pump();
    return amux::render::dump_screen(mirror).find("second typed") != std::string::npos;
  })) << amux::render::dump_screen(mirror);
  EXPECT_EQ(socket_output, 0u);

  // Detach: the host answers once it let go of the terminal.
  ASSERT_EQ(hc.send(MsgType::Detach, ""), "");
  auto ack = hc.receive(5000, &err);
  ASSERT_TRUE(ack) << err;
  EXPECT_EQ(ack->type, MsgType::Response);
  EXPECT_TRUE(ack->json().value("detached", false)) << ack->payload;
  pump();
  const std::string before = amux::render::dump_screen(mirror);
  {
    HostClient other = client(id);
    ASSERT_EQ(other.send(MsgType::Input, "more\r"), "");
  }
  ASSERT_TRUE(wait_capture(id, "third more"));
  pump();
  EXPECT_EQ(amux::render::dump_screen(mirror), before) << "a frame reached the terminal after Detach";
  // The host closed its copy: with ours gone too, the master reads EIO.
  char c;
  pollfd p{master, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 2000), 1);
  EXPECT_LE(::read(master, &c, 1), 0);
  ::close(master);

  // A pipe is no terminal: frames come as Output messages instead.
  int pp[2];
  ASSERT_EQ(::pipe(pp), 0);
  HostClient framed = client(id);
  ASSERT_EQ(framed.send(MsgType::Attach, json{{"rows", 24}, {"cols", 80}}.dump(), pp[1]), "");
  auto f = framed.receive(5000, &err);
  ASSERT_TRUE(f) << err;
  EXPECT_EQ(f->type, MsgType::Output);
  ::close(pp[0]);
  ::close(pp[1]);

  // A descriptor without Attach: the connection is refused, the host serves on.
  int pq[2];
  ASSERT_EQ(::pipe(pq), 0);
  HostClient rogue = client(id);
  ASSERT_EQ(rogue.send(MsgType::Request, json{{"op", "state"}}.dump(), pq[1]), "");
  bool closed = false;
  for (int i = 0; i < 100 && !closed; ++i) {
    auto g = rogue.receive(50, &err);
    if (!g && !err.empty() && err.find("timed out") == std::string::npos) closed = true;
    if (g && g->type == MsgType::Error) closed = true;
  }
  EXPECT_TRUE(closed) << err;
  ::close(pq[0]);
  ::close(pq[1]);
  EXPECT_TRUE(record(id).value("state", "") == "working" || record(id).value("state", "") == "blocked" ||
              record(id).value("state", "") == "idle")
      << record(id).dump();
}

// A client's terminal that stops draining (the client and its terminal
// frozen, SIGSTOP): the host skips frames for it instead of queueing them
// (its memory stays bounded while the session floods on), and once the
// terminal drains again it redraws, so the terminal shows the screen as it
// is now, the rows that changed while it was frozen included.
TEST_F(MuxHost, FrozenTerminalIsSkippedThenRedrawn) {
  // ~7.6 MB of lines that all differ: every frame redraws the whole screen.
  std::string id = start_host({"sh", "-c", "read go; awk 'BEGIN{for(i=0;i<40000;i++){printf \"%06d\", i; "
                                           "for(j=0;j<30;j++) printf \" %05d\", (i*j)%99999; print \"\"}}'; "
                                           "echo FROZEN-END; sleep 300"},
                              50, 200, [](HostOptions& o) {
                                o.client_queue_limit = 64 * 1024;
                                o.frame_delay_ms = 1;
                                o.frame_max_delay_ms = 2;
                              });
  int master = -1, slave = -1;
  ASSERT_TRUE(open_raw_pty(&master, &slave));
  HostClient hc = client(id);
  ASSERT_EQ(hc.send(MsgType::Attach, json{{"rows", 50}, {"cols", 200}}.dump(), slave), "");
  ::close(slave);
  amux::render::Screen::Options so;
  so.rows = 50;
  so.cols = 200;
  amux::render::Screen mirror(so);
  size_t drained = 0;
  auto drain = [&] {
    char buf[65536];
    pollfd p{master, POLLIN, 0};
    while (::poll(&p, 1, 20) > 0) {
      ssize_t n = ::read(master, buf, sizeof buf);
      if (n <= 0) break;
      drained += size_t(n);
      mirror.feed(std::string_view(buf, size_t(n)));
    }
  };
  // The first frame (attached), then the terminal is read no more while the
  // session floods.
  ASSERT_TRUE(wait_until([&] { drain(); return drained > 0; }));
  const long rss_before = vm_rss_kib();
  long rss_peak = rss_before;
  ASSERT_EQ(hc.send(MsgType::Input, "go\r"), "");
  ASSERT_TRUE(wait_until([&] {
    rss_peak = std::max(rss_peak, vm_rss_kib());
    return capture(id).find("FROZEN-END") != std::string::npos;
  }, kSanitized ? 600s : 180s)) << capture(id);
  if (!kSanitized) {
    EXPECT_LT(rss_peak - rss_before, 32 * 1024) << "RSS grew by " << (rss_peak - rss_before) << " KiB";
  }
  // Drained again: it ends with exactly the session's screen, having got a
  // bounded part of the 7.6 MB that went through.
  const std::string want = capture(id);
  EXPECT_TRUE(wait_until([&] {
    drain();
    return amux::render::dump_screen(mirror) == want;
  })) << amux::render::dump_screen(mirror);
  EXPECT_LT(drained, 4u << 20);
  ::close(master);
}

// Direct input (as tmux's server reads its clients' keys): with "input" the
// host reads the keys from the passed terminal, sends them to the program,
// and ends the attach itself when a binding is typed (Leave), after which it
// reads nothing more from that terminal.
TEST_F(MuxHost, AttachWithInputReadsKeysAndMatchesBindings) {
  std::string id = start_host({"sh", "-c", "echo first; read x; echo second $x; read y; echo third $y; sleep 30"});
  ASSERT_TRUE(wait_capture(id, "first"));
  int master = -1, slave = -1;
  ASSERT_TRUE(open_raw_pty(&master, &slave));
  json att = {{"rows", 24}, {"cols", 80}, {"input", true},
              {"bindings", json::array({{{"keys", "C-\\"}, {"action", "detach"}},
                                        {{"keys", "C-b n"}, {"action", "next"}},
                                        {{"keys", "C-b C-b"}, {"action", "send-prefix"}}})}};
  HostClient hc = client(id);
  ASSERT_EQ(hc.send(MsgType::Attach, att.dump(), slave), "");
  ::close(slave);
  std::string err;
  auto ok = hc.receive(5000, &err);
  ASSERT_TRUE(ok) << err;
  ASSERT_EQ(ok->type, MsgType::Response);
  EXPECT_TRUE(ok->json().value("input", false)) << ok->payload;

  auto drain = [&] {  // keep the terminal's output side from filling up
    char buf[65536];
    pollfd p{master, POLLIN, 0};
    while (::poll(&p, 1, 0) > 0 && ::read(master, buf, sizeof buf) > 0) {}
  };
  ASSERT_EQ(::write(master, "typed\r", 6), 6);
  EXPECT_TRUE(wait_until([&] { drain(); return capture(id).find("second typed") != std::string::npos; }))
      << capture(id);
  // C-b n: the host lets go of the terminal and tells the client.
  ASSERT_EQ(::write(master, "\x02n", 2), 2);
  std::optional<Frame> leave;
  for (int i = 0; i < 100 && !leave; ++i) {
    drain();
    if (auto f = hc.receive(50, &err); f && f->type == MsgType::Leave) leave = f;
  }
  ASSERT_TRUE(leave) << err;
  EXPECT_EQ(leave->json().value("action", ""), "next");
  // Keys typed now stay with the terminal: the session does not get them.
  ASSERT_EQ(::write(master, "later\r", 6), 6);
  // The barrier: those bytes are still there to be read from the terminal,
  // so the host did not take them (a byte goes to one reader only).
  int tty = ::open(::ptsname(master), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(tty, 0);
  std::string left;
  EXPECT_TRUE(wait_until([&] {
    char buf[64];
    ssize_t n = ::read(tty, buf, sizeof buf);
    if (n > 0) left.append(buf, size_t(n));
    return left.size() >= 6;
  })) << "the terminal kept '" << left << "'";
  ::close(tty);
  EXPECT_EQ(left, "later\r");
  EXPECT_EQ(capture(id).find("third later"), std::string::npos) << capture(id);
  ::close(master);
  // Input over the socket still works.
  HostClient other = client(id);
  ASSERT_EQ(other.send(MsgType::Input, "sock\r"), "");
  EXPECT_TRUE(wait_capture(id, "third sock")) << capture(id);
}
