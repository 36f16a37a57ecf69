// session_env.h — the environment a session's program starts with.
//
// Why: a session is like `nohup cmd &` from the shell that dispatched it:
// it must see that shell's PATH, virtualenv, API keys and HOME, not the
// background service's. The client sends its whole environment with the
// dispatch; the supervisor keeps it in jobs/<id>/env (mode 0600, it may
// hold secrets) so a respawn, or a resume after a reboot, starts the
// program the same way; the host builds the program's environment from it.
// Left out are what belongs to the terminal or to an enclosing multiplexer
// (TERM, COLUMNS, LINES, TMUX, TMUX_PANE, STY, AMUX_*); the session gets
// its own TERM and amux's AMUX_SESSION / AMUX_CONFIG_DIR / AMUX_JOB_DIR,
// and the agent profile's `env` keys go on top.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mux/store/paths.h"

namespace amux::mux {

// The TERM a session's program gets.
inline constexpr const char* kSessionTerm = "xterm-256color";

// Whether a variable belongs to the outer terminal or multiplexer and is
// never passed on (TERM, COLUMNS, LINES, TMUX, TMUX_PANE, STY, AMUX_*).
bool is_outer_variable(std::string_view key);

// "K=V" entries of `envp` (environ) that a session may inherit: outer
// variables and entries without '=' are left out.
std::vector<std::string> inheritable_environment(char** envp);
// The same filter over a list of "K=V" entries.
std::vector<std::string> inheritable_environment(const std::vector<std::string>& env);

// jobs/<id>/env: the stored environment, "K=V" entries each ended by NUL
// (as /proc/<pid>/environ), mode 0600, written atomically.
std::string session_env_file(const Paths& p, const std::string& id);
int save_session_env(const Paths& p, const std::string& id, const std::vector<std::string>& env);  // 0 / -errno
std::optional<std::vector<std::string>> load_session_env(const Paths& p, const std::string& id);

// The program's environment: `base` without outer variables, then the
// profile's "K=V" entries (a bare "K" unsets K), then AMUX_SESSION, AMUX_CONFIG_DIR,
// AMUX_JOB_DIR and TERM. A later entry replaces an earlier one of the
// same name.
std::vector<std::string> session_environment(const std::vector<std::string>& base,
                                             const std::vector<std::string>& profile_env,
                                             const Paths& p, const std::string& id);

}  // namespace amux::mux
