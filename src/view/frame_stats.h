// frame_stats.h — per-frame timings of the agent view, for the benchmark.
//
// Why: the view's speed target (p99 frame ≤ 16 ms) is measured in the view
// itself: with AMUX_VIEW_STATS=<file> set, every frame's draw time in
// microseconds is appended to that file, one number a line. Writes are
// buffered and flushed every few dozen frames and on exit.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace amux::view {

class FrameStats {
 public:
  FrameStats();  // reads AMUX_VIEW_STATS
  ~FrameStats();
  FrameStats(const FrameStats&) = delete;
  FrameStats& operator=(const FrameStats&) = delete;

  bool enabled() const { return f_ != nullptr; }
  void record(int64_t micros);
  uint64_t frames() const { return frames_; }

 private:
  FILE* f_ = nullptr;
  uint64_t frames_ = 0;
};

// Monotonic microseconds.
int64_t mono_us();

}  // namespace amux::view
