// cmd_bypass.cpp — `amux accept-bypass`: the one-time, interactive consent
// that lets background sessions bypass their agent's permission checks.
//
// Why: a session started with --dangerously-skip-permissions (or a bypass
// permission mode) runs commands and edits files with nobody watching. amux
// starts such a session only after the user answered yes to this question
// in a terminal once (docs/architecture.md §7); a script cannot answer it for them, so
// without a terminal this refuses.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "cli/context.h"
#include "mux/agents/agent_profile.h"

namespace amux::cli {

void register_bypass(CLI::App& app, Context& ctx) {
  auto* c = app.add_subcommand("accept-bypass",
                               "allow background sessions that bypass permission checks (asks once)");
  c->callback([&ctx]() {
    ctx.load();
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
      throw CommandError("accept-bypass asks a question and needs a terminal; run it yourself in one");
    if (mux::bypass_accepted(ctx.paths)) {
      std::printf("already accepted (%s); delete that file to take it back\n",
                  mux::bypass_file(ctx.paths).c_str());
      return;
    }
    std::fputs(mux::bypass_question().c_str(), stdout);
    std::fflush(stdout);
    std::string answer;
    if (!std::getline(std::cin, answer)) answer.clear();
    size_t b = answer.find_first_not_of(" \t\r");
    answer = b == std::string::npos ? "" : answer.substr(b);
    if (answer != "y" && answer != "Y" && answer != "yes" && answer != "Yes" && answer != "YES") {
      std::printf("not accepted; sessions that bypass permissions stay refused\n");
      throw CommandError("", 1);
    }
    if (int rc = mux::record_bypass_acceptance(ctx.paths); rc < 0)
      throw CommandError("cannot write " + mux::bypass_file(ctx.paths) + ": " + std::strerror(-rc));
    std::printf("accepted; stored in %s\n", mux::bypass_file(ctx.paths).c_str());
  });
}

}  // namespace amux::cli
