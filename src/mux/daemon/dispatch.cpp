// dispatch.cpp — see dispatch.h.
#include "mux/daemon/dispatch.h"
#include "mux/wire/ops.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <set>

extern char** environ;

#include "mux/agents/agent_profile.h"
#include "mux/store/atomic_file.h"
#include "mux/agents/claude_hooks.h"
#include "mux/wire/daemon_client.h"
#include "mux/agents/gemini_hooks.h"
#include "mux/daemon/host_launcher.h"
#include "mux/sys/run_command.h"
#include "mux/store/session_env.h"
#include "mux/store/session_id.h"
#include "mux/agents/worktree.h"
#include "render/utf8.h"

namespace amux::mux {
namespace {

namespace fs = std::filesystem;

std::string shell_path() {
  if (access("/bin/bash", X_OK) == 0) return "/bin/bash";
  return "/bin/sh";
}

std::string resolve_cwd(const std::string& in) {
  std::error_code ec;
  fs::path cwd = in.empty() ? fs::current_path(ec) : fs::path(in);
  cwd = fs::absolute(cwd, ec);
  if (!fs::is_directory(cwd, ec)) throw DispatchError("no such directory: " + cwd.string());
  std::string s = cwd.lexically_normal().string();
  if (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

// The first agent option set in `req`, as amux's flag ("" when none).
std::string first_agent_option(const NewSession& req) {
  if (!req.model.empty()) return "--model";
  if (!req.effort.empty()) return "--effort";
  if (!req.permission_mode.empty()) return "--permission-mode";
  if (req.skip_permissions) return "--dangerously-skip-permissions";
  if (!req.add_dirs.empty()) return "--add-dir";
  if (!req.settings.empty()) return "--settings";
  if (!req.mcp_config.empty()) return "--mcp-config";
  if (!req.plugin_dirs.empty()) return "--plugin-dir";
  if (!req.extra_args.empty()) return "arguments after --";
  return "";
}

// A reserved job dir for a new session: the id is chosen here so files the
// agent is started with (the claude hooks settings) can live in it. Removed
// again unless kept (the supervisor then owns it).
class JobDirReservation {
 public:
  explicit JobDirReservation(const Paths& p) : paths_(p) {
    if (int rc = make_dirs(p.jobs_dir()); rc < 0)
      throw DispatchError("cannot create " + p.jobs_dir() + ": " + std::strerror(-rc));
    for (int i = 0; i < 64; ++i) {
      std::string id = new_session_id();
      if (::mkdir(p.job_dir(id).c_str(), 0700) == 0) {
        id_ = id;
        return;
      }
      if (errno != EEXIST)
        throw DispatchError("cannot create " + p.job_dir(id) + ": " + std::strerror(errno));
    }
    throw DispatchError("no free session id under " + p.jobs_dir());
  }
  ~JobDirReservation() {
    if (keep_ || id_.empty()) return;
    // A record there means the supervisor took the session over (maybe as a
    // failed one the user sees and removes); leave that alone.
    if (load_record(paths_, id_)) return;
    std::error_code ec;
    fs::remove_all(paths_.job_dir(id_), ec);
  }
  JobDirReservation(const JobDirReservation&) = delete;
  JobDirReservation& operator=(const JobDirReservation&) = delete;

  const std::string& id() const { return id_; }
  std::string dir() const { return paths_.job_dir(id_); }
  void keep() { keep_ = true; }

 private:
  const Paths& paths_;
  std::string id_;
  bool keep_ = false;
};

// A worktree made for a session that has not started yet: removed again
// (it is clean, nothing can be lost) unless kept.
class WorktreeGuard {
 public:
  WorktreeGuard() = default;
  ~WorktreeGuard() {
    if (wt_ && !keep_) remove_worktree(*wt_, false);
  }
  WorktreeGuard(const WorktreeGuard&) = delete;
  WorktreeGuard& operator=(const WorktreeGuard&) = delete;

  void set(WorktreeInfo wt) { wt_ = std::move(wt); }
  void keep() { keep_ = true; }

 private:
  std::optional<WorktreeInfo> wt_;
  bool keep_ = false;
};

// This command's environment, for the session to start with (like `nohup
// cmd &`). An entry that is not UTF-8 cannot travel in the JSON request and
// is left out.
nlohmann::json dispatch_env() {
  nlohmann::json env = nlohmann::json::array();
  for (std::string& e : inheritable_environment(environ)) {
    try {
      (void)nlohmann::json(e).dump();
    } catch (const nlohmann::json::exception&) {
      continue;
    }
    env.push_back(std::move(e));
  }
  return env;
}

SessionRecord start(const Paths& paths, const SessionRecord& r) {
  auto resp = supervisor_request(paths, {{"op", op_name(Op::Dispatch)}, {"record", r.to_json()}, {"env", dispatch_env()}});
  if (!resp.value("ok", false)) throw DispatchError(resp.value("error", std::string("dispatch failed")));
  return SessionRecord::from_json(resp["record"]);
}

SessionRecord dispatch_shell(const Paths& paths, const NewSession& req, SessionRecord r) {
  if (req.command.empty()) throw DispatchError("nothing to run: the command is empty");
  if (std::string opt = first_agent_option(req); !opt.empty())
    throw DispatchError(opt + (opt[0] == '-' ? " is" : " are") +
                        " for agent sessions; --exec runs a plain command");
  r.kind = "shell";
  r.agent = "shell";
  r.prompt = req.command;
  r.argv = {shell_path(), "-c", req.command};
  r.name = req.name.empty() ? name_from_text(req.command) : req.name;
  r.name_source = req.name.empty() ? "auto" : "user";
  return start(paths, r);
}

// `base`, or `base-2`, `base-3`, … : the first that no live session of
// `agent` was started with as an argument (what the agent itself was told).
std::string unique_agent_name(const Paths& paths, const std::string& agent, const std::string& base) {
  std::set<std::string> taken;
  for (const auto& rec : load_all_records(paths)) {
    if (rec.agent != agent || !state_is_live(rec.state)) continue;
    taken.insert(rec.argv.begin(), rec.argv.end());
  }
  std::string name = base;
  for (int n = 2; taken.count(name); ++n) name = base + "-" + std::to_string(n);
  return name;
}

SessionRecord dispatch_agent(const Paths& paths, const Config& config, const NewSession& req,
                             SessionRecord r, std::string* notice) {
  if (req.prompt.empty()) throw DispatchError("nothing to run: give a prompt, or --exec 'command'");
  ProfileSet profiles;
  std::string agent;
  try {
    profiles = load_profiles(paths, r.cwd);
    if (notice) *notice = profiles.trust_notice();
    agent = req.agent.empty() ? default_agent(config.default_agent, profiles) : req.agent;
  } catch (const ProfileError& e) {
    throw DispatchError(e.what());
  }
  const AgentProfile* prof = profiles.find(agent);
  if (!prof) {
    std::string names;
    for (auto& n : profiles.names()) names += (names.empty() ? "" : ", ") + n;
    throw DispatchError("unknown agent '" + agent + "' (profiles: " + names + ")");
  }
  if (prof->kind == "shell") {
    // `--agent shell "cmd"` is a shell job written the long way.
    NewSession sh = req;
    sh.shell = true;
    sh.command = req.prompt;
    return dispatch_shell(paths, sh, r);
  }
  std::string exe = find_executable(prof->binary);
  if (exe.empty())
    throw DispatchError("agent '" + agent + "': '" + prof->binary +
                        "' is not on PATH; install it, pick another with --agent, or run a command "
                        "with --exec 'cmd'");

  DispatchSpec spec;
  spec.agent = agent;
  spec.prompt = req.prompt;
  spec.name = req.name.empty() ? name_from_prompt(req.prompt) : req.name;
  spec.session_uuid = new_uuid();
  spec.model = req.model;
  spec.effort = req.effort;
  spec.permission_mode = req.permission_mode;
  spec.skip_permissions = req.skip_permissions;
  spec.add_dirs = req.add_dirs;
  spec.mcp_config = req.mcp_config;
  spec.plugin_dirs = req.plugin_dirs;
  spec.extra_args = req.extra_args;
  spec.settings = req.settings;
  if (is_bypass(spec) && !bypass_accepted(paths)) throw DispatchError(bypass_refusal());
  if (prof->hooks == "claude") {
    // Claude Code takes one --settings (a second replaces the first), so a
    // user's file is merged into the generated one instead.
    for (auto& a : req.extra_args)
      if (a == "--settings" || a.rfind("--settings=", 0) == 0)
        throw DispatchError("give --settings before --, so amux can merge it with the hooks it installs");
    if (!req.settings.empty()) {
      try {
        read_claude_settings(req.settings);  // a broken file is the user's error, said now
      } catch (const ClaudeHooksError& e) {
        throw DispatchError(e.what());
      }
    }
    spec.settings = "{settings}";  // a stand-in until the job dir exists
  }
  // Check every option against the profile before anything is created.
  try {
    build_start_argv(*prof, spec);
    build_resume_argv(*prof, spec);
  } catch (const ProfileError& e) {
    throw DispatchError(e.what());
  }

  std::string isolate;
  try {
    isolate = isolation_repo(r.cwd, config);
  } catch (const ConfigError& e) {
    throw DispatchError(e.what());
  }

  JobDirReservation job(paths);
  r.id = job.id();
  if (prof->hooks == "claude") {
    try {
      spec.settings = write_claude_settings(job.dir(), self_exe(), req.settings);
    } catch (const ClaudeHooksError& e) {
      throw DispatchError(e.what());
    }
  }
  WorktreeGuard wt_guard;
  if (!isolate.empty()) {
    try {
      WorktreeInfo wt = create_worktree(isolate, spec.name);
      wt_guard.set(wt);
      r.cwd = path_in_worktree(wt, r.cwd);
      r.worktree = wt.path;
      r.worktree_base = wt.base;
    } catch (const WorktreeError& e) {
      throw DispatchError(std::string(e.what()) +
                          " (set [worktree] bg_isolation = \"none\" to run in the directory itself)");
    }
  }
  // The name handed to the agent ({name}) is unique among its live
  // sessions: Claude Code renames a session whose name is taken, and says
  // so in the conversation. The session keeps the name it was given.
  const std::string session_name = spec.name;
  spec.name = unique_agent_name(paths, agent, session_name);
  try {
    r.argv = build_start_argv(*prof, spec);
    r.resume_argv = build_resume_argv(*prof, spec);
    r.env = build_env(*prof, spec);
  } catch (const ProfileError& e) {
    throw DispatchError(e.what());
  }
  // Run the binary found on this PATH (the one the user means), whatever
  // PATH the background service was started with.
  r.argv[0] = exe;
  if (!r.resume_argv.empty()) r.resume_argv[0] = exe;
  if (prof->hooks == "gemini") {
    // Where gemini would look without us (its own environment variables,
    // else its Linux default), so the machine's settings stay in force.
    const char* sys = getenv("GEMINI_CLI_SYSTEM_SETTINGS_PATH");
    const char* defs = getenv("GEMINI_CLI_SYSTEM_DEFAULTS_PATH");
    std::string sys_path = sys && *sys ? sys : "/etc/gemini-cli/settings.json";
    std::string defs_path = defs && *defs ? defs : (fs::path(sys_path).parent_path() / "system-defaults.json").string();
    try {
      for (auto& e : write_gemini_settings(job.dir(), self_exe(), sys_path, defs_path)) r.env.push_back(e);
    } catch (const ClaudeHooksError& e) {
      throw DispatchError(e.what());
    }
  }
  if (prof->hooks == "codex") {
    // Codex runs its `notify` program at the end of each turn with the
    // event as its last argument; a config override sets it for this run
    // only (a TOML array, which JSON's string syntax is valid for).
    const std::string notify =
        "notify=" + nlohmann::json::array({self_exe(), "notify", "--hook", "codex"}).dump();
    for (auto* argv : {&r.argv, &r.resume_argv})
      if (!argv->empty()) argv->insert(argv->begin() + 1, {"-c", notify});
  }
  if (!prof->resume_if.empty()) {
    r.start_argv = r.argv;
    r.resume_if = build_resume_if(*prof, spec.session_uuid, r.cwd, r.env);
  }
  r.kind = "agent";
  r.agent = agent;
  r.prompt = req.prompt;
  r.session_uuid = spec.session_uuid;
  r.name = session_name;
  r.name_source = req.name.empty() ? "auto" : "user";
  try {
    SessionRecord out = start(paths, r);
    wt_guard.keep();
    job.keep();
    return out;
  } catch (const DispatchError&) {
    // A record written by the supervisor (a session that failed to start)
    // still names the worktree: `amux rm` cleans both up.
    if (load_record(paths, r.id)) wt_guard.keep();
    throw;
  }
}

}  // namespace

std::string name_from_text(const std::string& text) {
  std::string s = text.substr(0, text.find('\n'));
  for (auto& c : s)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  size_t b = s.find_first_not_of(' ');
  s = b == std::string::npos ? "" : s.substr(b);
  if (s.size() > 40) {
    s.resize(40);
    while (!s.empty() && render::utf8::is_continuation(static_cast<unsigned char>(s.back()))) s.pop_back();
    if (!s.empty()) s.pop_back();
    s += "…";
  }
  return s.empty() ? "job" : s;
}

SessionRecord dispatch_session(const Paths& paths, const Config& config, const NewSession& req,
                               std::string* notice) {
  SessionRecord r;
  r.cwd = resolve_cwd(req.cwd);
  r.rows = config.rows;
  r.cols = config.cols;
  if (req.shell) return dispatch_shell(paths, req, r);
  return dispatch_agent(paths, config, req, r, notice);
}

}  // namespace amux::mux
