// process_info.cpp — see process_info.h.
#include "mux/process_info.h"

#include <signal.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>

namespace amux::mux {
namespace {
// Fields after the command name (which may hold spaces and parentheses).
bool stat_fields(pid_t pid, char* state, uint64_t* start) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string s;
  if (!in || !std::getline(in, s)) return false;
  auto close = s.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream f(s.substr(close + 2));
  std::string tok;
  // field 3 is state; starttime is field 22 → the 20th token after ')'.
  for (int i = 3; i <= 22 && (f >> tok); i++) {
    if (i == 3) *state = tok.empty() ? '?' : tok[0];
    if (i == 22) { *start = std::stoull(tok); return true; }
  }
  return false;
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
