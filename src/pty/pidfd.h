// pidfd.h — a file descriptor that becomes readable when a process exits.
//
// Why: the session host watches the processes of its terminal's foreground
// group exit (then the group may start reading the terminal, e.g. a shell
// back at its prompt) without waking on a timer. Any process, not only a
// child, can be watched (pidfd_open, Linux 5.3+).
#pragma once

#include <sys/types.h>

#include "pty/unique_fd.h"

namespace amux::pty {

// An invalid UniqueFd when the process is gone or the kernel lacks pidfd_open.
UniqueFd open_pidfd(pid_t pid);

}  // namespace amux::pty
