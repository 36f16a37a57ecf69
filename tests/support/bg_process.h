// bg_process.h — a long-running command for tests (`agents --json --follow`,
// `wait`): started with its output going to a file, read while it runs,
// and its exit status collected.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace amux::test {

class BgProcess {
 public:
  BgProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {});
  ~BgProcess();  // SIGTERM, then reaped
  BgProcess(const BgProcess&) = delete;
  BgProcess& operator=(const BgProcess&) = delete;

  std::string out() const;                 // stdout so far
  std::string err() const;                 // stderr so far
  std::vector<std::string> lines() const;  // complete stdout lines so far
  // The exit status once it exited within timeout_ms (128+N for signal N).
  std::optional<int> wait_exit(int timeout_ms);
  bool running();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::string dir_;
};

}  // namespace amux::test
