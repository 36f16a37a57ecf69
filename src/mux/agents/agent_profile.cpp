// agent_profile.cpp — the set of agent profiles: the shipped agents.toml,
// then the user's and the project's layered over it (an untrusted project's
// file only describes profiles), where those files are, and lookups (see
// agent_profile.h). One profile's keys are read in profile_toml.cpp; argv
// in profile_argv.cpp; the default agent, name slugs and bypass consent each
// in their own file.
#include "mux/agents/agent_profile.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "mux/agents/profile_templates.h"
#include "mux/agents/profile_toml.h"
#include "mux/agents/worktree.h"
#include "mux/store/atomic_file.h"
#include "mux/store/trust_store.h"

namespace amux::mux {

using profile_detail::fail;
using profile_detail::join;
using profile_detail::Layers;
using profile_detail::read_profile;

namespace {

namespace fs = std::filesystem;

std::string exe_dir() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : p.parent_path().string();
}

// Keys of a profile that only describe it (how its screen looks, what it
// is): a project file sets these without being trusted. Every other key
// chooses what runs or how (binary, start, resume, prompt_args, options, env,
// hooks, kind), and so does a profile the project adds.
const std::set<std::string> kDescriptiveKeys = {"description", "patterns", "settle_ms"};

}  // namespace

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
    for (const auto& entry : here) {
      const std::string& name = entry.second;  // (a lambda cannot capture a structured binding in clang 14)
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

std::optional<SessionState> match_screen(const AgentProfile& p, const std::vector<std::string>& lines) {
  return match_screen(p.working, p.blocked, p.idle, lines);
}

}  // namespace amux::mux
