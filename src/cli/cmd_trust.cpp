// cmd_trust.cpp — `amux trust [DIR] [--yes] [--revoke]`: let a project's own
// .amux/agents.toml and .amux/config.toml choose what amux runs there.
//
// Why: those files come with any clone, so a profile in them that names a
// program (binary, start, resume, prompt_args, options, env, hooks, or a
// profile of its own) must not run until the person said yes. This shows
// what the files ask for, asks y/N on the terminal and stores the answer
// with a SHA-256 of the files as shown (mux/store/trust_store.h); when a file
// changes, the question comes again. Without a terminal it refuses unless
// --yes says the answer on the command line.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>

#include "cli/context.h"
#include "mux/agents/agent_profile.h"
#include "mux/store/atomic_file.h"
#include "mux/store/trust_store.h"
#include "mux/sys/text.h"
#include "render/safe_text.h"

namespace amux::cli {

namespace {

// What the project's agents.toml would change if trusted ("claude.binary",
// "profile 'x'"), or why that cannot be said.
std::string what_it_asks(const Context& ctx, const mux::ProjectFiles& pf) {
  const auto& text = pf.content("agents.toml");
  if (!text) return "";
  // Over the shipped and the user's profiles, as a dispatch would see it.
  std::vector<std::pair<std::string, std::string>> sources;
  for (const std::string& f : {mux::find_shipped_agents_file(), mux::user_agents_file(ctx.paths)})
    if (auto t = f.empty() ? std::nullopt : mux::read_file(f)) sources.emplace_back(f, *t);
  const size_t project = sources.size();
  sources.emplace_back(pf.path("agents.toml"), *text);
  try {
    auto set = mux::ProfileSet::from_sources(sources, project);
    std::string out;
    for (auto& i : set.ignored()) out += (out.empty() ? "" : ", ") + i;
    return out;
  } catch (const std::exception& e) {
    return std::string("(it does not parse: ") + e.what() + ")";
  }
}

bool said_yes(const std::string& line) {
  const std::string answer = mux::trim(line);
  return answer == "y" || answer == "Y" || answer == "yes" || answer == "Yes" || answer == "YES";
}

}  // namespace

void register_trust(CLI::App& app, Context& ctx) {
  static std::string dir;
  static bool yes = false, revoke = false;
  auto* c = app.add_subcommand(
      "trust",
      "let DIR's .amux/agents.toml and .amux/config.toml choose what runs there (asks y/N)");
  c->add_option("dir", dir, "the project (default: the current directory; its git top level counts)")
      ->type_name("DIR");
  c->add_flag("-y,--yes", yes, "trust without asking (for scripts; no terminal needed)");
  c->add_flag("--revoke", revoke, "forget that DIR was trusted");
  c->footer(
      "Until a project is trusted, amux applies only the keys of its .amux files that\n"
      "describe an agent (description, patterns, settle_ms, worktree settings). Keys that\n"
      "choose what runs (binary, start, resume, prompt_args, options, env, hooks, kind) and\n"
      "profiles the project adds are ignored, and dispatch says so in one line. The answer\n"
      "is stored with a SHA-256 of the files in <config dir>/trusted.json; after a file\n"
      "changes, trust it again.\n");
  c->callback([&ctx]() {
    ctx.load();
    const std::string d = dir.empty() ? "." : dir;
    std::error_code ec;
    if (!std::filesystem::is_directory(d, ec)) throw CommandError("no such directory: " + d);
    const std::string root = mux::project_root(d);
    const std::string shown = render::sanitize(root);
    if (revoke) {
      if (int rc = mux::revoke_trust(ctx.paths, root); rc < 0)
        throw CommandError("cannot write " + mux::trust_file(ctx.paths) + ": " + std::strerror(-rc));
      std::printf("no longer trusted: %s\n", shown.c_str());
      return;
    }
    const mux::ProjectFiles pf = mux::read_project_files(root);
    if (!pf.any())
      throw CommandError("nothing to trust: " + root + " has no .amux/agents.toml or .amux/config.toml");
    const std::string digest = pf.digest();
    if (mux::is_trusted(ctx.paths, root, digest)) {
      std::printf("already trusted: %s\n", shown.c_str());
      return;
    }
    if (!yes) {
      if (!isatty(STDIN_FILENO))
        throw CommandError("amux trust asks on a terminal and stdin is not one; run it in a terminal, "
                           "or pass --yes to trust " + root + " without asking");
      for (auto& [name, content] : pf.files)
        if (content) std::printf("  %s\n", render::sanitize(pf.path(name)).c_str());
      std::string asks = what_it_asks(ctx, pf);
      if (!asks.empty()) std::printf("These files choose what amux runs there: %s\n", render::sanitize(asks).c_str());
      std::printf("Trust %s? amux will run what these files say in it. [y/N] ", shown.c_str());
      std::fflush(stdout);
      std::string answer;
      if (!std::getline(std::cin, answer)) answer.clear();
      if (!said_yes(answer)) {
        std::printf("not trusted; the keys that choose what runs stay ignored\n");
        throw CommandError("", 1);
      }
    }
    if (int rc = mux::record_trust(ctx.paths, root, digest); rc < 0)
      throw CommandError("cannot write " + mux::trust_file(ctx.paths) + ": " + std::strerror(-rc));
    std::printf("trusted %s (stored in %s)\n", shown.c_str(), render::sanitize(mux::trust_file(ctx.paths)).c_str());
  });
}

}  // namespace amux::cli
