// process_info.h — facts about a process from /proc, to tell a live host
// from a dead one whose pid was reused.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace amux::mux {

// starttime (field 22 of /proc/<pid>/stat, clock ticks since boot), 0 if gone.
uint64_t process_start_time(pid_t pid);
// The process exists, is not a zombie, and (when start_time != 0) started then.
bool process_alive(pid_t pid, uint64_t start_time = 0);

}  // namespace amux::mux
