// unique_fd.h — one owned file descriptor, closed when its owner goes.
//
// Why: every layer opens descriptors (the PTY's master and sync pipe, a
// command's output pipes, the supervisor's lock and log, an atomic file's
// temporary) and each must close on every path, errors included. This is the
// one owner type for them all; it lives in pty, the lowest layer, so every
// layer above may use it. Move-only, like std::unique_ptr.
#pragma once

#include <unistd.h>

#include <utility>

namespace amux::pty {

class UniqueFd {
 public:
  UniqueFd() noexcept = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  ~UniqueFd() { reset(); }

  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }
  explicit operator bool() const noexcept { return valid(); }

  // Give up ownership without closing; returns the fd (or -1).
  int release() noexcept { return std::exchange(fd_, -1); }

  // Close what is held (if anything) and hold `fd` instead.
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

  // Close now and report close(2)'s result (0, or -1 with errno): close can
  // report a delayed write error that a file's writer must not ignore.
  // Nothing held: 0.
  int close() noexcept {
    if (fd_ < 0) return 0;
    return ::close(std::exchange(fd_, -1));
  }

 private:
  int fd_ = -1;
};

}  // namespace amux::pty
