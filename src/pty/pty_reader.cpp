// pty_reader.cpp — see pty_reader.h.
#include "pty/pty_reader.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <system_error>

namespace amux::pty {

namespace {
constexpr size_t kChunk = 64 * 1024;
// A queue buffer bigger than this is freed once taken: a burst must not
// leave a quiet session holding its size.
constexpr size_t kKeep = 64 * 1024;
}  // namespace

PtyReader::PtyReader(int fd, std::function<void()> wake, size_t limit)
    : fd_(fd), wake_(std::move(wake)), limit_(limit), stop_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (!stop_fd_) throw std::system_error(errno, std::generic_category(), "eventfd");
  int fl = ::fcntl(fd_, F_GETFL);
  if (fl >= 0 && !(fl & O_NONBLOCK)) ::fcntl(fd_, F_SETFL, fl | O_NONBLOCK);
  thread_ = std::thread([this] { run(); });
}

PtyReader::~PtyReader() { stop(); }

void PtyReader::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  space_.notify_all();
  uint64_t one = 1;
  ssize_t ignored = ::write(stop_fd_.get(), &one, sizeof one);
  (void)ignored;  // (an eventfd write fails only when its counter is full: it is readable then)
  if (thread_.joinable()) thread_.join();
}

bool PtyReader::take(std::string& out) {
  out.clear();
  std::lock_guard<std::mutex> lock(mu_);
  out.swap(queue_);
  if (queue_.capacity() > kKeep) std::string().swap(queue_);
  signalled_ = false;
  space_.notify_all();
  return ended_;
}

bool PtyReader::holds_unread() {
  int in_kernel = 0;
  if (::ioctl(fd_, FIONREAD, &in_kernel) == 0 && in_kernel > 0) return true;
  if (busy_.load()) return true;
  std::lock_guard<std::mutex> lock(mu_);
  return !queue_.empty();
}

void PtyReader::run() {
  // Not zero-filled: a quiet session should not hold 64 KiB it never read into.
  auto buf = std::make_unique_for_overwrite<char[]>(kChunk);
  for (;;) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_fd_.get(), POLLIN, 0}};
    int r = ::poll(fds, 2, -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      break;  // (cannot happen with valid descriptors) — treated as the end
    }
    if (fds[1].revents) return;  // stopped: no end is reported
    busy_ = true;  // (before the read empties the kernel's buffer)
    ssize_t n = ::read(fd_, buf.get(), kChunk);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      busy_ = false;
      continue;
    }
    bool call = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (n > 0) {
        space_.wait(lock, [this] { return queue_.size() < limit_ || stopping_; });
        queue_.append(buf.get(), size_t(n));  // (past the limit only when stopping: nothing read is lost)
      } else {
        ended_ = true;  // EOF, EIO (the slave side closed) or an error
      }
      busy_ = false;  // (under the lock, after the bytes are queued)
      call = !signalled_;
      signalled_ = true;
    }
    if (call) wake_();
    if (n <= 0) return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  ended_ = true;
  if (!signalled_) {
    signalled_ = true;
    wake_();
  }
}

}  // namespace amux::pty
