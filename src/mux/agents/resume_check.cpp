// resume_check.cpp — whether an agent has a conversation to resume.
//
// Why: a resume command for a conversation the agent never saved fails
// ("No conversation found") and the prompt is lost. A profile's resume_if
// names where the agent keeps a saved conversation; when nothing is there a
// restart runs the start command (with the original prompt) instead.
#include <glob.h>

#include <cstdlib>
#include <map>

#include "mux/agents/agent_profile.h"
#include "mux/agents/profile_templates.h"

namespace amux::mux {

std::vector<std::string> build_resume_if(const AgentProfile& p, const std::string& session_uuid,
                                         const std::string& cwd, const std::vector<std::string>& env) {
  auto lookup = [&](const std::string& name) -> std::string {
    for (auto it = env.rbegin(); it != env.rend(); ++it)
      if (it->size() > name.size() && it->compare(0, name.size(), name) == 0 && (*it)[name.size()] == '=')
        return it->substr(name.size() + 1);
    const char* v = getenv(name.c_str());
    return v ? v : "";
  };
  std::string slug = cwd;
  for (char& c : slug)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) c = '-';
  std::map<std::string, std::string> vars = {
      {"session_uuid", session_uuid}, {"home", lookup("HOME")}, {"cwd", cwd}, {"cwd_slug", slug}};
  std::vector<std::string> out;
  for (const std::string& t : p.resume_if) {
    // {env.NAME}: filled in here; an unset one drops the pattern.
    std::string s;
    bool unset = false;
    for (size_t i = 0; i < t.size();) {
      if (t.compare(i, 5, "{env.") == 0) {
        size_t close = t.find('}', i);
        if (close != std::string::npos) {
          std::string v = lookup(t.substr(i + 5, close - i - 5));
          if (v.empty()) unset = true;
          s += v;
          i = close + 1;
          continue;
        }
      }
      if (t.compare(i, 2, "{{") == 0) {  // kept for expand() below
        s += "{{";
        i += 2;
        continue;
      }
      s += t[i++];
    }
    if (vars["home"].empty() && t.find("{home}") != std::string::npos) unset = true;
    if (!unset) out.push_back(profile_detail::expand(s, vars));
  }
  return out;
}

bool any_path_exists(const std::vector<std::string>& patterns) {
  for (const std::string& pat : patterns) {
    glob_t g{};
    const int rc = glob(pat.c_str(), GLOB_NOSORT, nullptr, &g);
    const bool found = rc == 0 && g.gl_pathc > 0;
    globfree(&g);
    if (found) return true;
  }
  return false;
}

}  // namespace amux::mux
