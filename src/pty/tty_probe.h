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
#include <vector>

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
  // The group's live processes when it was last walked in full (a caller
  // can watch them exit, e.g. with pidfds, instead of probing on a timer).
  std::vector<pid_t> members;
};

// master_fd: the PTY master; slave_path: e.g. "/dev/pts/7" (Pty::slave_path()).
TtyProbeResult probe_tty_read(int master_fd, const std::string& slave_path);

// The same with a cache for repeated probes of one PTY: when the foreground
// group is one single-threaded process whose /proc/<pid>/syscall line
// (syscall, arguments, stack and program counter) has not changed, the last
// verdict stands, for 4 system calls instead of about 30. Every
// kFullEvery-th probe walks everything again.
struct TtyProbeCache {
  static constexpr int kFullEvery = 8;
  pid_t pgid = -1;
  pid_t only_pid = -1;       // the group's only process (one thread), or -1
  std::string syscall_line;  // its syscall file at the last full probe
  TtyProbeResult result;
  int since_full = 0;
};
TtyProbeResult probe_tty_read(int master_fd, const std::string& slave_path, TtyProbeCache* cache);

}  // namespace amux::pty
