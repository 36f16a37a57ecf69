// cmd_hello.cpp — `amux hello [--expect N --from V]` (hidden): what another
// machine's amux asks first, over ssh, before it runs a command here.
//
// Why: a remote amux that speaks another protocol than the caller must be
// refused in one plain line naming both versions, before any command runs.
// Alone it prints {"proto":N,"version":"V"}; with --expect it prints nothing
// when N matches and otherwise fails with that line.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli/context.h"
#include "mux/wire/protocol.h"

namespace amux::cli {

void register_hello(CLI::App& app, Context&) {
  static int expect = -1;
  static std::string from;
  auto* h = app.add_subcommand("hello", "report this amux's protocol version (used over ssh)");
  h->group("");  // hidden from --help
  h->add_option("--expect", expect, "the caller's protocol version");
  h->add_option("--from", from, "the caller's amux version");
  h->callback([]() {
    if (expect < 0) {
      std::printf("%s\n", nlohmann::json{{"proto", mux::kProtocolVersion}, {"version", AMUX_VERSION}}.dump().c_str());
      return;
    }
    if (expect == mux::kProtocolVersion) return;
    throw CommandError("protocol mismatch: this host runs amux " AMUX_VERSION " (protocol " +
                       std::to_string(mux::kProtocolVersion) + "), the caller amux " +
                       (from.empty() ? std::string("?") : from) + " (protocol " + std::to_string(expect) + ")");
  });
}

}  // namespace amux::cli
