// process_info.cpp — see process_info.h.
#include "mux/sys/process_info.h"

#include <signal.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "mux/store/atomic_file.h"

namespace amux::mux {
namespace {
// Fields after the command name (which may hold spaces and parentheses).
// No iostreams: the session host (build/amux-host) calls this and stays small.
bool stat_fields(pid_t pid, char* state, uint64_t* start) {
  auto s = read_file("/proc/" + std::to_string(pid) + "/stat");
  if (!s) return false;
  auto close = s->rfind(')');
  if (close == std::string::npos || close + 2 >= s->size()) return false;
  const char* p = s->c_str() + close + 2;
  // field 3 is state; starttime is field 22.
  *state = *p;
  for (int i = 3; i < 22; i++) {
    while (*p && *p != ' ') p++;
    if (!*p) return false;
    p++;
  }
  char* end = nullptr;
  *start = std::strtoull(p, &end, 10);
  return end != p;
}
}  // namespace

uint64_t process_start_time(pid_t pid) {
  char st = 0;
  uint64_t start = 0;
  if (pid <= 0 || !stat_fields(pid, &st, &start)) return 0;
  return start;
}

bool process_alive(pid_t pid, uint64_t start_time) {
  if (pid <= 0) return false;
  if (kill(pid, 0) != 0 && errno != EPERM) return false;
  char st = 0;
  uint64_t start = 0;
  if (!stat_fields(pid, &st, &start)) return false;
  if (st == 'Z' || st == 'X') return false;
  return start_time == 0 || start == start_time;
}

}  // namespace amux::mux
