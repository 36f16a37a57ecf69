// term_probe.cpp — a stand-in terminal that times a multiplexer's client.
//
// Why: attach time, key-to-echo latency and attached throughput are what a
// person feels, and they must be measured the same way for amux and tmux.
// The probe runs the client command (`amux attach ID`, `tmux attach -t S`) on
// a PTY of its own, plays the terminal (libvterm answers DA/DSR queries), and
// times what arrives on the master:
//
//   attach  spawn the client N times; time from spawn until every --marker
//           has appeared in the client's text (escape sequences stripped);
//           then send --detach and reap it.
//   echo    attach once, wait until the screen is quiet, then type --keys
//           letters one at a time; time each until the letter is in the
//           expected cell of the probe's own screen (libvterm screen layer),
//           so a full-row repaint cannot count as an echo.
//   drain   attach once and read everything; write --ready-file once the
//           first screen has arrived and gone quiet; print the wall-clock
//           time (epoch seconds) at which --marker first appeared raw in
//           the output, then detach; or end when the client exits.
//
// Output is one machine-readable line starting with RESULT.
//
//   term_probe MODE [--rows 50] [--cols 200] [--marker S]... [--repeat N]
//              [--keys N] [--detach HEX] [--timeout SEC] [--ready-file F]
//              -- CMD ARGS...
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <vterm.h>

namespace {

double mono_s() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double epoch_s() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

void sleep_ms(double ms) {
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(ms / 1000);
  ts.tv_nsec = static_cast<long>((ms - static_cast<double>(ts.tv_sec) * 1000) * 1e6);
  nanosleep(&ts, nullptr);
}

struct Options {
  std::string mode;
  int rows = 50, cols = 200;
  std::vector<std::string> markers;
  int repeat = 1;
  int keys = 200;
  std::string detach_hex;
  double timeout = 20;
  std::string ready_file;
  std::vector<std::string> argv;
};

std::string unhex(const std::string& h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return out;
}

struct VTermDeleter {
  void operator()(VTerm* vt) const { vterm_free(vt); }
};
using VTermPtr = std::unique_ptr<VTerm, VTermDeleter>;

// The client process on its PTY. Closes the master and reaps (killing if it
// must) on every way out.
class Client {
 public:
  Client(const Options& o) {
    winsize ws{};
    ws.ws_row = static_cast<unsigned short>(o.rows);
    ws.ws_col = static_cast<unsigned short>(o.cols);
    pid_ = forkpty(&fd_, nullptr, nullptr, &ws);
    if (pid_ == 0) {
      for (int s : {SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGPIPE, SIGCHLD}) signal(s, SIG_DFL);
      setenv("TERM", "xterm-256color", 1);
      unsetenv("TMUX");
      std::vector<char*> av;
      for (const auto& a : o.argv) av.push_back(const_cast<char*>(a.c_str()));
      av.push_back(nullptr);
      execvp(av[0], av.data());
      _exit(127);
    }
    if (fd_ >= 0) {
      fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
      fcntl(fd_, F_SETFD, FD_CLOEXEC);
    }
  }
  ~Client() { finish(nullptr, 0); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool ok() const { return pid_ > 0 && fd_ >= 0; }
  bool eof() const { return eof_; }
  int fd() const { return fd_; }

  void send(const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t n = write(fd_, s.data() + off, s.size() - off);
      if (n > 0) {
        off += static_cast<size_t>(n);
      } else if (n < 0 && errno == EAGAIN) {
        pollfd p{fd_, POLLOUT, 0};
        poll(&p, 1, 100);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else {
        return;
      }
    }
  }

  // Wait up to `ms` for output; append what is there to `out`. False at end.
  bool read_some(std::string& out, int ms) {
    if (eof_) return false;
    pollfd p{fd_, POLLIN, 0};
    int r = poll(&p, 1, ms);
    if (r <= 0) return true;
    char buf[65536];
    for (;;) {
      ssize_t n = read(fd_, buf, sizeof buf);
      if (n > 0) {
        out.append(buf, static_cast<size_t>(n));
        if (out.size() > (1u << 20)) return true;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return true;
      eof_ = true;  // EIO: the client is gone
      return false;
    }
  }

  // Detach (send `detach`), keep reading until the client exits, kill it
  // after `grace_ms`. Output read meanwhile goes to `sink` when given.
  void finish(std::string* sink, int grace_ms, const std::string& detach = "") {
    if (pid_ <= 0) return;
    std::string scratch;
    if (!detach.empty() && !eof_) {
      // A client that is still starting may flush keys typed before its
      // raw mode: wait for it to go quiet first.
      double quiet_until = mono_s() + 0.15, give_up = mono_s() + 1.5;
      while (!eof_ && mono_s() < quiet_until && mono_s() < give_up) {
        size_t before = scratch.size();
        read_some(scratch, 10);
        if (scratch.size() != before) quiet_until = mono_s() + 0.15;
        if (sink) sink->append(scratch);
        scratch.clear();
      }
      send(detach);
    }
    double start = mono_s();
    double deadline = start + grace_ms / 1000.0;
    bool resent = false;
    int st = 0;
    while (waitpid(pid_, &st, WNOHANG) == 0) {
      if (!resent && !detach.empty() && !eof_ && mono_s() > start + 1.0) {
        send(detach);
        resent = true;
      }
      if (mono_s() > deadline) {
        kill(pid_, SIGHUP);
        sleep_ms(50);
        if (waitpid(pid_, &st, WNOHANG) == 0) {
          kill(pid_, SIGKILL);
          waitpid(pid_, &st, 0);
        }
        break;
      }
      if (!eof_) {
        read_some(sink ? *sink : scratch, 20);
        scratch.clear();
      } else {
        sleep_ms(10);
      }
    }
    pid_ = -1;
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  pid_t pid_ = -1;
  bool eof_ = false;
};

void vterm_to_client(const char* s, size_t len, void* user) {
  static_cast<Client*>(user)->send(std::string(s, len));
}

// Answers the client's terminal queries (DA, DSR) with libvterm's state layer,
// which parses much faster than the screen layer. Only the start of the
// stream is fed: that is where clients ask.
class Responder {
 public:
  Responder(Client& c, int rows, int cols) : vt_(vterm_new(rows, cols)) {
    vterm_set_utf8(vt_.get(), 1);
    vterm_output_set_callback(vt_.get(), vterm_to_client, &c);
    vterm_state_reset(vterm_obtain_state(vt_.get()), 1);
  }
  void feed(const char* s, size_t n) {
    if (fed_ > kLimit) return;
    for (size_t off = 0; off < n; off += 16384)
      vterm_input_write(vt_.get(), s + off, std::min<size_t>(16384, n - off));
    fed_ += n;
  }

 private:
  static constexpr size_t kLimit = 256 * 1024;
  VTermPtr vt_;
  size_t fed_ = 0;
};

// Printable text of a terminal byte stream: escape sequences and controls
// dropped, UTF-8 kept.
class TextStripper {
 public:
  void feed(const char* s, size_t n, std::string& out) {
    for (size_t i = 0; i < n; ++i) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      switch (st_) {
        case St::Text:
          if (c == 0x1b) st_ = St::Esc;
          else if (c >= 0x20 && c != 0x7f) out.push_back(static_cast<char>(c));
          else if (c == '\n' || c == '\r') out.push_back('\n');
          break;
        case St::Esc:
          if (c == '[') st_ = St::Csi;
          else if (c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_') st_ = St::Str;
          else if (c >= 0x20 && c <= 0x2f) st_ = St::EscInter;
          else st_ = St::Text;
          break;
        case St::EscInter:
          if (!(c >= 0x20 && c <= 0x2f)) st_ = St::Text;
          break;
        case St::Csi:
          if (c >= 0x40 && c <= 0x7e) st_ = St::Text;
          break;
        case St::Str:
          if (c == 0x07) st_ = St::Text;
          else if (c == 0x1b) st_ = St::StrEsc;
          break;
        case St::StrEsc:
          st_ = (c == '\\') ? St::Text : St::Str;
          break;
      }
    }
  }

 private:
  enum class St { Text, Esc, EscInter, Csi, Str, StrEsc };
  St st_ = St::Text;
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  double idx = p * static_cast<double>(v.size() - 1);
  size_t lo = static_cast<size_t>(idx);
  size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (idx - static_cast<double>(lo));
}

void print_stats(const char* what, const std::vector<double>& ms) {
  std::printf("RESULT %s n=%zu median_ms=%.3f p95_ms=%.3f min_ms=%.3f max_ms=%.3f\n", what,
              ms.size(), percentile(ms, 0.5), percentile(ms, 0.95),
              percentile(ms, 0.0), percentile(ms, 1.0));
}

std::string tail_of(const std::string& s, size_t n) {
  return s.size() > n ? s.substr(s.size() - n) : s;
}

// Mode attach: time from spawn to every marker on the client.
int run_attach(const Options& o) {
  if (o.markers.empty()) {
    std::fprintf(stderr, "term_probe attach: give at least one --marker\n");
    return 2;
  }
  std::vector<double> times;
  for (int rep = 0; rep < o.repeat; ++rep) {
    double t0 = mono_s();
    Client c(o);
    if (!c.ok()) {
      std::perror("term_probe: forkpty");
      return 1;
    }
    Responder resp(c, o.rows, o.cols);
    TextStripper strip;
    std::string text, chunk, all_raw;
    std::vector<bool> seen(o.markers.size(), false);
    size_t left = o.markers.size();
    size_t maxlen = 0;
    for (const auto& m : o.markers) maxlen = std::max(maxlen, m.size());
    double deadline = t0 + o.timeout;
    double got = -1;
    while (mono_s() < deadline) {
      chunk.clear();
      bool alive = c.read_some(chunk, 20);
      if (!chunk.empty()) {
        size_t from = text.size() > maxlen ? text.size() - maxlen : 0;
        strip.feed(chunk.data(), chunk.size(), text);
        for (size_t i = 0; i < o.markers.size(); ++i)
          if (!seen[i] && text.find(o.markers[i], from) != std::string::npos) {
            seen[i] = true;
            --left;
          }
        if (left == 0) {
          got = mono_s() - t0;
          break;
        }
        resp.feed(chunk.data(), chunk.size());
      }
      if (!alive) break;
    }
    if (got < 0) {
      std::fprintf(stderr, "term_probe attach: run %d: %s; missing markers:", rep + 1,
                   c.eof() ? "client exited" : "timed out");
      for (size_t i = 0; i < o.markers.size(); ++i)
        if (!seen[i]) std::fprintf(stderr, " %s", o.markers[i].c_str());
      std::fprintf(stderr, "\n  last text: %s\n", tail_of(text, 300).c_str());
      return 1;
    }
    times.push_back(got * 1000);
    c.finish(nullptr, 3000, unhex(o.detach_hex));
    sleep_ms(100);
  }
  print_stats("attach", times);
  return 0;
}

// Mode echo: per key, time until the letter is in its cell on our screen.
int run_echo(const Options& o) {
  Client c(o);
  if (!c.ok()) {
    std::perror("term_probe: forkpty");
    return 1;
  }
  VTermPtr vt(vterm_new(o.rows, o.cols));
  vterm_set_utf8(vt.get(), 1);
  vterm_output_set_callback(vt.get(), vterm_to_client, &c);
  VTermScreen* screen = vterm_obtain_screen(vt.get());
  vterm_screen_reset(screen, 1);
  VTermState* state = vterm_obtain_state(vt.get());

  std::string chunk;
  auto pump = [&](int ms) {
    chunk.clear();
    bool alive = c.read_some(chunk, ms);
    for (size_t off = 0; off < chunk.size(); off += 16384)
      vterm_input_write(vt.get(), chunk.data() + off, std::min<size_t>(16384, chunk.size() - off));
    return alive;
  };
  // Quiet: no output for `quiet_ms`, at most `max_ms`.
  auto settle = [&](double quiet_ms, double max_ms) {
    double end = mono_s() + max_ms / 1000;
    double last = mono_s();
    while (mono_s() < end) {
      if (!pump(10)) return false;
      if (!chunk.empty()) last = mono_s();
      else if ((mono_s() - last) * 1000 >= quiet_ms) return true;
    }
    return true;
  };
  // Wait for the first output, then for quiet.
  {
    double end = mono_s() + o.timeout;
    bool any = false;
    while (!any && mono_s() < end) {
      if (!pump(50)) break;
      any = !chunk.empty();
    }
    if (!any || !settle(400, o.timeout * 1000)) {
      std::fprintf(stderr, "term_probe echo: the client showed nothing or exited\n");
      return 1;
    }
  }
  auto cell_char = [&](int row, int col) -> uint32_t {
    VTermScreenCell cell{};
    VTermPos pos{row, col};
    vterm_screen_get_cell(screen, pos, &cell);
    return cell.chars[0];
  };

  std::mt19937 rng(42);
  std::uniform_real_distribution<double> gap(5.0, 15.0);
  std::vector<double> times;
  int left = o.keys;
  for (int pass = 0; left > 0; ++pass) {
    settle(100, 2000);
    VTermPos cur{};
    vterm_state_get_cursorpos(state, &cur);
    int n = std::min({left, 100, o.cols - 1 - cur.col});
    if (n <= 0) {
      std::fprintf(stderr, "term_probe echo: cursor at column %d leaves no room\n", cur.col);
      return 1;
    }
    const char base = (pass % 2 == 0) ? 'a' : 'A';
    for (int j = 0; j < n; ++j) {
      char ch = static_cast<char>(base + j % 26);
      c.send(std::string(1, ch));
      double t0 = mono_s();
      double deadline = t0 + 5;
      while (cell_char(cur.row, cur.col + j) != static_cast<uint32_t>(ch)) {
        if (mono_s() > deadline || !pump(5)) {
          std::fprintf(stderr,
                       "term_probe echo: key %d ('%c') never appeared at row %d col %d\n",
                       static_cast<int>(times.size()) + 1, ch, cur.row, cur.col + j);
          return 1;
        }
      }
      times.push_back((mono_s() - t0) * 1000);
      // A pause like a typist's, reading whatever else the client sends.
      double until = mono_s() + gap(rng) / 1000;
      while (mono_s() < until) pump(1);
    }
    left -= n;
    c.send("\r");  // back to column 0: the next pass overwrites this row
  }
  c.finish(nullptr, 3000, unhex(o.detach_hex));
  print_stats("echo", times);
  return 0;
}

// Mode drain: read everything; note when the marker first arrives.
int run_drain(const Options& o) {
  Client c(o);
  if (!c.ok()) {
    std::perror("term_probe: forkpty");
    return 1;
  }
  Responder resp(c, o.rows, o.cols);
  const std::string marker = o.markers.empty() ? std::string() : o.markers.front();
  std::string chunk, window;
  unsigned long long total = 0;
  double marker_at = -1;
  double first_at = -1, last_at = mono_s();
  bool ready_written = o.ready_file.empty();
  double deadline = mono_s() + o.timeout;
  while (mono_s() < deadline) {
    chunk.clear();
    bool alive = c.read_some(chunk, 20);
    double now = mono_s();
    if (!chunk.empty()) {
      total += chunk.size();
      last_at = now;
      if (first_at < 0) first_at = now;
      resp.feed(chunk.data(), chunk.size());
      if (marker_at < 0 && !marker.empty()) {
        window = tail_of(window, marker.size()) + chunk;
        if (window.find(marker) != std::string::npos) {
          marker_at = epoch_s();
          break;
        } else {
          window = tail_of(window, marker.size());
        }
      }
    } else if (!ready_written && first_at >= 0 && now - last_at > 0.3) {
      std::ofstream(o.ready_file) << "ready\n";
      ready_written = true;
    }
    if (!alive) break;
  }
  c.finish(nullptr, 2000, unhex(o.detach_hex));
  if (marker_at < 0) {
    std::printf("RESULT drain bytes=%llu marker_epoch=none\n", total);
    return marker.empty() ? 0 : 1;
  }
  std::printf("RESULT drain bytes=%llu marker_epoch=%.6f\n", total, marker_at);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"a stand-in terminal that times a multiplexer client"};
  app.add_option("mode", o.mode, "attach | echo | drain")
      ->required()
      ->check(CLI::IsMember({"attach", "echo", "drain"}));
  app.add_option("--rows", o.rows, "terminal rows");
  app.add_option("--cols", o.cols, "terminal columns");
  app.add_option("--marker", o.markers, "text that must appear (repeatable)");
  app.add_option("--repeat", o.repeat, "attach: number of attaches");
  app.add_option("--keys", o.keys, "echo: number of keystrokes");
  app.add_option("--detach", o.detach_hex, "bytes (hex) that detach the client");
  app.add_option("--timeout", o.timeout, "seconds before giving up");
  app.add_option("--ready-file", o.ready_file, "drain: created once attached");
  // Everything after "--" is the client command, passed on untouched.
  int ours = argc;
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--") == 0) {
      ours = i;
      break;
    }
  for (int i = ours + 1; i < argc; ++i) o.argv.emplace_back(argv[i]);
  CLI11_PARSE(app, ours, argv);
  if (o.argv.empty()) {
    std::fprintf(stderr, "term_probe: give the client command after --\n");
    return 2;
  }

  signal(SIGPIPE, SIG_IGN);
  if (o.mode == "attach") return run_attach(o);
  if (o.mode == "echo") return run_echo(o);
  return run_drain(o);
}
