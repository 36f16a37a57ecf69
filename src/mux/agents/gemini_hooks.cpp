// gemini_hooks.cpp — generate Gemini CLI hook settings (see gemini_hooks.h).
#include "mux/agents/gemini_hooks.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "mux/store/atomic_file.h"
#include "mux/agents/claude_hooks.h"
#include "mux/sys/text.h"

namespace amux::mux {

using nlohmann::json;
namespace fs = std::filesystem;

json gemini_hooks_settings(const std::string& amux_bin) {
  const std::string q = shell_quote(amux_bin);
  // Output dropped, failure ignored: amux being unreachable never stops
  // gemini (its hook timeout is its own default).
  const json group = {{"hooks", json::array({{{"type", "command"},
                                              {"command", q + " notify --hook gemini >/dev/null 2>&1 || true"}}})}};
  json hooks = json::object();
  for (const char* ev : {"BeforeAgent", "AfterAgent", "Notification", "SessionEnd"}) hooks[ev] = json::array({group});
  return json{{"hooks", hooks}};
}

bool private_path(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  if (ec) return false;
  for (fs::path d = p.parent_path();; d = d.parent_path()) {
    struct stat st;
    if (::stat(d.c_str(), &st) != 0) {
      if (errno != ENOENT) return false;  // not there yet: made 0700 when written
    } else if (st.st_mode & (S_IWGRP | S_IWOTH)) {
      return false;
    }
    if (d == d.root_path()) return true;
  }
}

std::vector<std::string> write_gemini_settings(const std::string& job_dir, const std::string& amux_bin,
                                               const std::string& system_settings_path,
                                               const std::string& system_defaults_path) {
  // Gemini skips (with a warning on screen) a system settings file under a
  // directory others may write to; then there are no hooks, only patterns.
  if (!private_path(job_dir + "/gemini-settings.json")) return {};
  json system = json::object();
  if (!system_settings_path.empty()) {
    if (auto text = read_file(system_settings_path)) {
      system = json::parse(*text, nullptr, true, /*ignore_comments=*/true);
      if (system.is_discarded()) system = json::object();  // gemini would not read it either
    }
  }
  json merged;
  try {
    merged = merge_claude_settings(std::move(system), gemini_hooks_settings(amux_bin));  // same schema
  } catch (const ClaudeHooksError& e) {
    throw ClaudeHooksError(system_settings_path + ": " + e.what());
  }
  if (int rc = make_dirs(job_dir); rc < 0)
    throw ClaudeHooksError("cannot create " + job_dir + ": " + std::strerror(-rc));
  std::string path = job_dir + "/gemini-settings.json";
  if (int rc = write_file_atomic(path, merged.dump(2) + "\n", 0600); rc < 0)
    throw ClaudeHooksError("cannot write " + path + ": " + std::strerror(-rc));
  return {"GEMINI_CLI_SYSTEM_SETTINGS_PATH=" + path, "GEMINI_CLI_SYSTEM_DEFAULTS_PATH=" + system_defaults_path};
}

}  // namespace amux::mux
