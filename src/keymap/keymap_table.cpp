// keymap_table.cpp — keymap.toml through toml++ (see keymap_table.h).
#include "keymap/keymap_table.h"

#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "keymap/key_names.h"

namespace amux::keymap {

KeymapTable KeymapTable::defaults() {
  KeymapTable k;
  k.t_["attach"] = {
      {"detach", {"C-\\", "C-b d"}},
      {"next", {"C-b n"}},
      {"previous", {"C-b p"}},
      {"back", {"C-b Left"}},
      {"send-prefix", {"C-b C-b"}},
      {"copy-mode", {"C-b ["}},
  };
  // The agent view (README.md "Agent view"). One key may serve several actions; the
  // view picks by what is on screen (Enter opens a row, or starts the
  // session typed in the prompt box).
  k.t_["view"] = {
      {"up", {"Up"}},
      {"down", {"Down"}},
      {"group-up", {"M-Up"}},
      {"group-down", {"M-Down"}},
      {"tile-left", {"Left"}},
      {"tile-right", {"Right"}},
      {"open", {"Enter", "Right"}},
      {"open-1", {"M-1"}}, {"open-2", {"M-2"}}, {"open-3", {"M-3"}},
      {"open-4", {"M-4"}}, {"open-5", {"M-5"}}, {"open-6", {"M-6"}},
      {"open-7", {"M-7"}}, {"open-8", {"M-8"}}, {"open-9", {"M-9"}},
      {"peek", {"Space"}},
      {"diff", {"M-d"}},
      {"pin", {"C-t"}},
      {"rename", {"C-r"}},
      {"remove", {"C-x"}},
      {"group-by", {"C-s"}},
      {"layout", {"Tab"}},
      {"find", {"C-f"}},
      {"submit", {"Enter"}},
      {"submit-attach", {"S-Enter", "M-Enter"}},
      {"newline", {"C-j"}},
      {"restore", {"C-y"}},
      {"help", {"?"}},
      {"cancel", {"Escape", "C-c"}},
      {"suspend", {"C-z"}},
      {"redraw", {"C-l"}},
  };
  return k;
}

void KeymapTable::merge_toml(const std::string& text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    std::ostringstream s;
    s << origin << ":" << e.source().begin.line << ": " << e.description();
    throw KeymapError(s.str());
  }
  for (auto&& [ctx, node] : root) {
    std::string c(ctx.str());
    auto where = [&](const toml::node& n, const std::string& what) {
      std::ostringstream s;
      s << origin << ":" << n.source().begin.line << ": " << what;
      return s.str();
    };
    auto known = t_.find(c);
    if (known == t_.end()) throw KeymapError(where(node, "unknown context [" + c + "]"));
    if (!node.is_table()) throw KeymapError(where(node, c + ": expected a table"));
    for (auto&& [act, v] : *node.as_table()) {
      std::string a(act.str());
      if (!known->second.count(a)) throw KeymapError(where(v, "unknown action " + c + "." + a));
      std::vector<std::string> keys;
      auto add = [&](const toml::node& n) {
        auto s = n.value<std::string>();
        if (!s) throw KeymapError(where(n, c + "." + a + ": expected key names as strings"));
        std::istringstream in(*s);
        std::string k;
        while (in >> k)
          if (key_bytes(k).empty()) throw KeymapError(where(n, c + "." + a + ": unknown key '" + k + "'"));
        keys.push_back(*s);
      };
      if (auto* arr = v.as_array())
        for (auto& e : *arr) add(e);
      else
        add(v);
      known->second[a] = keys;
    }
  }
}

void KeymapTable::merge_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return;
  std::stringstream ss;
  ss << in.rdbuf();
  merge_toml(ss.str(), path);
}

std::string KeymapTable::to_toml(const std::string& context) const {
  toml::table actions;
  auto it = t_.find(context);
  if (it != t_.end())
    for (auto& [action, keys] : it->second) {
      toml::array a;
      for (auto& k : keys) a.push_back(k);
      actions.insert(action, std::move(a));
    }
  toml::table root;
  root.insert(context, std::move(actions));
  std::ostringstream out;
  out << root;
  return out.str();
}

std::vector<Binding> KeymapTable::bindings(const std::string& context) const {
  std::vector<Binding> out;
  auto it = t_.find(context);
  if (it == t_.end()) return out;
  for (auto& [action, keys] : it->second)
    for (auto& k : keys) out.push_back({k, action});
  return out;
}

const std::vector<std::string>& KeymapTable::keys(const std::string& context,
                                                  const std::string& action) const {
  static const std::vector<std::string> none;
  auto it = t_.find(context);
  if (it == t_.end()) return none;
  auto a = it->second.find(action);
  return a == it->second.end() ? none : a->second;
}

}  // namespace amux::keymap
