// bypass_consent.cpp — sessions that bypass permission checks, and the
// person's one-time consent to start them in the background.
//
// Why: an unattended agent that runs commands without asking is only
// started once someone said yes in a terminal (`amux accept-bypass`); this
// file says what counts as a bypass and keeps that yes
// (bypass-accepted.json).
#include <set>

#include <nlohmann/json.hpp>

#include "mux/agents/agent_profile.h"
#include "mux/store/atomic_file.h"

namespace amux::mux {

bool is_bypass(const DispatchSpec& s) {
  static const std::set<std::string> modes = {"bypassPermissions", "yolo", "danger-full-access"};
  static const std::set<std::string> flags = {"--dangerously-skip-permissions",
                                              "--dangerously-bypass-approvals-and-sandbox",
                                              "--yolo", "-y", "--yes-always"};
  static const std::set<std::string> mode_flags = {"--permission-mode", "--approval-mode",
                                                   "--sandbox", "-s"};
  if (s.skip_permissions || modes.count(s.permission_mode)) return true;
  const auto& a = s.extra_args;
  for (size_t i = 0; i < a.size(); ++i) {
    if (flags.count(a[i])) return true;
    size_t eq = a[i].find('=');
    if (eq != std::string::npos && mode_flags.count(a[i].substr(0, eq)) && modes.count(a[i].substr(eq + 1)))
      return true;
    if (mode_flags.count(a[i]) && i + 1 < a.size() && modes.count(a[i + 1])) return true;
  }
  return false;
}

std::string bypass_file(const Paths& p) { return p.config_dir + "/bypass-accepted.json"; }

bool bypass_accepted(const Paths& p) {
  auto text = read_file(bypass_file(p));
  if (!text) return false;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  return j.is_object() && j.value("accepted", false) == true;
}

int record_bypass_acceptance(const Paths& p) {
  if (int rc = make_dirs(p.config_dir); rc < 0) return rc;
  nlohmann::json j = {{"accepted", true}, {"acceptedAt", now_ms()}};
  return write_file_atomic(bypass_file(p), j.dump(2) + "\n", 0600);
}

std::string bypass_refusal() {
  return "refusing to start a session that bypasses permission checks without a person watching; "
         "run `amux accept-bypass` once in a terminal to allow it";
}

std::string bypass_question() {
  return "Sessions started with bypassed permissions run commands and change files without asking "
         "anyone first. Allow amux to start them in the background? [y/N] ";
}

}  // namespace amux::mux
