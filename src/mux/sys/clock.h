// clock.h — the monotonic clock in milliseconds.
//
// Why: deadlines (a command's timeout, a host's probe and save intervals)
// must not jump with the wall clock; this is the one reading of
// CLOCK_MONOTONIC the mux shares. Header-only so the session host's own
// build needs no extra object.
#pragma once

#include <time.h>

#include <cstdint>

namespace amux::mux {

inline int64_t mono_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace amux::mux
