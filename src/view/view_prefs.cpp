// view_prefs.cpp — see view_prefs.h.
#include "view/view_prefs.h"

#include <nlohmann/json.hpp>

#include "mux/atomic_file.h"

namespace amux::view {

namespace {
std::string prefs_path(const std::string& dir) { return dir + "/view.json"; }
}  // namespace

ViewPrefs load_view_prefs(const std::string& config_dir) {
  ViewPrefs p;
  auto text = mux::read_file(prefs_path(config_dir));
  if (!text) return p;
  try {
    auto j = nlohmann::json::parse(*text);
    if (j.value("groupBy", std::string()) == "directory") p.group_by = GroupBy::Directory;
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
  j["groupBy"] = p.group_by == GroupBy::Directory ? "directory" : "state";
  return mux::write_file_atomic(prefs_path(config_dir), j.dump(2) + "\n", 0600);
}

}  // namespace amux::view
