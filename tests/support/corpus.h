// corpus.h — the recorded program output in tests/fixtures/corpus (colour
// ls, a less page, vim-like redraws, CJK and emoji), for the render tests.
//
// Why header-only: the render unit tests link only their own layer, not the
// integration support library. Files are named <name>-<cols>x<rows>.vt.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>
#include <system_error>
#include <vector>

namespace amux::test {

struct CorpusFile {
  std::string name;
  std::string data;
  int rows = 24, cols = 80;
};

// $AMUX_SOURCE_DIR/tests/fixtures/corpus, else found by walking up from the
// working directory or the test binary; empty when not found.
inline std::filesystem::path find_corpus_dir() {
  namespace fs = std::filesystem;
  const fs::path rel = fs::path("tests") / "fixtures" / "corpus";
  if (const char* src = std::getenv("AMUX_SOURCE_DIR")) {
    if (fs::is_directory(fs::path(src) / rel)) return fs::path(src) / rel;
  }
  std::error_code ec;
  for (fs::path start : {fs::current_path(ec), fs::read_symlink("/proc/self/exe", ec).parent_path()}) {
    for (fs::path p = start; !p.empty(); p = p.parent_path()) {
      if (fs::is_directory(p / rel)) return p / rel;
      if (p == p.parent_path()) break;
    }
  }
  return {};
}

// Every corpus file, sorted by name (loaded once).
inline const std::vector<CorpusFile>& corpus() {
  static const std::vector<CorpusFile> files = [] {
    namespace fs = std::filesystem;
    std::vector<CorpusFile> out;
    fs::path dir = find_corpus_dir();
    if (dir.empty()) return out;
    static const std::regex name_re(R"((.*)-(\d+)x(\d+)\.vt)");
    for (const auto& e : fs::directory_iterator(dir)) {
      std::smatch m;
      std::string fname = e.path().filename().string();
      if (!std::regex_match(fname, m, name_re)) continue;
      CorpusFile f;
      f.name = fname;
      f.cols = std::stoi(m[2]);
      f.rows = std::stoi(m[3]);
      std::ifstream in(e.path(), std::ios::binary);
      f.data.assign(std::istreambuf_iterator<char>(in), {});
      out.push_back(std::move(f));
    }
    std::sort(out.begin(), out.end(), [](const CorpusFile& a, const CorpusFile& b) { return a.name < b.name; });
    return out;
  }();
  return files;
}

}  // namespace amux::test
