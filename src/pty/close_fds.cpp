// close_fds.cpp — see close_fds.h.
#include "pty/close_fds.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace amux::pty {

namespace {

// close_range(2), or -1 when the kernel (or the headers) lack it.
int close_range_sys(unsigned first, unsigned last) noexcept {
#ifdef SYS_close_range
  return int(syscall(SYS_close_range, first, last, 0u));
#else
  (void)first;
  (void)last;
  return -1;
#endif
}

void close_span(int first, int last_or_neg) noexcept {
  // last_or_neg < 0: up to the highest possible descriptor.
  if (last_or_neg >= 0 && last_or_neg < first) return;
  const unsigned last = last_or_neg < 0 ? ~0u : unsigned(last_or_neg);
  if (close_range_sys(unsigned(first), last) == 0) return;
  struct rlimit rl{};
  long max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? long(rl.rlim_cur) : 65536;
  if (last_or_neg >= 0 && long(last_or_neg) < max) max = long(last_or_neg) + 1;
  for (long fd = first; fd < max; ++fd) ::close(int(fd));
}

}  // namespace

void close_fds_from(int lowfd, int keep) noexcept {
  if (keep < lowfd) {
    close_span(lowfd, -1);
    return;
  }
  close_span(lowfd, keep - 1);
  close_span(keep + 1, -1);
}

}  // namespace amux::pty
