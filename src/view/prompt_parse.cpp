// prompt_parse.cpp — see prompt_parse.h.
#include "view/prompt_parse.h"

#include <algorithm>
#include <filesystem>

#include "mux/sys/text.h"
#include "render/utf8.h"

namespace amux::view {
namespace {

using mux::trim;

size_t code_points(const std::string& s) {
  size_t n = 0, i = 0;
  while (i < s.size()) {
    render::utf8::decode(s, i);
    n++;
  }
  return n;
}

}  // namespace

const std::vector<std::string>& shipped_agents() {
  static const std::vector<std::string> a = {"claude", "codex", "gemini", "aider", "shell"};
  return a;
}

ParsedPrompt parse_prompt(const std::string& text, const ViewDefaults& d,
                          const std::function<bool(const std::string&)>& is_dir) {
  ParsedPrompt p;
  auto& r = p.request;
  r.agent = d.agent;
  r.model = d.model;
  r.effort = d.effort;
  r.permission_mode = d.permission_mode;
  r.skip_permissions = d.skip_permissions;
  r.settings = d.settings;
  r.mcp_config = d.mcp_config;
  r.add_dirs = d.add_dirs;
  r.plugin_dirs = d.plugin_dirs;
  std::string base = d.cwd.empty() ? std::filesystem::current_path().string() : d.cwd;
  r.cwd = base;

  std::string s = trim(text);
  if (s.empty()) {
    p.error = "Type a task first";
    return p;
  }
  const auto& agents = d.agents.empty() ? shipped_agents() : d.agents;
  // Leading @mentions: an agent profile, a configured host, or a sibling directory.
  // Leading @mentions: an agent profile or a sibling directory.
  while (!s.empty() && s[0] == '@') {
    size_t e = s.find_first_of(" \t\n");
    std::string word = s.substr(1, e == std::string::npos ? std::string::npos : e - 1);
    s = e == std::string::npos ? "" : trim(s.substr(e));
    if (word.empty()) {
      p.error = "Name an agent or a directory after @";
      return p;
    }
    if (std::find(agents.begin(), agents.end(), word) != agents.end()) {
      r.agent = word;
      continue;
    }
    if (std::find(d.hosts.begin(), d.hosts.end(), word) != d.hosts.end()) {
      p.host = word;
      continue;
    }
    std::filesystem::path parent = std::filesystem::path(base).parent_path();
    std::string sib = (parent / word).lexically_normal().string();
    if (word.find('/') == std::string::npos && word != "." && word != ".." && is_dir(sib)) {
      r.cwd = sib;
      continue;
    }
    p.error = "No agent or directory named @" + word;
    return p;
  }
  if (s.empty()) {
    p.error = "Type a task after the mention";
    return p;
  }
  if (!p.host.empty()) r.cwd.clear();  // on another machine: its home, not this directory
  if (s[0] == '!') {
    std::string cmd = trim(s.substr(1));
    if (cmd.empty()) {
      p.error = "Type a command after !";
      return p;
    }
    r.shell = true;
    r.command = cmd;
    r.agent.clear();
    return p;
  }
  if (r.agent == "shell") {
    // @shell fix things: the text is the command.
    r.shell = true;
    r.command = s;
    r.agent.clear();
    return p;
  }
  if (s[0] != '/' && code_points(s) < 4) {
    p.error = "Too short";
    return p;
  }
  r.prompt = s;
  return p;
}

}  // namespace amux::view
