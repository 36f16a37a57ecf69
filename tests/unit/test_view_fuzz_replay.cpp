// test_view_fuzz_replay.cpp — every file of every fuzz target's corpus
// (tests/fuzz/corpus/<name>/: the seeds and each crash the fuzzers found,
// kept under a telling name) replayed through the target's entry function.
//
// Why: the fuzzers need clang and minutes (`make fuzz`); this needs
// neither, so a fix that regresses fails `make test` with the corpus file's
// name. The targets are compiled here by g++ with AMUX_FUZZ_REPLAY, which
// makes a broken invariant throw instead of abort; any other exception out
// of a target is a failure too (under libFuzzer it would be a crash).
// "view" in the name: the targets use every layer up to the view.
#define AMUX_FUZZ_REPLAY 1

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <iterator>
#include <map>
#include <memory>
#include <set>

#define LLVMFuzzerTestOneInput fuzz_entry_config
#include "fuzz/fuzz_config.cpp"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_entry_frame
#include "fuzz/fuzz_frame.cpp"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_entry_json
#include "fuzz/fuzz_json.cpp"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_entry_keys
#include "fuzz/fuzz_keys.cpp"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_entry_prompt
#include "fuzz/fuzz_prompt.cpp"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_entry_screen
#include "fuzz/fuzz_screen.cpp"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_entry_text
#include "fuzz/fuzz_text.cpp"
#undef LLVMFuzzerTestOneInput

namespace {

namespace fs = std::filesystem;
using Entry = int (*)(const uint8_t*, size_t);

const std::map<std::string, Entry>& targets() {
  static const std::map<std::string, Entry> t = {
      {"config", fuzz_entry_config}, {"frame", fuzz_entry_frame}, {"json", fuzz_entry_json},
      {"keys", fuzz_entry_keys},     {"prompt", fuzz_entry_prompt}, {"screen", fuzz_entry_screen},
      {"text", fuzz_entry_text},
  };
  return t;
}

// tests/fuzz of the source tree: $AMUX_SOURCE_DIR, else found by walking up
// from the working directory or the test binary.
fs::path fuzz_dir() {
  const fs::path rel = fs::path("tests") / "fuzz";
  if (const char* src = std::getenv("AMUX_SOURCE_DIR"))
    if (fs::is_directory(fs::path(src) / rel)) return fs::path(src) / rel;
  std::error_code ec;
  for (fs::path start : {fs::current_path(ec), fs::read_symlink("/proc/self/exe", ec).parent_path()})
    for (fs::path p = start; !p.empty(); p = p.parent_path()) {
      if (fs::is_directory(p / rel)) return p / rel;
      if (p == p.parent_path()) break;
    }
  return {};
}

void replay(const std::string& name) {
  const fs::path dir = fuzz_dir() / "corpus" / name;
  ASSERT_TRUE(fs::is_directory(dir)) << "no corpus at " << dir;
  std::set<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) files.insert(e.path());
  ASSERT_FALSE(files.empty()) << dir << " is empty";
  const Entry entry = targets().at(name);
  for (const fs::path& f : files) {
    std::ifstream in(f, std::ios::binary);
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    try {
      // In a buffer of exactly its size, as libFuzzer gives it, so that a
      // read past the input is caught under ASan (a std::string's NUL
      // would stop strncpy one byte past).
      auto exact = std::make_unique<uint8_t[]>(data.size() + (data.empty() ? 1 : 0));
      std::copy(data.begin(), data.end(), exact.get());
      entry(exact.get(), data.size());
    } catch (const amux::fuzz::FuzzFailure& e) {
      ADD_FAILURE() << f << ": " << e.what;
    } catch (const std::exception& e) {
      ADD_FAILURE() << f << ": exception out of the target: " << e.what();
    }
  }
  std::cout << "[ REPLAYED ] " << files.size() << " inputs of fuzz_" << name << "\n";
}

TEST(FuzzReplay, Config) { replay("config"); }
TEST(FuzzReplay, Frame) { replay("frame"); }
TEST(FuzzReplay, Json) { replay("json"); }
TEST(FuzzReplay, Keys) { replay("keys"); }
TEST(FuzzReplay, Prompt) { replay("prompt"); }
TEST(FuzzReplay, Screen) { replay("screen"); }
TEST(FuzzReplay, Text) { replay("text"); }

// A new target gets replayed too: every tests/fuzz/fuzz_<name>.cpp is in
// the table above and has a corpus.
TEST(FuzzReplay, EveryTargetIsReplayed) {
  const fs::path dir = fuzz_dir();
  ASSERT_FALSE(dir.empty()) << "tests/fuzz not found";
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string f = e.path().filename().string();
    if (f.rfind("fuzz_", 0) != 0 || e.path().extension() != ".cpp") continue;
    const std::string name = f.substr(5, f.size() - 9);
    EXPECT_TRUE(targets().count(name)) << f << " is not replayed here";
    EXPECT_TRUE(fs::is_directory(dir / "corpus" / name)) << f << " has no corpus";
    ++n;
  }
  EXPECT_EQ(n, int(targets().size()));
}

}  // namespace
