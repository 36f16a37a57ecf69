// profile_templates.cpp — argv template placeholders: expanding and listing
// them (see profile_templates.h).
#include "mux/agents/profile_templates.h"

#include <cctype>

namespace amux::mux::profile_detail {

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

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

}  // namespace amux::mux::profile_detail
