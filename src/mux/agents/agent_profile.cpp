// agent_profile.cpp — agents.toml through toml++, argv templates, the
// default agent, prompt slugs and the bypass acceptance (see agent_profile.h).
#include "mux/agents/agent_profile.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "mux/store/atomic_file.h"
#include "mux/sys/run_command.h"
#include "mux/store/trust_store.h"
#include "mux/agents/worktree.h"

namespace amux::mux {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------
// Errors name file:line: key.

std::string where(const toml::node& n, const std::string& key) {
  std::string s = n.source().path ? *n.source().path : std::string("agents.toml");
  if (n.source().begin.line) s += ":" + std::to_string(n.source().begin.line);
  return s + ": " + key;
}

[[noreturn]] void fail(const toml::node& n, const std::string& key, const std::string& what) {
  throw ProfileError(where(n, key) + ": " + what);
}

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

// ---------------------------------------------------------------------------
// Placeholders.

const std::set<std::string> kWhole = {"{options}", "{extra}", "{prompt_args}"};

// Expand {name} from vars; "{{" is "{"; anything else stays as written.
std::string expand(const std::string& t, const std::map<std::string, std::string>& vars) {
  std::string out;
  for (size_t i = 0; i < t.size();) {
    if (t[i] != '{') {
      out += t[i++];
      continue;
    }
    if (i + 1 < t.size() && t[i + 1] == '{') {
      out += '{';
      i += 2;
      continue;
    }
    size_t close = t.find('}', i);
    if (close != std::string::npos) {
      auto it = vars.find(t.substr(i + 1, close - i - 1));
      if (it != vars.end()) {
        out += it->second;
        i = close + 1;
        continue;
      }
    }
    out += t[i++];
  }
  return out;
}

// The {identifier} placeholders a template uses.
std::vector<std::string> placeholders(const std::string& t) {
  std::vector<std::string> names;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] != '{') continue;
    if (i + 1 < t.size() && t[i + 1] == '{') {
      ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < t.size() && (std::islower(static_cast<unsigned char>(t[j])) || t[j] == '_')) ++j;
    if (j < t.size() && t[j] == '}' && j > i + 1) names.push_back(t.substr(i + 1, j - i - 1));
  }
  return names;
}

// ---------------------------------------------------------------------------
// Reading one profile table.

std::optional<AgentOption> option_by_key(const std::string& k) {
  for (AgentOption o : kAllAgentOptions)
    if (k == option_key(o)) return o;
  return std::nullopt;
}

bool is_list_option(AgentOption o) { return o == AgentOption::AddDir || o == AgentOption::PluginDir; }

std::string get_string(const toml::node& n, const std::string& key) {
  if (auto v = n.value<std::string>()) return *v;
  fail(n, key, "expected a string");
}

std::vector<std::string> get_strings(const toml::node& n, const std::string& key) {
  const toml::array* a = n.as_array();
  if (!a) fail(n, key, "expected an array of strings");
  std::vector<std::string> out;
  for (auto& e : *a) {
    auto v = e.value<std::string>();
    if (!v) fail(e, key, "expected an array of strings");
    out.push_back(*v);
  }
  return out;
}

// Check a template's placeholders: `inline_ok` inside an element, `whole_ok`
// as whole elements.
void check_template(const toml::node& n, const std::string& key, const std::vector<std::string>& t,
                    const std::set<std::string>& inline_ok, const std::set<std::string>& whole_ok) {
  for (auto& el : t) {
    if (whole_ok.count(el)) continue;
    for (auto& ph : placeholders(el)) {
      std::string token = "{" + ph + "}";
      if (kWhole.count(token)) {
        if (whole_ok.count(token)) fail(n, key, token + " must be an element of its own");
        fail(n, key, token + " is not allowed here");
      }
      if (!inline_ok.count(ph)) fail(n, key, "unknown placeholder " + token + " (write {{ for a literal {)");
    }
  }
}

void read_option(const toml::node& n, const std::string& key, AgentOption o, AgentProfile& p) {
  const std::set<std::string> value_ok = {"value"};
  const std::set<std::string> none;
  const bool flag = o == AgentOption::SkipPermissions;
  if (auto b = n.value<bool>()) {
    if (*b) fail(n, key, "expected an array of arguments, a table of choices, or false");
    p.options.erase(o);
    return;
  }
  OptionFlags f;
  if (n.is_array()) {
    f.args = get_strings(n, key);
    check_template(n, key, f.args, flag ? none : value_ok, none);
    bool has_value = false;
    for (auto& a : f.args)
      for (auto& ph : placeholders(a)) has_value |= ph == "value";
    if (!flag && !has_value) fail(n, key, "the arguments must use {value}");
    if (flag && f.args.empty()) fail(n, key, "expected at least one argument");
  } else if (const toml::table* t = n.as_table()) {
    if (flag || is_list_option(o)) fail(n, key, "expected an array of arguments");
    for (auto&& [k, v] : *t) {
      std::string ck = key + "." + std::string(k.str());
      f.choices[std::string(k.str())] = get_strings(v, ck);
      check_template(v, ck, f.choices[std::string(k.str())], none, none);
    }
    if (f.choices.empty()) fail(n, key, "expected at least one choice");
  } else {
    fail(n, key, "expected an array of arguments, a table of choices, or false");
  }
  p.options[o] = std::move(f);
}

std::vector<ScreenPattern> read_patterns(const toml::node& n, const std::string& key) {
  std::vector<ScreenPattern> out;
  const toml::array* a = n.as_array();
  if (!a) fail(n, key, "expected an array of regular expressions");
  for (auto& e : *a) {
    auto v = e.value<std::string>();
    if (!v) fail(e, key, "expected an array of regular expressions");
    try {
      out.push_back(make_screen_pattern(*v));
    } catch (const std::regex_error& err) {
      fail(e, key, "bad regular expression '" + *v + "': " + err.what());
    }
  }
  return out;
}

// One profile as written in several files, lowest precedence first: a key
// comes from the last file that sets it; options, patterns and env merge
// key by key. (The layers point into the parsed files, so every error still
// names the file and line it came from.)
using Layers = std::vector<const toml::table*>;

const toml::node* layered_get(const Layers& ls, const char* key) {
  for (auto it = ls.rbegin(); it != ls.rend(); ++it)
    if (const toml::node* n = (*it)->get(key)) return n;
  return nullptr;
}

std::vector<std::pair<std::string, const toml::node*>> layered_table(const Layers& ls,
                                                                     const std::string& name,
                                                                     const char* key) {
  std::vector<std::pair<std::string, const toml::node*>> out;
  for (const toml::table* l : ls) {
    const toml::node* n = l->get(key);
    if (!n) continue;
    const toml::table* t = n->as_table();
    if (!t) fail(*n, name + "." + key, "expected a table");
    for (auto&& [k, v] : *t) {
      std::string sk(k.str());
      auto it = std::find_if(out.begin(), out.end(), [&](auto& e) { return e.first == sk; });
      if (it != out.end()) it->second = &v;
      else out.emplace_back(sk, &v);
    }
  }
  return out;
}

AgentProfile read_profile(const std::string& name, const Layers& ls, std::vector<std::string>& warnings) {
  AgentProfile p;
  p.name = name;
  const std::set<std::string> top = {"description", "kind",   "binary", "start",    "resume",
                                     "prompt_args", "options", "env",   "patterns", "settle_ms",
                                     "hooks"};
  for (const toml::table* l : ls)
    for (auto&& [k, v] : *l)
      if (!top.count(std::string(k.str())))
        warnings.push_back(where(v, name + "." + std::string(k.str())) + ": unknown key (ignored)");

  auto key = [&](const char* k) { return name + "." + k; };
  auto get = [&](const char* k) { return layered_get(ls, k); };
  const toml::table& first = *ls.front();
  if (auto* n = get("description")) p.description = get_string(*n, key("description"));
  if (auto* n = get("kind")) {
    p.kind = get_string(*n, key("kind"));
    if (p.kind != "agent" && p.kind != "shell") fail(*n, key("kind"), "must be \"agent\" or \"shell\"");
  }
  const toml::node* bin = get("binary");
  if (!bin) fail(first, name, "a profile needs binary = \"...\"");
  p.binary = get_string(*bin, key("binary"));
  if (p.binary.empty()) fail(*bin, key("binary"), "must not be empty");
  if (auto* n = get("hooks")) {
    p.hooks = get_string(*n, key("hooks"));
    if (!p.hooks.empty() && p.hooks != "claude" && p.hooks != "codex" && p.hooks != "gemini")
      fail(*n, key("hooks"), "must be \"claude\", \"codex\", \"gemini\" or \"\"");
  }
  if (auto* n = get("settle_ms")) {
    auto v = n->value<int64_t>();
    if (!v || *v < 0 || *v > 60000) fail(*n, key("settle_ms"), "expected milliseconds (0 to 60000)");
    p.settle_ms = int(*v);
  }
  for (auto& [ok, v] : layered_table(ls, name, "options")) {
    auto o = option_by_key(ok);
    if (!o) {
      warnings.push_back(where(*v, key("options") + "." + ok) + ": unknown option (ignored)");
      continue;
    }
    read_option(*v, key("options") + "." + ok, *o, p);
  }
  for (auto& [ek, v] : layered_table(ls, name, "env")) {
    std::string full = key("env") + "." + ek;
    std::string val = get_string(*v, full);
    check_template(*v, full, {val}, {"session_uuid", "name"}, {});
    p.env.emplace_back(ek, val);
  }
  for (auto& [pk, v] : layered_table(ls, name, "patterns")) {
    std::string full = key("patterns") + "." + pk;
    if (pk == "working") p.working = read_patterns(*v, full);
    else if (pk == "blocked") p.blocked = read_patterns(*v, full);
    else if (pk == "idle") p.idle = read_patterns(*v, full);
    else if (pk == "question") p.question = read_patterns(*v, full);
    else warnings.push_back(where(*v, full) + ": unknown key (ignored)");
  }

  const std::set<std::string> inline_vars = {"prompt", "session_uuid", "name"};
  const toml::node* start = get("start");
  if (!start) fail(first, name, "a profile needs start = [...]");
  p.start = get_strings(*start, key("start"));
  check_template(*start, key("start"), p.start, inline_vars, kWhole);
  if (auto* n = get("prompt_args")) {
    p.prompt_args = get_strings(*n, key("prompt_args"));
    check_template(*n, key("prompt_args"), p.prompt_args, inline_vars, {});
  }
  const toml::node* resume = get("resume");
  if (resume) {
    p.resume = get_strings(*resume, key("resume"));
    check_template(*resume, key("resume"), p.resume, {"session_uuid", "name"}, {"{options}", "{extra}"});
  }
  if (!p.options.empty()) {
    auto has = [](const std::vector<std::string>& v, const char* s) {
      return std::find(v.begin(), v.end(), s) != v.end();
    };
    if (!has(p.start, "{options}")) fail(*start, key("start"), "has options but no {options} element");
    if (resume && !p.resume.empty() && !has(p.resume, "{options}"))
      fail(*resume, key("resume"), "has options but no {options} element");
  }
  if (p.hooks == "claude" && !p.can(AgentOption::Settings))
    fail(*get("hooks"), key("hooks"), "hooks = \"claude\" needs an options.settings flag to pass the file");
  return p;
}

std::string exe_dir() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : p.parent_path().string();
}

// ---------------------------------------------------------------------------
// argv building.

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

const std::set<std::string> kStopWords = {
    "a",    "an",   "the",  "in",   "on",   "at",   "of",   "to",   "for",  "and",  "or",
    "with", "by",   "from", "into", "is",   "are",  "be",   "it",   "its",  "this", "that",
    "these", "those", "my", "me",   "our",  "we",   "you",  "your", "i",    "please", "can",
    "could", "would", "should", "some", "so", "then", "there", "as", "up",  "just"};

}  // namespace

// ---------------------------------------------------------------------------

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

// Keys of a profile that only describe it (how its screen looks, what it
// is): a project file sets these without being trusted. Every other key
// chooses what runs or how (binary, start, resume, prompt_args, options, env,
// hooks, kind), and so does a profile the project adds.
const std::set<std::string> kDescriptiveKeys = {"description", "patterns", "settle_ms"};

ProfileSet ProfileSet::from_sources(const std::vector<std::pair<std::string, std::string>>& sources,
                                    size_t first_untrusted) {
  ProfileSet set;
  std::vector<toml::table> roots;  // kept alive: the layers point into them
  roots.reserve(sources.size());
  std::vector<std::pair<std::string, Layers>> layered;  // profiles in order of first appearance
  std::map<std::string, std::string> origins;
  for (size_t si = 0; si < sources.size(); ++si) {
    const auto& [origin, text] = sources[si];
    try {
      roots.push_back(toml::parse(text, origin));
    } catch (const toml::parse_error& e) {
      std::ostringstream s;
      s << origin << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
        << e.description();
      throw ProfileError(s.str());
    }
    if (si >= first_untrusted) {
      // Not trusted: keep only what describes the profiles defined before.
      toml::table& t = roots.back();
      std::vector<std::string> drop_tables;
      for (auto&& [k, v] : t) {
        std::string name(k.str());
        bool known = std::any_of(layered.begin(), layered.end(), [&](auto& e) { return e.first == name; });
        if (!known || !v.is_table()) {
          drop_tables.push_back(name);
          set.ignored_.push_back("profile '" + name + "'");
          continue;
        }
        std::vector<std::string> drop_keys;
        for (auto&& [pk, pv] : *v.as_table())
          if (!kDescriptiveKeys.count(std::string(pk.str()))) drop_keys.push_back(std::string(pk.str()));
        for (auto& k2 : drop_keys) {
          v.as_table()->erase(k2);
          set.ignored_.push_back(name + "." + k2);
        }
      }
      for (auto& n : drop_tables) t.erase(n);
      if (!set.ignored_.empty()) set.untrusted_origin_ = origin;
    }
    const toml::table& root = roots.back();
    // This file's profiles in the order they are written.
    std::vector<std::pair<uint32_t, std::string>> here;
    for (auto&& [k, v] : root) {
      std::string name(k.str());
      if (!v.is_table()) fail(v, name, "expected a [" + name + "] table");
      here.emplace_back(v.source().begin.line, name);
    }
    std::sort(here.begin(), here.end());
    for (auto& [line, name] : here) {
      const toml::table* t = root.get_as<toml::table>(name);
      auto it = std::find_if(layered.begin(), layered.end(), [&](auto& e) { return e.first == name; });
      if (it == layered.end()) {
        layered.push_back({name, {t}});
        origins[name] = origin;
      } else {
        it->second.push_back(t);
        origins[name] += " + " + origin;
      }
    }
  }
  for (auto& [name, layers] : layered) {
    AgentProfile p = read_profile(name, layers, set.warnings_);
    p.origin = origins[name];
    set.profiles_.push_back(std::move(p));
  }
  return set;
}

ProfileSet ProfileSet::load(const std::string& shipped, const std::string& user,
                            const std::string& project) {
  std::vector<std::pair<std::string, std::string>> sources;
  auto add = [&](const std::string& path, bool required) {
    if (path.empty()) {
      if (required) throw ProfileError("the shipped agents.toml was not found (reinstall amux)");
      return;
    }
    std::ifstream in(path);
    if (!in) {
      if (required) throw ProfileError(path + ": cannot read the agent profiles");
      return;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    sources.emplace_back(path, ss.str());
  };
  add(shipped, true);
  if (user != shipped) add(user, false);
  if (project != shipped && project != user) add(project, false);
  return from_sources(sources);
}

const AgentProfile* ProfileSet::find(const std::string& name) const {
  for (auto& p : profiles_)
    if (p.name == name) return &p;
  return nullptr;
}

const AgentProfile& ProfileSet::get(const std::string& name) const {
  if (auto* p = find(name)) return *p;
  throw ProfileError("unknown agent '" + name + "' (profiles: " + join(names()) + ")");
}

std::vector<std::string> ProfileSet::names() const {
  std::vector<std::string> n;
  for (auto& p : profiles_) n.push_back(p.name);
  return n;
}

std::string find_shipped_agents_file() {
  std::error_code ec;
  std::string dir = exe_dir();
  std::vector<std::string> cands;
  // Installed next to the binary, then the source tree a build directory
  // sits in, then the compiled-in data dir.
  if (!dir.empty()) cands.push_back(dir + "/../share/amux/agents.toml");
  for (fs::path p = dir; !p.empty(); p = p.parent_path()) {
    cands.push_back((p / "conf" / "agents.toml").string());
    if (p == p.parent_path()) break;
  }
#ifdef AMUX_DATADIR
  cands.push_back(std::string(AMUX_DATADIR) + "/agents.toml");
#endif
  for (auto& c : cands)
    if (fs::is_regular_file(c, ec)) return fs::weakly_canonical(c, ec).string();
  return "";
}

std::string user_agents_file(const Paths& p) { return p.config_dir + "/agents.toml"; }

std::string project_agents_file(const std::string& dir) {
  std::string top = git_toplevel(dir);
  return (top.empty() ? dir : top) + "/.amux/agents.toml";
}

ProfileSet load_profiles(const Paths& p, const std::string& dir) {
  const std::string shipped = find_shipped_agents_file();
  const std::string user = user_agents_file(p);
  std::vector<std::pair<std::string, std::string>> sources;
  if (shipped.empty()) throw ProfileError("the shipped agents.toml was not found (reinstall amux)");
  auto shipped_text = read_file(shipped);
  if (!shipped_text) throw ProfileError(shipped + ": cannot read the agent profiles");
  sources.emplace_back(shipped, *shipped_text);
  if (user != shipped)
    if (auto t = read_file(user)) sources.emplace_back(user, *t);
  // The project's file, read once: what is hashed is what applies.
  const ProjectFiles pf = read_project_files(project_root(dir));
  const std::string project = pf.path("agents.toml");
  size_t first_untrusted = SIZE_MAX;
  if (const auto& t = pf.content("agents.toml"); t && project != shipped && project != user) {
    if (!is_trusted(p, pf.root, pf.digest())) first_untrusted = sources.size();
    sources.emplace_back(project, *t);
  }
  ProfileSet set = ProfileSet::from_sources(sources, first_untrusted);
  set.project_root_ = pf.root;
  return set;
}

std::string ProfileSet::trust_notice() const {
  if (ignored_.empty()) return "";
  std::string what;
  for (auto& i : ignored_) what += (what.empty() ? "" : ", ") + i;
  return "ignored " + what + " from " + untrusted_origin_ +
         " (not trusted; to allow it: amux trust " + project_root_ + ")";
}

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

std::string default_agent(const std::string& config_default, const ProfileSet& profiles) {
  const char* path = getenv("PATH");
  return default_agent(config_default, profiles, path ? path : "");
}

std::string default_agent(const std::string& config_default, const ProfileSet& profiles,
                          const std::string& path_value) {
  if (!config_default.empty()) {
    const AgentProfile* p = profiles.find(config_default);
    if (!p)
      throw ProfileError("default_agent '" + config_default + "' is not an agent profile (profiles: " +
                         join(profiles.names()) + ")");
    if (find_executable(p->binary, path_value).empty())
      throw ProfileError("default_agent '" + config_default + "': '" + p->binary +
                         "' is not on PATH; install it, change default_agent, or run a command with "
                         "--exec 'cmd'");
    return p->name;
  }
  std::vector<std::string> looked;
  for (auto& p : profiles.profiles()) {
    if (p.kind != "agent") continue;
    if (!find_executable(p.binary, path_value).empty()) return p.name;
    looked.push_back(p.name);
  }
  throw ProfileError("no agent found on PATH (looked for " + join(looked) +
                     "); install one, set default_agent in config.toml, or run a command with "
                     "--exec 'cmd'");
}

std::string name_from_prompt(const std::string& prompt) {
  std::vector<std::string> words;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) words.push_back(cur);
    cur.clear();
  };
  for (char ch : prompt) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) && c < 0x80) cur += char(std::tolower(c));
    else if (c == '\'') continue;  // don't → dont
    else flush();
  }
  flush();
  std::vector<std::string> kept;
  for (auto& w : words)
    if (!kStopWords.count(w)) kept.push_back(w);
  if (kept.empty()) kept = words;
  std::string out;
  for (auto& w : kept) {
    size_t need = out.empty() ? w.size() : out.size() + 1 + w.size();
    if (need > 32) {
      if (out.empty()) out = w.substr(0, 32);
      break;
    }
    if (!out.empty()) out += '-';
    out += w;
  }
  return out.empty() ? "task" : out;
}

std::optional<SessionState> match_screen(const AgentProfile& p, const std::vector<std::string>& lines) {
  return match_screen(p.working, p.blocked, p.idle, lines);
}

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
