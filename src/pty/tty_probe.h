// tty_probe.h — is the program on this PTY waiting for the keyboard?
//
// Why: a silent process is either busy or waiting for a person, and the
// screen alone cannot tell (a question may be printed by a program that
// never reads). The kernel can: the PTY's foreground process group
// (tcgetpgrp on the master) and, per process in it, /proc/<pid>/syscall
// (the syscall it sleeps in and its first argument, the fd) and
// /proc/<pid>/fd/<n> (whether that fd is this terminal). Read, and
// poll/select/epoll with the tty among fd 0..2, count as reading. One probe
// is a handful of small /proc reads; callers run it at most once a second.
#pragma once

#include <sys/types.h>

#include <string>

namespace amux::pty {

enum class TtyReadState {
  Reading,     // a process of the foreground group sleeps reading the tty
  NotReading,  // the foreground group runs or sleeps on something else
  Unknown,     // no foreground group, /proc unreadable, or the child is gone
};

struct TtyProbeResult {
  TtyReadState state = TtyReadState::Unknown;
  pid_t pid = -1;        // the process found reading (or the group leader)
  std::string syscall;   // "read", "poll", "select", ... or "" when unknown
};

// master_fd: the PTY master; slave_path: e.g. "/dev/pts/7" (Pty::slave_path()).
TtyProbeResult probe_tty_read(int master_fd, const std::string& slave_path);

}  // namespace amux::pty
