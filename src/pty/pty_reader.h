// pty_reader.h — a thread that drains a PTY master into a bounded queue
// while its owner's loop works on what was read before.
//
// Why: a PTY hands its reader at most one 4 KiB line-discipline buffer at a
// time, and the kernel refills it (a worker thread, usually on the reader's
// core) only after each read. A session host that parses every read on the
// same thread keeps the program waiting while it parses: measured with
// `cat` of agent-like text, the host's throughput was its parse time plus
// the kernel's, one after the other. With the reads on their own thread the
// kernel refills while the host parses, as it does for a bare reader.
// The queue holds at most `limit` bytes: beyond that the thread stops
// reading, so a program that prints faster than the host parses waits, as
// it would on a full terminal, and nothing is dropped. The thread sleeps in
// poll() when there is nothing to read: an idle session costs nothing.
// The owner is told through `wake` (called on the reader thread; the host
// uses uv_async_send), takes the bytes with take(), and learns the end
// (EOF, EIO, an error) the same way, after the last byte.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "pty/unique_fd.h"

namespace amux::pty {

class PtyReader {
 public:
  static constexpr size_t kDefaultLimit = 256 * 1024;

  // Starts reading `fd` (not owned: it must stay open until stop() returns;
  // it is switched to non-blocking). Throws std::system_error when the
  // thread or its stop descriptor cannot be made.
  PtyReader(int fd, std::function<void()> wake, size_t limit = kDefaultLimit);
  ~PtyReader();
  PtyReader(const PtyReader&) = delete;
  PtyReader& operator=(const PtyReader&) = delete;

  // Moves what was read so far into `out` (replacing its contents); true
  // once the end was seen and everything before it taken.
  bool take(std::string& out);

  // True while some output the program wrote is not taken yet: in the
  // kernel's buffer, in the thread's hands, or in the queue. Checked in that
  // order (the order bytes move in), so a byte in flight is not missed.
  bool holds_unread();
  // Ends the thread and waits for it. What it had read stays to be taken.
  // Idempotent.
  void stop();

 private:
  void run();

  int fd_;
  std::function<void()> wake_;
  size_t limit_;
  UniqueFd stop_fd_;  // an eventfd: readable once stop() is called

  std::mutex mu_;
  std::condition_variable space_;  // the queue went below the limit, or stop
  std::string queue_;
  bool ended_ = false;      // the thread saw the end (nothing follows in queue_)
  bool stopping_ = false;
  bool signalled_ = false;  // wake_ was called and take() has not run since
  std::atomic<bool> busy_{false};  // between a readable poll and its bytes queued
  std::thread thread_;
};

}  // namespace amux::pty
