// soak_writer.cpp — the program every soak session runs (tests/soak/soak.py).
//
// Why: the soak must show that no line a program writes is lost or doubled
// on its way through a session host, so each session prints lines that
// carry their own sequence number and a text that follows from it: plain
// lines at a steady rate, and now and then a burst of lines mixing UTF-8
// (accents, Greek, CJK, emoji, a combining mark) with SGR colours. The
// driver reads them back with `amux logs` and asks this same program what
// each line must say (--expect), so the text is defined in one place.
//
//   soak_writer [--rate N] [--burst-every S] [--burst-lines N] [--seed N]
//               [--commands] [--stats FILE]
//   soak_writer --expect FROM TO     line n's text, steady and burst form,
//                                    tab-separated, for n in FROM..TO
//
// --commands: no steady output; lines typed into the session ("flood N")
// print N lines at once followed by "mark <n>" (the driver's stopped-client
// check). --stats FILE: after every write, the number of the last line
// written whole, the longest write stall so far (how late a line went out
// against its schedule, in ms: a host that stops reading shows here) and
// the pid, as one fixed-width line.
#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;

const char* const kWords[] = {
    "steady",  "ünïcödé", "ελληνικά", "漢字かな", "🙂🚀",   "café",  "naïve",
    "e\xcc\x81t\xc3\xa9", "ø∑ß∂",  "表示幅",   "▚▞█░",   "¿qué?", "Ωmega",
};
constexpr int kWordCount = sizeof kWords / sizeof kWords[0];

// Line n as printed (with SGR for burst lines) and as text.
struct Line {
  std::string raw, plain;
};

Line make_line(long n, bool burst) {
  char num[32];
  std::snprintf(num, sizeof num, "%07ld", n);
  Line l;
  l.raw = l.plain = num;
  if (!burst) {
    std::string tail = " steady line " + std::to_string(n % 9973) + " ok";
    l.raw += tail;
    l.plain += tail;
    return l;
  }
  // Four words, each in its own colour, one of them bold and one 256-colour.
  for (int k = 0; k < 4; k++) {
    const char* w = kWords[(n * 7 + k * 3) % kWordCount];
    std::string sgr;
    switch (k) {
      case 0: sgr = "\x1b[1;3" + std::to_string(1 + n % 7) + "m"; break;
      case 1: sgr = "\x1b[38;5;" + std::to_string(16 + n % 200) + "m"; break;
      case 2: sgr = "\x1b[4;4" + std::to_string(n % 8) + "m"; break;
      default: sgr = "\x1b[38;2;" + std::to_string(n % 256) + ";100;200m"; break;
    }
    l.raw += " " + sgr + w + "\x1b[0m";
    l.plain += " ";
    l.plain += w;
  }
  l.raw += " burst";
  l.plain += " burst";
  return l;
}

void write_all(const std::string& s) {
  const char* p = s.data();
  size_t left = s.size();
  while (left > 0) {
    ssize_t w = ::write(STDOUT_FILENO, p, left);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) std::exit(1);
    p += w;
    left -= size_t(w);
  }
}

}  // namespace

int main(int argc, char** argv) {
  double rate = 10, burst_every = 20;
  long burst_lines = 300, seed = 1;
  bool commands = false;
  std::string stats;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--expect") {
      long from = std::atol(next()), to = std::atol(next());
      for (long n = from; n <= to; n++)
        std::printf("%s\t%s\n", make_line(n, false).plain.c_str(), make_line(n, true).plain.c_str());
      return 0;
    }
    if (a == "--rate") rate = std::atof(next());
    else if (a == "--burst-every") burst_every = std::atof(next());
    else if (a == "--burst-lines") burst_lines = std::atol(next());
    else if (a == "--seed") seed = std::atol(next());
    else if (a == "--commands") commands = true;
    else if (a == "--stats") stats = next();
    else {
      std::fprintf(stderr, "soak_writer: unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  if (commands) {  // what the driver types is not echoed among the lines
    termios t{};
    if (::tcgetattr(STDIN_FILENO, &t) == 0) {
      t.c_lflag &= tcflag_t(~(ECHO | ECHONL));
      ::tcsetattr(STDIN_FILENO, TCSANOW, &t);
    }
  }
  long n = 0;
  long max_late_ms = 0;
  int stats_fd = stats.empty() ? -1 : ::open(stats.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  auto publish = [&] {
    if (stats_fd < 0) return;
    char line[64];
    int len = std::snprintf(line, sizeof line, "%012ld %010ld %010d\n", n, max_late_ms, int(getpid()));
    if (::pwrite(stats_fd, line, size_t(len), 0) < 0) {}
  };
  auto emit = [&](const std::string& out) {
    write_all(out);
    publish();
  };
  publish();
  const auto start = Clock::now();
  auto due = start;
  // The first burst comes at a time of its own per session.
  auto burst_due = start + std::chrono::milliseconds(long(burst_every * 1000) * (1 + seed % 7) / 8);
  const auto period = std::chrono::microseconds(long(1e6 / std::max(rate, 0.1)));
  std::string pending;  // a command line being typed
  bool stdin_done = false;
  for (;;) {
    auto now = Clock::now();
    if (!commands && now >= due) {
      // A write that blocks (the host not reading) shows up as lateness.
      long late = long(std::chrono::duration_cast<std::chrono::milliseconds>(now - due).count());
      max_late_ms = std::max(max_late_ms, late);
      std::string out;
      if (now >= burst_due) {
        for (long k = 0; k < burst_lines; k++) out += make_line(++n, true).raw + "\r\n";
        burst_due = now + std::chrono::milliseconds(long(burst_every * 1000));
      } else {
        out = make_line(++n, false).raw + "\r\n";
      }
      emit(out);
      due += period;
      if (Clock::now() - due > std::chrono::seconds(5)) due = Clock::now();  // do not race to catch up
      continue;
    }
    int ms = commands ? 1000 : int(std::chrono::duration_cast<std::chrono::milliseconds>(due - Clock::now()).count());
    if (!commands || stdin_done) {
      if (ms > 0) ::usleep(useconds_t(ms) * 1000);
      continue;
    }
    pollfd p{STDIN_FILENO, POLLIN, 0};
    if (::poll(&p, 1, std::max(ms, 0)) > 0) {
      char buf[256];
      ssize_t r = ::read(STDIN_FILENO, buf, sizeof buf);
      if (r <= 0) {
        stdin_done = true;
        continue;
      }
      pending.append(buf, size_t(r));
      size_t eol;
      while ((eol = pending.find_first_of("\r\n")) != std::string::npos) {
        std::string cmd = pending.substr(0, eol);
        pending.erase(0, eol + 1);
        if (cmd.rfind("flood ", 0) == 0) {
          long count = std::atol(cmd.c_str() + 6);
          std::string out;
          for (long k = 0; k < count; k++) {
            out += make_line(++n, true).raw + "\r\n";
            if (out.size() > 65536) {
              emit(out);
              out.clear();
            }
          }
          emit(out + "mark " + std::to_string(n) + "\r\n");
        }
      }
    }
  }
}
