// pidfd.cpp — see pidfd.h.
#include "pty/pidfd.h"

#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434  // the same number on every architecture
#endif

namespace amux::pty {

UniqueFd open_pidfd(pid_t pid) {
  if (pid <= 0) return UniqueFd();
  return UniqueFd(int(::syscall(SYS_pidfd_open, pid, 0)));
}

}  // namespace amux::pty
