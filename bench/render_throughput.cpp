// render_throughput.cpp — how fast the Screen parses program output, next to
// libvterm 0.1.4's own screen layer and its bare state layer.
//
// Why: the Screen is the session host's hot path; the target is ≥ 50 MiB/s
// on mixed text at 200x50 on one core (libvterm's own screen layer, measured
// next to it, manages about 14; docs/libvterm.md says why it is not used).
// Feeds 32 MiB of ~80-column lines of printable ASCII with some SGR colour
// changes in 16 KiB chunks, best of three runs. Also prints the
// scrollback's memory for 10,000 lines of `seq` output and of 80-char lines.
//
//   make OUT=build build/bench/render_throughput && build/bench/render_throughput [rows cols MiB [agent]]
#include <vterm.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <random>
#include <string>

#include "render/screen.h"
#include "../tests/support/agent_corpus.h"

using amux::render::Screen;

namespace {

// The feed size: 16 KiB, or $CHUNK bytes (a host reads at most 4095 at a time).
const size_t kChunk = std::getenv("CHUNK") ? size_t(std::atoi(std::getenv("CHUNK"))) : 16 * 1024;

std::string mixed_text(size_t bytes) {
  static const char* kWords[] = {"build", "src/render/screen.cpp", "ok", "warning:", "the",
                                 "function", "returns", "42", "test", "passed", "[INFO]",
                                 "compiling", "object", "->", "done", "value=0x7f3a"};
  static const char* kSgr[] = {"\x1b[32m", "\x1b[1;31m", "\x1b[0m", "\x1b[38;5;208m", "\x1b[1m",
                               "\x1b[m", "\x1b[4;34m", "\x1b[38;2;200;100;50m"};
  std::mt19937 rng(42);
  std::string out;
  out.reserve(bytes + 256);
  while (out.size() < bytes) {
    size_t col = 0, width = 60 + rng() % 40;
    while (col < width) {
      if (rng() % 6 == 0) out += kSgr[rng() % 8];
      const char* w = kWords[rng() % 16];
      out += w;
      out += ' ';
      col += std::strlen(w) + 1;
    }
    out += "\x1b[m\r\n";
  }
  out.resize(bytes);
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double mib_per_s(size_t bytes, double s) { return double(bytes) / (1024.0 * 1024.0) / s; }

double run_screen(const std::string& data, int rows, int cols, bool fast = true) {
  Screen::Options o;
  o.fast_text = fast;
  o.rows = rows;
  o.cols = cols;
  Screen s(o);
  auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < data.size(); i += kChunk)
    s.feed(std::string_view(data).substr(i, kChunk));
  double t = seconds_since(t0);
  if (s.scrollback_size() == 0) std::fprintf(stderr, "no scrollback?\n");
  return t;
}

int sb_push(int, const VTermScreenCell*, void*) { return 1; }

double run_vterm_screen(const std::string& data, int rows, int cols) {
  VTerm* vt = vterm_new(rows, cols);
  vterm_set_utf8(vt, 1);
  VTermScreen* vs = vterm_obtain_screen(vt);
  static const VTermScreenCallbacks cbs = {nullptr, nullptr, nullptr, nullptr,
                                           nullptr, nullptr, &sb_push, nullptr};
  vterm_screen_set_callbacks(vs, &cbs, nullptr);
  vterm_screen_set_damage_merge(vs, VTERM_DAMAGE_SCROLL);
  vterm_screen_reset(vs, 1);
  auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < data.size(); i += kChunk) {
    size_t n = std::min(kChunk, data.size() - i);
    vterm_input_write(vt, data.data() + i, n);
    vterm_screen_flush_damage(vs);
  }
  double t = seconds_since(t0);
  vterm_free(vt);
  return t;
}

double run_vterm_state(const std::string& data, int rows, int cols) {
  VTerm* vt = vterm_new(rows, cols);
  vterm_set_utf8(vt, 1);
  VTermState* st = vterm_obtain_state(vt);
  vterm_state_reset(st, 1);
  auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < data.size(); i += kChunk)
    vterm_input_write(vt, data.data() + i, std::min(kChunk, data.size() - i));
  double t = seconds_since(t0);
  vterm_free(vt);
  return t;
}

template <typename F>
double best_of_3(F f) {
  double best = 1e9;
  for (int i = 0; i < 3; ++i) best = std::min(best, f());
  return best;
}

size_t scrollback_bytes_for(const std::string& text) {
  Screen::Options o;
  o.rows = 50;
  o.cols = 200;
  o.scrollback_lines = 10000;
  Screen s(o);
  s.feed(text);
  return s.scrollback_bytes();
}

}  // namespace

int main(int argc, char** argv) {
  int rows = argc > 1 ? std::atoi(argv[1]) : 50;
  int cols = argc > 2 ? std::atoi(argv[2]) : 200;
  size_t mib = argc > 3 ? size_t(std::atoi(argv[3])) : 32;
  if (argc > 4 && std::string(argv[4]) == "agent") {  // one run of the Screen on agent-like text (for perf)
    std::string agent = amux::test::agent_corpus(mib << 20, true);
    double t = run_screen(agent, rows, cols);
    std::printf("agent-like text: %7.1f MiB/s\n", mib_per_s(agent.size(), t));
    return 0;
  }
  std::string data = mixed_text(mib << 20);

  double ours = best_of_3([&] { return run_screen(data, rows, cols); });
  double screen = best_of_3([&] { return run_vterm_screen(data, rows, cols); });
  double state = best_of_3([&] { return run_vterm_state(data, rows, cols); });
  std::printf("mixed text, %zu MiB in %zu KiB chunks, %d cols x %d rows\n", mib, kChunk / 1024,
              cols, rows);
  std::printf("  amux Screen (state layer + row ring):  %7.1f MiB/s\n", mib_per_s(data.size(), ours));
  std::printf("  libvterm screen layer:                 %7.1f MiB/s\n", mib_per_s(data.size(), screen));
  std::printf("  libvterm state layer, no callbacks:    %7.1f MiB/s\n", mib_per_s(data.size(), state));

  std::string agent = amux::test::agent_corpus(mib << 20, true);
  double agent_fast = best_of_3([&] { return run_screen(agent, rows, cols); });
  double agent_slow = best_of_3([&] { return run_screen(agent, rows, cols, false); });
  double agent_state = best_of_3([&] { return run_vterm_state(agent, rows, cols); });
  std::printf("agent-like text (12%% UTF-8 words incl. CJK, 25%% SGR incl. truecolor), %zu MiB\n", mib);
  std::printf("  amux Screen, fast paths:               %7.1f MiB/s\n", mib_per_s(agent.size(), agent_fast));
  std::printf("  amux Screen, fast paths off:           %7.1f MiB/s\n", mib_per_s(agent.size(), agent_slow));
  std::printf("  libvterm state layer, no callbacks:    %7.1f MiB/s\n", mib_per_s(agent.size(), agent_state));

  std::string seq, lines;
  for (int i = 1; i <= 10050; ++i) seq += std::to_string(i) + "\r\n";
  std::mt19937 rng(1);
  for (int i = 0; i < 10050; ++i) {
    for (int k = 0; k < 80; ++k) lines.push_back(char('!' + rng() % 94));
    lines += "\r\n";
  }
  std::printf("scrollback, 10,000 lines: seq %zu bytes, 80-char lines %zu bytes\n",
              scrollback_bytes_for(seq), scrollback_bytes_for(lines));
  return 0;
}
