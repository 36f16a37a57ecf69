// claude_hooks.cpp — generate and merge Claude Code hook settings (see
// claude_hooks.h).
#include "mux/agents/claude_hooks.h"

#include <cstring>

#include "mux/store/atomic_file.h"
#include "mux/sys/text.h"

namespace amux::mux {
namespace {

using nlohmann::json;

json group(const std::string& matcher, const std::string& command) {
  json g = json::object();
  if (!matcher.empty()) g["matcher"] = matcher;
  // Hooks run through a shell. Output is dropped and failure ignored: a
  // PreToolUse hook that exits 2 would block the tool, and amux being
  // unreachable must never stop claude.
  g["hooks"] = json::array({{{"type", "command"},
                             {"command", command + " >/dev/null 2>&1 || true"},
                             {"timeout", 10}}});
  return g;
}

}  // namespace

json claude_hooks_settings(const std::string& amux_bin) {
  const std::string notify = shell_quote(amux_bin) + " notify --state ";
  const std::string working = notify + "working";
  const std::string permission = notify + "blocked --waiting-for permission";
  const std::string input = notify + "blocked --waiting-for input";
  json hooks = json::object();
  hooks["UserPromptSubmit"] = json::array({group("", working)});
  hooks["PreToolUse"] = json::array({group("*", working)});
  hooks["PostToolUse"] = json::array({group("*", working)});
  hooks["PermissionRequest"] = json::array({group("*", permission)});
  hooks["Notification"] = json::array({group("permission_prompt", permission),
                                       group("elicitation_dialog", input)});
  hooks["Stop"] = json::array({group("", notify + "idle")});
  // A turn that failed (not logged in, bad key, quota, API error): blocked
  // or idle by its error, which `notify --hook` reads from the payload.
  hooks["StopFailure"] = json::array({group("", shell_quote(amux_bin) + " notify --hook claude")});
  hooks["SessionEnd"] = json::array({group("", notify + "idle --detail 'session ended'")});
  return json{{"hooks", hooks}};
}

json merge_claude_settings(json user, const json& ours) {
  if (user.is_null()) user = json::object();
  if (!user.is_object()) throw ClaudeHooksError("settings must be a JSON object");
  json& hooks = user["hooks"];
  if (hooks.is_null()) hooks = json::object();
  if (!hooks.is_object()) throw ClaudeHooksError("settings: \"hooks\" must be an object");
  for (auto& [event, groups] : ours.at("hooks").items()) {
    json& mine = hooks[event];
    if (mine.is_null()) mine = json::array();
    if (!mine.is_array()) throw ClaudeHooksError("settings: hooks." + event + " must be an array");
    for (auto& g : groups) mine.push_back(g);
  }
  return user;
}

json read_claude_settings(const std::string& v) {
  size_t first = v.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && v[first] == '{') {
    json j = json::parse(v, nullptr, false);
    if (j.is_discarded()) throw ClaudeHooksError("--settings: not valid JSON");
    return j;
  }
  auto text = read_file(v);
  if (!text) throw ClaudeHooksError("--settings: cannot read " + v);
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded()) throw ClaudeHooksError("--settings: " + v + " is not valid JSON");
  return j;
}

std::string write_claude_settings(const std::string& job_dir, const std::string& amux_bin,
                                  const std::string& user_settings) {
  json user = user_settings.empty() ? json::object() : read_claude_settings(user_settings);
  json merged;
  try {
    merged = merge_claude_settings(std::move(user), claude_hooks_settings(amux_bin));
  } catch (const ClaudeHooksError& e) {
    throw ClaudeHooksError(user_settings.size() < 200 && user_settings.find('{') == std::string::npos
                               ? user_settings + ": " + e.what()
                               : std::string("--settings: ") + e.what());
  }
  if (int rc = make_dirs(job_dir); rc < 0)
    throw ClaudeHooksError("cannot create " + job_dir + ": " + std::strerror(-rc));
  std::string path = job_dir + "/claude-settings.json";
  if (int rc = write_file_atomic(path, merged.dump(2) + "\n", 0600); rc < 0)
    throw ClaudeHooksError("cannot write " + path + ": " + std::strerror(-rc));
  return path;
}

}  // namespace amux::mux
