// agent_profile.h — how to start, resume and watch each coding agent
// (docs/architecture.md §7), from conf/agents.toml and its user and project overrides.
//
// Why: amux runs claude, codex, gemini, aider and plain shell commands the
// same way; what differs (the binary, where the prompt goes, which flag means
// --model, how to continue a conversation, what its screen looks like while
// it works or asks) is data. A dispatch option the agent cannot express is
// an error, never silently dropped. Templates expand into argv elements
// directly, so a prompt is always exactly one argument and never passes
// through a shell (unless the profile itself runs one, like `shell`).
//
// Template placeholders: {prompt} {session_uuid} {name} inside an element;
// whole elements {options} (the mapped dispatch options), {extra} (the
// arguments after --) and {prompt_args} (the profile's prompt_args, only when
// there is a prompt); {value} in an option's flags; "{{" is a literal "{".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "mux/store/paths.h"
#include "mux/agents/screen_patterns.h"
#include "mux/store/session_record.h"

namespace amux::mux {

struct ProfileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The dispatch options (`amux new --help`), in the order they are emitted.
enum class AgentOption { Model, Effort, PermissionMode, SkipPermissions, AddDir, Settings, McpConfig, PluginDir };
inline constexpr AgentOption kAllAgentOptions[] = {
    AgentOption::Model,    AgentOption::Effort,   AgentOption::PermissionMode,
    AgentOption::SkipPermissions, AgentOption::AddDir, AgentOption::Settings,
    AgentOption::McpConfig, AgentOption::PluginDir};
const char* option_key(AgentOption o);   // "model", "add_dir", ... (the agents.toml key)
const char* option_flag(AgentOption o);  // "--model", "--add-dir", ... (amux's flag)

// How one option maps to the agent's arguments.
struct OptionFlags {
  std::vector<std::string> args;  // template ({value}); a flag option has no {value}
  // When not empty, the accepted values and the arguments each one becomes
  // (`args` is then unused): e.g. codex's permission modes.
  std::map<std::string, std::vector<std::string>> choices;
};

struct AgentProfile {
  std::string name;
  std::string description;
  std::string kind = "agent";              // "agent" | "shell" (the --exec profile)
  std::string binary;                      // argv[0]: a name on PATH or a path
  std::vector<std::string> start;          // arguments after the binary
  std::vector<std::string> resume;         // empty: resuming re-runs `start`
  std::vector<std::string> resume_if;      // paths (globs), one exists once a conversation was
                                           // saved; none does: resuming re-runs `start`
  std::vector<std::string> prompt_args = {"{prompt}"};
  std::map<AgentOption, OptionFlags> options;  // absent: the agent cannot express it
  std::vector<std::pair<std::string, std::string>> env;  // set for the agent
  std::vector<ScreenPattern> working, blocked, idle;  // regexes over visible lines
  int settle_ms = 500;                     // a pattern must hold this long to count
  std::string hooks;                       // "claude": give it a generated settings file with
                                           // hooks calling `amux notify` (claude_hooks.h);
                                           // "codex": -c notify=[amux notify --hook codex];
                                           // "gemini": system settings with hooks (gemini_hooks.h)
  std::string origin;                      // file(s) it came from, for messages

  bool can(AgentOption o) const { return options.count(o) != 0; }
  std::vector<ScreenPattern> question;  // [x.patterns] question: the detail line
  ScreenPatterns screen_patterns() const { return {working, blocked, idle, settle_ms, question}; }
};

class ProfileSet;
ProfileSet load_profiles(const Paths& p, const std::string& dir);

class ProfileSet {
 public:
  // Sources are (origin, TOML text), lowest precedence first. A later
  // source's [name] table overrides the keys it sets in the same profile
  // (options and patterns key by key; `option = false` removes an option) or
  // adds a new profile. Throws ProfileError naming file:line: key.
  // Sources from index `first_untrusted` on are project files not trusted
  // (trust_store.h): of those only the keys that describe a profile apply
  // (description, patterns, settle_ms) to profiles defined
  // before; every other key and every profile they add is ignored and listed
  // in ignored().
  static ProfileSet from_sources(const std::vector<std::pair<std::string, std::string>>& sources,
                                 size_t first_untrusted = SIZE_MAX);
  // The shipped file (must exist), then the user and project files (each
  // skipped when "" or missing).
  static ProfileSet load(const std::string& shipped, const std::string& user = "",
                         const std::string& project = "");

  const AgentProfile* find(const std::string& name) const;
  // Throws ProfileError "unknown agent 'x' (profiles: a, b, c)".
  const AgentProfile& get(const std::string& name) const;
  const std::vector<AgentProfile>& profiles() const { return profiles_; }  // file order
  std::vector<std::string> names() const;
  const std::vector<std::string>& warnings() const { return warnings_; }  // unknown keys
  // What an untrusted project file asked for and did not get ("claude.binary",
  // "profile 'x'"), and the one line that says so and how to trust it ("" when
  // nothing was ignored).
  const std::vector<std::string>& ignored() const { return ignored_; }
  std::string trust_notice() const;

 private:
  friend ProfileSet load_profiles(const Paths& p, const std::string& dir);
  std::vector<AgentProfile> profiles_;
  std::vector<std::string> warnings_;
  std::vector<std::string> ignored_;
  std::string untrusted_origin_, project_root_;
};

// Where the files are: the shipped agents.toml (installed share/amux/, the
// compiled-in data dir, or conf/ of the source tree the binary was built
// in; "" when none is found), the user's, and the project's
// (<git toplevel or dir>/.amux/agents.toml).
std::string find_shipped_agents_file();
std::string user_agents_file(const Paths& p);
std::string project_agents_file(const std::string& dir);
// All three for a session started in `dir`; the project's file applies in
// full only when the person trusted the project (`amux trust`, see
// trust_store.h), else as in from_sources(). Throws ProfileError.
ProfileSet load_profiles(const Paths& p, const std::string& dir);

// What a dispatch asks of an agent (the options of `amux new --help`).
struct DispatchSpec {
  std::string agent;          // profile name
  std::string prompt;
  std::string name;           // "" = name_from_prompt(prompt)
  std::string session_uuid;   // {session_uuid}
  std::string model, effort, permission_mode;
  bool skip_permissions = false;
  std::vector<std::string> add_dirs;
  std::string settings;       // for hooks = "claude": the generated file (claude_hooks.h)
  std::string mcp_config;
  std::vector<std::string> plugin_dirs;
  std::vector<std::string> extra_args;  // after --
};

// argv to start / resume the agent. Throw ProfileError with one line for an
// option the profile cannot express ("agent 'aider' has no flag for
// --effort"), a value outside its choices, extra args it cannot take, or a
// shell profile without a command.
std::vector<std::string> build_start_argv(const AgentProfile& p, const DispatchSpec& s);
std::vector<std::string> build_resume_argv(const AgentProfile& p, const DispatchSpec& s);
// The profile's environment, "K=V", placeholders expanded.
std::vector<std::string> build_env(const AgentProfile& p, const DispatchSpec& s);

// The profile's resume_if patterns for one session: {session_uuid}, {home},
// {cwd} and {cwd_slug} (the cwd with every character but A-Z a-z 0-9 made
// "-") expanded, and {env.NAME} from `env` ("K=V", the last one wins), else
// this process's environment. A pattern naming a variable that is unset or
// empty is left out.
std::vector<std::string> build_resume_if(const AgentProfile& p, const std::string& session_uuid,
                                         const std::string& cwd, const std::vector<std::string>& env);
// Whether any of these glob patterns names an existing path.
bool any_path_exists(const std::vector<std::string>& patterns);

// The agent to use when none was named: `config_default` when set (it must
// name a profile), else the first agent profile whose binary is on
// `path_value` (default: $PATH). Throws ProfileError with one line naming
// the profiles looked for and --exec.
std::string default_agent(const std::string& config_default, const ProfileSet& profiles);
std::string default_agent(const std::string& config_default, const ProfileSet& profiles,
                          const std::string& path_value);

// A short readable slug from a prompt: lower case words joined by '-',
// filler words dropped, at most 32 characters ("fix the flaky test in foo" →
// "fix-flaky-test-foo"). Never empty ("task").
std::string name_from_prompt(const std::string& prompt);

// Screen state by the profile's patterns over the visible lines: blocked
// first, then working, then idle; nullopt when none matches. The caller
// applies settle_ms.
std::optional<SessionState> match_screen(const AgentProfile& p, const std::vector<std::string>& lines);

// Bypass permission modes for unattended sessions (README.md, "Bypassing
// permissions"; bypass_consent.cpp).
// True when the spec skips permission checks: --dangerously-skip-permissions,
// a bypass permission mode (bypassPermissions, yolo, danger-full-access), or
// such a flag among the extra args.
bool is_bypass(const DispatchSpec& s);
std::string bypass_file(const Paths& p);        // <config dir>/bypass-accepted.json
bool bypass_accepted(const Paths& p);
int record_bypass_acceptance(const Paths& p);   // atomic write; 0 or -errno
// The one line dispatch prints when it refuses.
std::string bypass_refusal();
// The y/N question `amux accept-bypass` asks.
std::string bypass_question();

}  // namespace amux::mux
