// agent_corpus.cpp — writes the mixed agent-like corpus (UTF-8 incl. CJK,
// box drawing, bullets; SGR incl. truecolor: tests/support/agent_corpus.h)
// to a file, for `make bench`'s A1 throughput on mixed text.
//
//   build/bench/agent_corpus FILE MiB
#include <cstdio>
#include <cstdlib>

#include "../tests/support/agent_corpus.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: agent_corpus FILE MiB\n");
    return 2;
  }
  std::string data = amux::test::agent_corpus(size_t(std::atoi(argv[2])) << 20, false);
  std::FILE* f = std::fopen(argv[1], "wb");
  if (!f || std::fwrite(data.data(), 1, data.size(), f) != data.size() || std::fclose(f) != 0) {
    std::perror(argv[1]);
    return 1;
  }
  return 0;
}
