// profile_argv.cpp — a dispatch turned into the agent's argv and
// environment: the profile's templates expanded, each dispatch option mapped
// to the agent's flags or refused with one line (see agent_profile.h).
#include <algorithm>

#include "mux/agents/agent_profile.h"
#include "mux/agents/profile_templates.h"

namespace amux::mux {

using profile_detail::expand;
using profile_detail::join;

const char* option_key(AgentOption o) {
  switch (o) {
    case AgentOption::Model: return "model";
    case AgentOption::Effort: return "effort";
    case AgentOption::PermissionMode: return "permission_mode";
    case AgentOption::SkipPermissions: return "skip_permissions";
    case AgentOption::AddDir: return "add_dir";
    case AgentOption::Settings: return "settings";
    case AgentOption::McpConfig: return "mcp_config";
    case AgentOption::PluginDir: return "plugin_dir";
  }
  return "?";
}

const char* option_flag(AgentOption o) {
  switch (o) {
    case AgentOption::Model: return "--model";
    case AgentOption::Effort: return "--effort";
    case AgentOption::PermissionMode: return "--permission-mode";
    case AgentOption::SkipPermissions: return "--dangerously-skip-permissions";
    case AgentOption::AddDir: return "--add-dir";
    case AgentOption::Settings: return "--settings";
    case AgentOption::McpConfig: return "--mcp-config";
    case AgentOption::PluginDir: return "--plugin-dir";
  }
  return "?";
}

namespace {

std::map<std::string, std::string> vars_for(const DispatchSpec& s) {
  return {{"prompt", s.prompt},
          {"session_uuid", s.session_uuid},
          {"name", s.name.empty() ? name_from_prompt(s.prompt) : s.name}};
}

void append_args(std::vector<std::string>& out, const std::vector<std::string>& tmpl,
                 const std::string& value) {
  for (auto& a : tmpl) out.push_back(expand(a, {{"value", value}}));
}

std::vector<std::string> option_args(const AgentProfile& p, const DispatchSpec& s) {
  std::vector<std::string> out;
  for (AgentOption o : kAllAgentOptions) {
    std::vector<std::string> values;
    switch (o) {
      case AgentOption::Model: if (!s.model.empty()) values = {s.model}; break;
      case AgentOption::Effort: if (!s.effort.empty()) values = {s.effort}; break;
      case AgentOption::PermissionMode:
        if (!s.permission_mode.empty()) values = {s.permission_mode};
        break;
      case AgentOption::SkipPermissions: if (s.skip_permissions) values = {""}; break;
      case AgentOption::AddDir: values = s.add_dirs; break;
      case AgentOption::Settings: if (!s.settings.empty()) values = {s.settings}; break;
      case AgentOption::McpConfig: if (!s.mcp_config.empty()) values = {s.mcp_config}; break;
      case AgentOption::PluginDir: values = s.plugin_dirs; break;
    }
    if (values.empty()) continue;
    auto it = p.options.find(o);
    if (it == p.options.end())
      throw ProfileError("agent '" + p.name + "' has no flag for " + option_flag(o));
    const OptionFlags& f = it->second;
    for (auto& v : values) {
      if (f.choices.empty()) {
        append_args(out, f.args, v);
        continue;
      }
      auto c = f.choices.find(v);
      if (c == f.choices.end()) {
        std::vector<std::string> known;
        for (auto& [k, _] : f.choices) known.push_back(k);
        throw ProfileError("agent '" + p.name + "' does not accept " + option_flag(o) + " '" + v +
                           "' (choices: " + join(known) + ")");
      }
      append_args(out, c->second, v);
    }
  }
  return out;
}

std::vector<std::string> build(const AgentProfile& p, const DispatchSpec& s,
                               const std::vector<std::string>& tmpl) {
  auto vars = vars_for(s);
  std::vector<std::string> opts = option_args(p, s);
  if (!s.extra_args.empty() && std::find(tmpl.begin(), tmpl.end(), "{extra}") == tmpl.end())
    throw ProfileError("agent '" + p.name + "' takes no extra arguments after --");
  std::vector<std::string> argv = {p.binary};
  for (auto& el : tmpl) {
    if (el == "{options}") {
      argv.insert(argv.end(), opts.begin(), opts.end());
    } else if (el == "{extra}") {
      argv.insert(argv.end(), s.extra_args.begin(), s.extra_args.end());
    } else if (el == "{prompt_args}") {
      if (s.prompt.empty()) continue;
      for (auto& a : p.prompt_args) argv.push_back(expand(a, vars));
    } else {
      argv.push_back(expand(el, vars));
    }
  }
  return argv;
}

}  // namespace

std::vector<std::string> build_start_argv(const AgentProfile& p, const DispatchSpec& s) {
  if (p.kind == "shell" && s.prompt.empty())
    throw ProfileError("nothing to run: the command for '" + p.name + "' is empty");
  return build(p, s, p.start);
}

std::vector<std::string> build_resume_argv(const AgentProfile& p, const DispatchSpec& s) {
  if (p.resume.empty()) return build_start_argv(p, s);
  return build(p, s, p.resume);
}

std::vector<std::string> build_env(const AgentProfile& p, const DispatchSpec& s) {
  auto vars = vars_for(s);
  vars.erase("prompt");
  std::vector<std::string> out;
  for (auto& [k, v] : p.env) out.push_back(k + "=" + expand(v, vars));
  return out;
}

}  // namespace amux::mux
