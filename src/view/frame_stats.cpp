// frame_stats.cpp — see frame_stats.h.
#include "view/frame_stats.h"

#include <cstdlib>
#include <ctime>

namespace amux::view {

int64_t mono_us() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

FrameStats::FrameStats() {
  const char* p = getenv("AMUX_VIEW_STATS");
  if (p && *p) f_ = fopen(p, "ae");
}

FrameStats::~FrameStats() {
  if (f_) fclose(f_);
}

void FrameStats::record(int64_t micros) {
  frames_++;
  if (!f_) return;
  fprintf(f_, "%lld\n", static_cast<long long>(micros));
  if (frames_ % 32 == 0) fflush(f_);
}

}  // namespace amux::view
