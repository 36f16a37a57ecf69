// close_fds.h — close every descriptor a new program must not inherit.
//
// Why: a child that execs keeps every descriptor without close-on-exec —
// the parent's /dev/null and log copies, a launcher's pipes, whatever its
// own starter left open (a make job server, a CI step's pipe) — and a
// program that holds a pipe's write end keeps the reader waiting. Children
// call this between fork and exec, so it makes only async-signal-safe
// system calls.
#pragma once

namespace amux::pty {

// Close every descriptor >= lowfd except `keep` (-1: none). close_range(2)
// when the kernel has it, else a loop up to RLIMIT_NOFILE.
void close_fds_from(int lowfd, int keep = -1) noexcept;

}  // namespace amux::pty
