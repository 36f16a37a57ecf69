// fuzz_prompt.cpp — what a person types into the agent view: the prompt
// box's little language and the find query.
//
// Why: the prompt line picks an agent (@name), a sibling directory (@repo),
// a shell job (!cmd) or a prompt, and the find query (a:, s:, n:, #n, URLs,
// text) filters the rows; both parse free text, pasted text included. The
// parse must never crash, and what it hands on must be consistent: a
// request without an error has an agent or a command, a shell job has its
// command; every find term is lower-cased.
//
// Input: [flags] then the text. Flags bit 0: "repo" and "work" are sibling
// directories; bit 1: the view was given agent names; bit 2: defaults set.
#include <string>

#include "fuzz/fuzz_check.h"
#include "view/find_filter.h"
#include "view/prompt_parse.h"
#include "view/session_info.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  amux::fuzz::Bytes in(data, size);
  const uint8_t flags = in.byte();
  const std::string text(in.rest());

  amux::view::ViewDefaults d;
  d.cwd = "/home/u/src/amux";
  if (flags & 2) d.agents = {"claude", "codex", "mine"};
  if (flags & 4) {
    d.agent = "codex";
    d.model = "o3";
    d.effort = "high";
  }
  auto is_dir = [&](const std::string& p) {
    return (flags & 1) && (p == "/home/u/src/repo" || p == "/home/u/src/work");
  };
  amux::view::ParsedPrompt p = amux::view::parse_prompt(text, d, is_dir);
  if (p.error.empty()) {
    if (p.request.shell) FUZZ_CHECK(!p.request.command.empty(), "a shell job without a command");
    else FUZZ_CHECK(!p.request.prompt.empty() || !p.request.agent.empty() || !p.request.extra_args.empty(),
                    "a request with neither prompt nor agent");
  }

  (void)amux::view::looks_like_filter(text);
  amux::view::FindFilter f(text);
  FUZZ_CHECK(f.query() == text, "the query is not kept");
  for (const auto& t : f.terms())
    for (char c : t.value) FUZZ_CHECK(!(c >= 'A' && c <= 'Z'), "a term is not lower-cased");
  amux::view::SessionInfo s;
  s.id = "1a2b3c4d";
  s.name = text.substr(0, text.size() / 2);
  s.detail = text.substr(text.size() / 2);
  s.cwd = "/home/u/src/amux";
  s.agent = "claude";
  s.state = amux::view::State(flags % 7);
  (void)f.matches(s);
  return 0;
}
