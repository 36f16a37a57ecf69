// view_prefs.cpp — see view_prefs.h.
#include "view/view_prefs.h"

#include <nlohmann/json.hpp>

#include "mux/store/atomic_file.h"

namespace amux::view {

namespace {
std::string prefs_path(const std::string& dir) { return dir + "/view.json"; }

// view.json as an object ({} when missing or unreadable).
nlohmann::json load_json(const std::string& dir) {
  if (auto text = mux::read_file(prefs_path(dir))) {
    auto j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_object()) return j;
  }
  return nlohmann::json::object();
}

std::string str(const nlohmann::json& j, const char* k) {
  auto it = j.find(k);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> strs(const nlohmann::json& j, const char* k) {
  std::vector<std::string> out;
  auto it = j.find(k);
  if (it == j.end() || !it->is_array()) return out;
  for (auto& e : *it)
    if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}
}  // namespace

ViewPrefs load_view_prefs(const std::string& config_dir) {
  ViewPrefs p;
  auto text = mux::read_file(prefs_path(config_dir));
  if (!text) return p;
  try {
    auto j = nlohmann::json::parse(*text);
    if (j.value("groupBy", std::string()) == "directory") p.group_by = GroupBy::Directory;
    if (j.value("groupBy", std::string()) == "host") p.group_by = GroupBy::Host;
  } catch (...) {
  }
  return p;
}

int save_view_prefs(const std::string& config_dir, const ViewPrefs& p) {
  // Keep keys this version does not know.
  nlohmann::json j = nlohmann::json::object();
  if (auto text = mux::read_file(prefs_path(config_dir))) {
    try {
      auto old = nlohmann::json::parse(*text);
      if (old.is_object()) j = old;
    } catch (...) {
    }
  }
  j["groupBy"] = p.group_by == GroupBy::Directory ? "directory" : p.group_by == GroupBy::Host ? "host" : "state";
  return mux::write_file_atomic(prefs_path(config_dir), j.dump(2) + "\n", 0600);
}

std::optional<ViewDefaults> load_view_defaults(const std::string& config_dir) {
  nlohmann::json j = load_json(config_dir);
  auto it = j.find("defaults");
  if (it == j.end() || !it->is_object()) return std::nullopt;
  const nlohmann::json& d = *it;
  ViewDefaults out;
  out.agent = str(d, "agent");
  out.model = str(d, "model");
  out.effort = str(d, "effort");
  out.permission_mode = str(d, "permissionMode");
  out.settings = str(d, "settings");
  out.mcp_config = str(d, "mcpConfig");
  out.add_dirs = strs(d, "addDirs");
  out.plugin_dirs = strs(d, "pluginDirs");
  return out;
}

int save_view_defaults(const std::string& config_dir, const ViewDefaults& d) {
  nlohmann::json j = load_json(config_dir);
  nlohmann::json s = nlohmann::json::object();
  auto put = [&](const char* k, const std::string& v) {
    if (!v.empty()) s[k] = v;
  };
  put("agent", d.agent);
  put("model", d.model);
  put("effort", d.effort);
  put("permissionMode", d.permission_mode);
  put("settings", d.settings);
  put("mcpConfig", d.mcp_config);
  if (!d.add_dirs.empty()) s["addDirs"] = d.add_dirs;
  if (!d.plugin_dirs.empty()) s["pluginDirs"] = d.plugin_dirs;
  j["defaults"] = s;
  return mux::write_file_atomic(prefs_path(config_dir), j.dump(2) + "\n", 0600);
}

}  // namespace amux::view
