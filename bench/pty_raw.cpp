// pty_raw.cpp — the ceiling for session throughput: `cat FILE` on a bare PTY.
//
// Why: run_bench.sh compares amux's host with the fastest anything can read a
// PTY on this machine in the same run. Same shape as a session (200x50 PTY,
// default termios, so ONLCR applies), and the reader does nothing with the
// bytes. Time runs from before forkpty until the master reports end (EIO)
// and the child is reaped.
//
//   pty_raw FILE [--rows 50] [--cols 200]
//   prints: RESULT bytes=N read=R seconds=S mibps=M
// (mibps counts the file's bytes, as the amux and tmux figures do; `read`
// is what came out of the master, with ONLCR's extra CRs.)
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace {

double now_s() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Owns the PTY master and the child: closes and reaps on every way out.
class RawPty {
 public:
  RawPty(const std::string& file, int rows, int cols) {
    winsize ws{};
    ws.ws_row = static_cast<unsigned short>(rows);
    ws.ws_col = static_cast<unsigned short>(cols);
    pid_ = forkpty(&fd_, nullptr, nullptr, &ws);
    if (pid_ == 0) {
      signal(SIGPIPE, SIG_DFL);
      execlp("cat", "cat", file.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~RawPty() {
    if (fd_ >= 0) close(fd_);
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  RawPty(const RawPty&) = delete;
  RawPty& operator=(const RawPty&) = delete;

  bool ok() const { return pid_ > 0 && fd_ >= 0; }
  int fd() const { return fd_; }
  int reap() {
    int st = 0;
    waitpid(pid_, &st, 0);
    reaped_ = true;
    return st;
  }

 private:
  int fd_ = -1;
  pid_t pid_ = -1;
  bool reaped_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"raw PTY throughput: cat FILE on a PTY, read and discard"};
  std::string file;
  int rows = 50, cols = 200;
  app.add_option("file", file, "file to cat")->required();
  app.add_option("--rows", rows, "PTY rows");
  app.add_option("--cols", cols, "PTY columns");
  CLI11_PARSE(app, argc, argv);

  struct stat sb{};
  if (stat(file.c_str(), &sb) != 0) {
    std::perror("pty_raw: stat");
    return 1;
  }
  std::vector<char> buf(64 * 1024);
  double t0 = now_s();
  RawPty pty(file, rows, cols);
  if (!pty.ok()) {
    std::perror("pty_raw: forkpty");
    return 1;
  }
  unsigned long long total = 0;
  for (;;) {
    ssize_t n = read(pty.fd(), buf.data(), buf.size());
    if (n > 0) {
      total += static_cast<unsigned long long>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;  // EIO once the child is gone and the output is drained
  }
  int st = pty.reap();
  double secs = now_s() - t0;
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    std::fprintf(stderr, "pty_raw: cat failed (status %d)\n", st);
    return 1;
  }
  std::printf("RESULT bytes=%lld read=%llu seconds=%.4f mibps=%.2f\n",
              static_cast<long long>(sb.st_size), total, secs,
              static_cast<double>(sb.st_size) / (1024.0 * 1024.0) / secs);
  return 0;
}
