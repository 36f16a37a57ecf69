// host_main.cpp — main() of build/amux-host, the session host binary.
//
// Why a binary of its own: one host runs per session and stays up while the
// session idles, so its memory is counted per session (the target: ≤ 1.5 MiB
// PSS and ≤ 4 MiB RSS idle with 10,000 lines of scrollback). The full amux
// maps libstdc++, ncurses, toml++ and all of amux's commands; this one links
// only the host (mux/host and what it uses, render, pty), with
// libstdc++, libuv and libvterm linked in statically, so it maps little
// besides libc. It reads no TOML: the launcher (mux/daemon/host_launcher.h) resolves
// config.toml and the agent's screen patterns into jobs/<id>/host.json.
// The launcher runs it as `amux host <id> --ready-fd N` (argv[0] "amux"), so
// ps shows what the fallback `amux host` would show.
// Arguments go through libc's getopt_long rather than CLI11: CLI11's App
// alone is ~175 KiB of code, i.e. ~250 KiB more PSS per idle host (measured),
// and the host takes one positional and one option.
#include <getopt.h>
#include <signal.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "mux/store/host_spec.h"
#include "mux/store/paths.h"
#include "mux/host/session_host.h"
#include "mux/store/session_id.h"

namespace {

constexpr const char* kUsage = "usage: amux host <id> [--ready-fd N]";

}  // namespace

int main(int argc, char** argv) {
  using namespace amux::mux;
  ::signal(SIGPIPE, SIG_IGN);
  std::string id;
  int ready_fd = -1;
  // argv: amux host <id> [--ready-fd N]
  if (argc < 2 || std::strcmp(argv[1], "host") != 0) {
    std::fprintf(stderr, "amux: %s\n", kUsage);
    return 2;
  }
  static const option kOptions[] = {{"ready-fd", required_argument, nullptr, 'r'},
                                    {"help", no_argument, nullptr, 'h'},
                                    {nullptr, 0, nullptr, 0}};
  opterr = 0;
  optind = 2;  // after "host"; GNU getopt moves the id after the options
  for (int c; (c = getopt_long(argc, argv, "h", kOptions, nullptr)) != -1;) {
    if (c == 'h') {
      std::printf("%s\n", kUsage);
      return 0;
    }
    if (c == 'r') {
      char* end = nullptr;
      long v = std::strtol(optarg, &end, 10);
      if (*optarg && *end == 0 && v >= 0 && v <= INT_MAX) {
        ready_fd = int(v);
        continue;
      }
      std::fprintf(stderr, "amux: --ready-fd: not a file descriptor: %s\n", optarg);
      return 2;
    }
    std::fprintf(stderr, "amux: bad option %s\n%s\n", argv[optind - 1], kUsage);
    return 2;
  }
  if (argc - optind != 1) {
    std::fprintf(stderr, "amux: %s\n", kUsage);
    return 2;
  }
  id = argv[optind];
  if (!is_session_id(id)) {  // it names the job dir and the socket
    std::fprintf(stderr, "amux: invalid session id (expected 8 hex digits)\n");
    return 2;
  }
  auto fail = [&](const std::string& msg) {
    if (ready_fd >= 0) dprintf(ready_fd, "error: %s\n", msg.c_str());
    std::fprintf(stderr, "amux: %s\n", msg.c_str());
    return 1;
  };
  HostOptions o;
  o.paths = Paths::from_env();
  o.id = id;
  std::string err;
  auto spec = load_host_spec(o.paths, id, &err);
  if (!spec) return fail(err);
  o.apply(*spec);
  o.ready_fd = ready_fd;
  try {
    return SessionHost::run_main(o);
  } catch (const std::exception& e) {  // the ready pipe is answered and closed by now
    std::fprintf(stderr, "amux host %s: %s\n", id.c_str(), e.what());
    return 1;
  }
}
