// agent_corpus.h — synthetic output in the shape coding agents print: lines
// of words where about 12 % are UTF-8 (box drawing, bullets, arrows, and
// double-width CJK) and about 25 % carry SGR colour (16, 256 and truecolor,
// bold, dim, italic, underline), each line reset at its end.
//
// Why: the render fast path and `make bench` must be measured and checked on
// what agent TUIs really print, not only on ASCII; the same generator feeds
// the throughput bench and the unit test that compares the fast path with
// the slow one. Header-only so both the bench and the render tests use it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>

namespace amux::test {

// `bytes` of mixed agent-like output (cut at a line end); lines end in
// "\r\n" when crlf (fed to a Screen directly), "\n" otherwise (a file a
// program cats through a PTY, whose ONLCR adds the CR). Deterministic.
inline std::string agent_corpus(size_t bytes, bool crlf, uint32_t seed = 7) {
  static const char* kAscii[] = {"the", "function", "returns", "src/render/screen.cpp", "42", "tests",
                                 "passed", "Reading", "file", "and", "updating", "config", "value=0x7f3a",
                                 "(3", "lines)", "Edit", "ok", "warning:", "->", "done", "build", "make"};
  struct Wide {
    const char* s;
    int w;  // display columns
  };
  static const Wide kUtf8[] = {{"●", 1}, {"⎿", 1}, {"│", 1}, {"─────", 5}, {"✻", 1}, {"→", 1}, {"•", 1},
                               {"…", 1}, {"✔", 1}, {"✗", 1}, {"├──", 3}, {"└─", 2}, {"╭───╮", 5}, {"▶", 1},
                               {"日本語", 6}, {"中文字符", 8}, {"テスト", 6}, {"「完了」", 8}, {"한국어", 6}, {"⏺", 1}};
  std::mt19937 rng(seed);
  std::string out;
  out.reserve(bytes + 512);
  auto pick = [&](int n) { return int(rng() % uint32_t(n)); };
  while (out.size() < bytes) {
    int col = 0, width = 60 + pick(30);
    if (pick(4) == 0) out += "  ";
    while (col < width) {
      bool utf = pick(100) < 12;
      Wide w = utf ? kUtf8[pick(20)] : Wide{kAscii[pick(22)], 0};
      if (!utf) w.w = int(std::char_traits<char>::length(w.s));
      bool sgr = pick(100) < 25;
      if (sgr) {
        switch (pick(6)) {
          case 0: out += "\x1b[38;2;" + std::to_string(pick(256)) + ";" + std::to_string(pick(256)) + ";" +
                         std::to_string(pick(256)) + "m"; break;
          case 1: out += "\x1b[1;38;2;215;119;87m"; break;
          case 2: out += "\x1b[38;5;" + std::to_string(pick(256)) + "m"; break;
          case 3: out += "\x1b[3" + std::to_string(1 + pick(7)) + "m"; break;
          case 4: out += "\x1b[2m"; break;
          default: out += "\x1b[48;2;40;40;" + std::to_string(40 + pick(60)) + ";3m"; break;
        }
      }
      out += w.s;
      if (sgr) out += pick(2) ? "\x1b[0m" : "\x1b[39;49;22;23m";
      out += ' ';
      col += w.w + 1;
    }
    out += "\x1b[0m";
    out += crlf ? "\r\n" : "\n";
  }
  size_t cut = out.rfind('\n', bytes);
  if (cut != std::string::npos) out.resize(cut + 1);
  return out;
}

}  // namespace amux::test
