// profile_templates.h — argv template placeholders, shared by reading
// profiles (which checks them) and building argv (which expands them).
// Private to src/mux/agents/ (agent_profile.h has the public interface and
// the placeholder syntax).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace amux::mux::profile_detail {

// Placeholders that stand for whole elements: {options} {extra} {prompt_args}.
extern const std::set<std::string> kWhole;

// Expand {name} from vars; "{{" is "{"; anything else stays as written.
std::string expand(const std::string& t, const std::map<std::string, std::string>& vars);

// The {identifier} placeholders a template uses.
std::vector<std::string> placeholders(const std::string& t);

// A list for a message: "a, b, c".
std::string join(const std::vector<std::string>& v, const char* sep = ", ");

}  // namespace amux::mux::profile_detail
