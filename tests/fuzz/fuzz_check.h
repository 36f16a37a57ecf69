// fuzz_check.h — what every fuzz target shares: an invariant check that
// fails loudly, and a small reader for the structured bytes a target takes.
//
// Why: libFuzzer (`make fuzz`, clang) turns an abort into a crash report with
// the input; the replay test (`make test`, g++, tests/unit/
// test_view_fuzz_replay.cpp) builds the same targets with AMUX_FUZZ_REPLAY
// and wants a failure it can catch and name the corpus file for, so there a
// broken invariant throws FuzzFailure (deliberately not a std::exception, so
// no target's own catch swallows it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace amux::fuzz {

struct FuzzFailure {
  std::string what;
};

[[noreturn]] inline void fail(const char* file, int line, const std::string& what) {
  std::string msg = std::string(file) + ":" + std::to_string(line) + ": " + what;
#ifdef AMUX_FUZZ_REPLAY
  throw FuzzFailure{msg};
#else
  std::fprintf(stderr, "fuzz invariant broken: %s\n", msg.c_str());
  std::abort();
#endif
}

// Reads a target's input front to back: control bytes first, the rest as
// data. Past the end every read yields 0 / "".
class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : p_(data), n_(size) {}
  uint8_t byte() { return i_ < n_ ? p_[i_++] : 0; }
  uint16_t u16() { return uint16_t(byte() | (byte() << 8)); }
  std::string_view take(size_t len) {
    if (len > n_ - i_) len = n_ - i_;
    std::string_view s(reinterpret_cast<const char*>(p_ + i_), len);
    i_ += len;
    return s;
  }
  std::string_view rest() { return take(n_ - i_); }
  size_t left() const { return n_ - i_; }

 private:
  const uint8_t* p_;
  size_t n_;
  size_t i_ = 0;
};

// Deterministic piece lengths from a seed byte (xorshift), so a target can
// cut its data the way a socket or a PTY read would, reproducibly.
class Cuts {
 public:
  explicit Cuts(uint8_t seed) : s_(0x9E3779B9u ^ (uint32_t(seed) * 0x01000193u)) {}
  // 1..max, small pieces most often.
  size_t next(size_t max) {
    s_ ^= s_ << 13;
    s_ ^= s_ >> 17;
    s_ ^= s_ << 5;
    const uint32_t r = s_;
    size_t n = (r & 3) == 0 ? 1 + (r >> 8) % 4 : (r & 3) == 1 ? 1 + (r >> 8) % 64 : 1 + (r >> 8) % 4096;
    return n < max ? n : max;
  }

 private:
  uint32_t s_;
};

}  // namespace amux::fuzz

#define FUZZ_CHECK(cond, what)                                            \
  do {                                                                    \
    if (!(cond)) ::amux::fuzz::fail(__FILE__, __LINE__, std::string(what)); \
  } while (0)
