// tty_probe.cpp — ask the kernel whether a PTY's foreground job waits for input.
//
// Why: see tty_probe.h. Steps:
//  1. tcgetpgrp(master) gives the foreground process group; tcgetsid(master)
//     the session (our child).
//  2. The group's processes: walk the session leader's descendants through
//     /proc/<pid>/task/<tid>/children and keep those whose pgrp matches. When
//     that finds none (kernel without the children file, or the group's
//     processes were reparented away), scan every /proc/<pid>/stat instead.
//     Known gap: a reparented member is missed while other members remain in
//     the tree.
//  3. Every thread of those processes: /proc/<pid>/task/<tid>/syscall names
//     the syscall it sleeps in and its arguments.
//     - read/readv/pread64: reading when the fd (argument 1) is this tty
//       (/proc/<pid>/fd/<fd> links to the slave, or to /dev/tty).
//     - poll/ppoll: the pollfd array is read from /proc/<pid>/mem; reading
//       when a POLLIN entry is this tty. select/pselect6: the same with the
//       read fd_set. epoll_wait/epoll_pwait/epoll_pwait2: the epoll fd's
//       /proc/<pid>/fdinfo lists the watched fds ("tfd:") and their events.
//       When memory or fdinfo cannot be read, a heuristic: reading when any
//       of fds 0..2 is this tty. (A program that polls the tty all along,
//       like a node TUI, counts as reading whenever it is idle.)
//     - "running", anything else: not reading.
//  4. Without /proc/<pid>/syscall (no ptrace permission), /proc/.../wchan:
//     state S in n_tty_read/wait_woken with fd 0 on the tty, or in a
//     poll/select/epoll wait with one of fds 0..2 on the tty, is reading.
// Any thread reading makes the group Reading; NotReading needs every live
// process inspected; otherwise Unknown.
#include "pty/tty_probe.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "pty/unique_fd.h"

namespace amux::pty {

namespace {

// --- syscall numbers of this architecture ---------------------------------

enum class Kind { Read, Poll, Select, Epoll, Other };

struct SyscallInfo {
  long nr;
  Kind kind;
  const char* name;
};

constexpr SyscallInfo kSyscalls[] = {
#if defined(__x86_64__)
    {0, Kind::Read, "read"},           {19, Kind::Read, "readv"},
    {17, Kind::Read, "pread64"},       {7, Kind::Poll, "poll"},
    {271, Kind::Poll, "ppoll"},        {23, Kind::Select, "select"},
    {270, Kind::Select, "pselect6"},   {232, Kind::Epoll, "epoll_wait"},
    {281, Kind::Epoll, "epoll_pwait"}, {441, Kind::Epoll, "epoll_pwait2"},
    {61, Kind::Other, "wait4"},        {247, Kind::Other, "waitid"},
    {35, Kind::Other, "nanosleep"},    {230, Kind::Other, "clock_nanosleep"},
    {202, Kind::Other, "futex"},       {34, Kind::Other, "pause"},
    {1, Kind::Other, "write"},
#elif defined(__aarch64__)
    {63, Kind::Read, "read"},          {65, Kind::Read, "readv"},
    {67, Kind::Read, "pread64"},       {73, Kind::Poll, "ppoll"},
    {72, Kind::Select, "pselect6"},    {22, Kind::Epoll, "epoll_pwait"},
    {441, Kind::Epoll, "epoll_pwait2"}, {260, Kind::Other, "wait4"},
    {95, Kind::Other, "waitid"},       {101, Kind::Other, "nanosleep"},
    {115, Kind::Other, "clock_nanosleep"}, {98, Kind::Other, "futex"},
    {64, Kind::Other, "write"},
#endif
};

const SyscallInfo* find_syscall(long nr) {
  for (const SyscallInfo& s : kSyscalls)
    if (s.nr == nr) return &s;
  return nullptr;
}

// --- small /proc readers ---------------------------------------------------

// Read up to max bytes of a (proc) file; false when it cannot be opened or read.
bool read_file(const std::string& path, std::string& out, size_t max = 8192) {
  out.clear();
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return false;
  out.resize(max);
  size_t len = 0;
  bool ok = true;
  while (len < max) {
    const ssize_t n = ::read(fd.get(), out.data() + len, max - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ok = false;
    if (n <= 0) break;
    len += size_t(n);
  }
  out.resize(len);
  return ok;
}

std::string proc_path(pid_t pid) { return "/proc/" + std::to_string(pid); }

struct ProcStat {
  char state = '?';
  pid_t pgrp = -1;
};

// /proc/<...>/stat: "pid (comm) S ppid pgrp ..."; comm may hold ") ".
bool read_stat(const std::string& path, ProcStat& st) {
  std::string s;
  if (!read_file(path, s, 1024)) return false;
  const size_t close = s.rfind(')');
  if (close == std::string::npos || close + 2 >= s.size()) return false;
  const char* p = s.c_str() + close + 2;
  st.state = *p;
  char* end = nullptr;
  strtol(p + 1, &end, 10);                  // ppid
  st.pgrp = pid_t(strtol(end, &end, 10));  // pgrp
  return true;
}

bool is_this_tty(const std::string& target, const std::string& slave_path) {
  return target == slave_path || target == "/dev/tty";
}

// Does fd of pid refer to this terminal?
bool fd_is_tty(pid_t pid, long fd, const std::string& slave_path) {
  if (fd < 0 || fd > (1 << 24)) return false;
  const std::string link = proc_path(pid) + "/fd/" + std::to_string(fd);
  char buf[256];
  const ssize_t n = readlink(link.c_str(), buf, sizeof buf - 1);
  if (n <= 0) return false;
  return is_this_tty(std::string(buf, size_t(n)), slave_path);
}

bool std_fd_is_tty(pid_t pid, const std::string& slave_path) {
  for (int fd = 0; fd <= 2; ++fd)
    if (fd_is_tty(pid, fd, slave_path)) return true;
  return false;
}

// Copy len bytes at addr of pid's memory; false when not permitted.
bool read_memory(pid_t pid, uint64_t addr, void* buf, size_t len) {
  if (addr == 0 || len == 0) return false;
  const UniqueFd fd(::open((proc_path(pid) + "/mem").c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return false;
  const ssize_t n = pread(fd.get(), buf, len, off_t(addr));
  return n == ssize_t(len);
}

std::vector<pid_t> list_numeric_dir(const std::string& path) {
  std::vector<pid_t> out;
  DIR* d = opendir(path.c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    char* end = nullptr;
    const long v = strtol(e->d_name, &end, 10);
    if (end != e->d_name && *end == '\0' && v > 0) out.push_back(pid_t(v));
  }
  closedir(d);
  return out;
}

// --- finding the foreground group -----------------------------------------

// Descendants of root (root included) that are in the group pgid.
std::vector<pid_t> walk_tree(pid_t root, pid_t pgid) {
  std::vector<pid_t> found, queue{root};
  for (size_t i = 0; i < queue.size() && queue.size() < 100000; ++i) {
    const pid_t pid = queue[i];
    ProcStat st;
    if (read_stat(proc_path(pid) + "/stat", st) && st.pgrp == pgid) found.push_back(pid);
    for (pid_t tid : list_numeric_dir(proc_path(pid) + "/task")) {
      std::string children;
      if (!read_file(proc_path(pid) + "/task/" + std::to_string(tid) + "/children", children,
                     65536))
        continue;
      const char* p = children.c_str();
      char* end = nullptr;
      for (long c = strtol(p, &end, 10); end != p; p = end, c = strtol(p, &end, 10))
        queue.push_back(pid_t(c));
    }
  }
  return found;
}

std::vector<pid_t> scan_all(pid_t pgid) {
  std::vector<pid_t> found;
  for (pid_t pid : list_numeric_dir("/proc")) {
    ProcStat st;
    if (read_stat(proc_path(pid) + "/stat", st) && st.pgrp == pgid) found.push_back(pid);
  }
  return found;
}

std::vector<pid_t> group_members(pid_t pgid, pid_t sid) {
  std::vector<pid_t> found = walk_tree(sid > 0 ? sid : pgid, pgid);
  if (found.empty()) found = scan_all(pgid);
  return found;
}

// --- one thread ------------------------------------------------------------

enum class Verdict { Reading, NotReading, Unknown };

struct TaskResult {
  Verdict verdict = Verdict::Unknown;
  std::string syscall;
};

bool poll_has_tty(pid_t pid, uint64_t fds_addr, uint64_t nfds, const std::string& slave,
                  bool* known) {
  *known = false;
  if (nfds == 0) {
    *known = true;
    return false;
  }
  if (nfds > 4096) return false;
  std::vector<struct pollfd> fds(nfds);
  if (!read_memory(pid, fds_addr, fds.data(), fds.size() * sizeof(struct pollfd))) return false;
  *known = true;
  for (const struct pollfd& p : fds)
    if (p.fd >= 0 && (p.events & (POLLIN | POLLPRI)) && fd_is_tty(pid, p.fd, slave)) return true;
  return false;
}

bool select_has_tty(pid_t pid, uint64_t nfds, uint64_t readfds_addr, const std::string& slave,
                    bool* known) {
  *known = false;
  if (readfds_addr == 0 || nfds == 0) {
    *known = true;  // nothing to read: a sleep through select
    return false;
  }
  if (nfds > 65536) return false;
  // fd_set is an array of longs; on little-endian machines bit i is bit i%8
  // of byte i/8.
  std::vector<unsigned char> bits((nfds + 63) / 64 * 8);
  if (!read_memory(pid, readfds_addr, bits.data(), bits.size())) return false;
  *known = true;
  for (uint64_t fd = 0; fd < nfds; ++fd)
    if ((bits[fd / 8] >> (fd % 8)) & 1)
      if (fd_is_tty(pid, long(fd), slave)) return true;
  return false;
}

// fdinfo of an epoll fd: one "tfd: <fd> events: <hex> data: ..." per watch.
bool epoll_has_tty(pid_t pid, long epfd, const std::string& slave, bool* known) {
  *known = false;
  std::string info;
  if (epfd < 0 || !read_file(proc_path(pid) + "/fdinfo/" + std::to_string(epfd), info, 65536))
    return false;
  *known = true;
  for (size_t pos = info.find("tfd:"); pos != std::string::npos;
       pos = info.find("tfd:", pos + 4)) {
    char* end = nullptr;
    const long fd = strtol(info.c_str() + pos + 4, &end, 10);
    const size_t ev = info.find("events:", pos);
    if (ev == std::string::npos) break;
    const unsigned long events = strtoul(info.c_str() + ev + 7, nullptr, 16);
    if ((events & (EPOLLIN | EPOLLPRI)) && fd_is_tty(pid, fd, slave)) return true;
  }
  return false;
}

// Fallback without /proc/<pid>/task/<tid>/syscall.
TaskResult inspect_wchan(pid_t pid, const std::string& task_dir, const std::string& slave) {
  TaskResult r;
  ProcStat st;
  std::string wchan;
  if (!read_stat(task_dir + "/stat", st)) return r;
  if (st.state == 'R') {
    r.verdict = Verdict::NotReading;
    r.syscall = "running";
    return r;
  }
  if (!read_file(task_dir + "/wchan", wchan, 256) || wchan.empty() || wchan == "0") return r;
  const auto has = [&](std::string_view w) { return wchan.find(w) != std::string::npos; };
  r.verdict = Verdict::NotReading;
  if (st.state != 'S') return r;
  if ((has("n_tty_read") || has("wait_woken")) && fd_is_tty(pid, 0, slave)) {
    r.verdict = Verdict::Reading;
    r.syscall = "read";
  } else if ((has("poll") || has("select") || has("ep_poll") || has("epoll")) &&
             std_fd_is_tty(pid, slave)) {
    r.verdict = Verdict::Reading;
    r.syscall = "poll";
  }
  return r;
}

TaskResult inspect_task(pid_t pid, pid_t tid, const std::string& slave) {
  const std::string task_dir = proc_path(pid) + "/task/" + std::to_string(tid);
  std::string text;
  if (!read_file(task_dir + "/syscall", text, 512) || text.empty())
    return inspect_wchan(pid, task_dir, slave);

  TaskResult r;
  r.verdict = Verdict::NotReading;
  if (text.rfind("running", 0) == 0) {
    r.syscall = "running";
    return r;
  }
  // "<nr> 0x<a1> ... 0x<a6> 0x<sp> 0x<pc>", or "-1 0x<sp> 0x<pc>" when the
  // thread is blocked outside a syscall (stopped, say).
  const char* p = text.c_str();
  char* end = nullptr;
  const long nr = strtol(p, &end, 10);
  if (end == p || nr < 0) return r;
  uint64_t args[6] = {};
  for (uint64_t& a : args) {
    p = end;
    a = strtoull(p, &end, 16);
  }
  const SyscallInfo* info = find_syscall(nr);
  if (!info) return r;
  r.syscall = info->name;
  bool known = true, reading = false;
  switch (info->kind) {
    case Kind::Read:
      reading = fd_is_tty(pid, long(args[0]), slave);
      break;
    case Kind::Poll:
      reading = poll_has_tty(pid, args[0], args[1], slave, &known);
      break;
    case Kind::Select:
      reading = select_has_tty(pid, args[0], args[1], slave, &known);
      break;
    case Kind::Epoll:
      reading = epoll_has_tty(pid, long(int(args[0])), slave, &known);
      break;
    case Kind::Other:
      break;
  }
  if (!known) reading = std_fd_is_tty(pid, slave);
  if (reading) r.verdict = Verdict::Reading;
  return r;
}

TtyProbeResult probe_full(pid_t pgid, int master_fd, const std::string& slave_path);

}  // namespace

TtyProbeResult probe_tty_read(int master_fd, const std::string& slave_path) {
  return probe_tty_read(master_fd, slave_path, nullptr);
}

TtyProbeResult probe_tty_read(int master_fd, const std::string& slave_path, TtyProbeCache* cache) {
  TtyProbeResult result;
  if (master_fd < 0) return result;
  const pid_t pgid = tcgetpgrp(master_fd);
  if (pgid <= 0) return result;
  std::string line;
  const auto syscall_path = [](pid_t pid) {
    return proc_path(pid) + "/task/" + std::to_string(pid) + "/syscall";
  };
  if (cache && cache->pgid == pgid && cache->only_pid > 0 &&
      ++cache->since_full < TtyProbeCache::kFullEvery &&
      read_file(syscall_path(cache->only_pid), line, 512) && line == cache->syscall_line)
    return cache->result;
  if (cache) {
    cache->pgid = pgid;
    cache->only_pid = -1;
    cache->since_full = 0;
  }
  result = probe_full(pgid, master_fd, slave_path);
  if (cache && result.state != TtyReadState::Unknown) {
    // Cacheable only for a group of one single-threaded process.
    const std::vector<pid_t>& members = result.members;
    if (members.size() == 1 && list_numeric_dir(proc_path(members[0]) + "/task").size() == 1 &&
        read_file(syscall_path(members[0]), line, 512)) {
      cache->only_pid = members[0];
      cache->syscall_line = line;
      cache->result = result;
    }
  }
  return result;
}

namespace {

// Walk every process and thread of the foreground group.
TtyProbeResult probe_full(pid_t pgid, int master_fd, const std::string& slave_path) {
  TtyProbeResult result;
  result.pid = pgid;
  // tcgetsid, spelled out with an initialised result: valgrind does not
  // know TIOCGSID and would flag the value.
  pid_t sid = -1;
  if (ioctl(master_fd, TIOCGSID, &sid) < 0) sid = -1;

  bool any_live = false, all_known = true;
  std::string leader_syscall;
  for (pid_t pid : group_members(pgid, sid)) {
    ProcStat st;
    if (!read_stat(proc_path(pid) + "/stat", st) || st.state == 'Z' || st.state == 'X') continue;
    result.members.push_back(pid);
  }
  for (pid_t pid : result.members) {
    any_live = true;
    std::vector<pid_t> tids = list_numeric_dir(proc_path(pid) + "/task");
    if (tids.empty()) all_known = false;
    for (pid_t tid : tids) {
      const TaskResult t = inspect_task(pid, tid, slave_path);
      if (t.verdict == Verdict::Reading) {
        result.state = TtyReadState::Reading;
        result.pid = pid;
        result.syscall = t.syscall;
        return result;
      }
      if (t.verdict == Verdict::Unknown) all_known = false;
      if ((pid == pgid || leader_syscall.empty()) && tid == pid) leader_syscall = t.syscall;
    }
  }
  if (any_live && all_known) {
    result.state = TtyReadState::NotReading;
    result.syscall = leader_syscall;
  }
  return result;
}

}  // namespace

}  // namespace amux::pty
