// messages.cpp — see messages.h.
#include "mux/wire/messages.h"

#include <algorithm>

#include "mux/sys/json_num.h"

namespace amux::mux {

TermSize read_term_size(const nlohmann::json& j, int max_rows, int max_cols) {
  TermSize s;
  s.rows = json_int<int>(j.at("rows"), 1, max_rows);
  s.cols = json_int<int>(j.at("cols"), 1, max_cols);
  return s;
}

int64_t read_int64(const nlohmann::json& j, const char* key, int64_t def) {
  if (!j.is_object()) return def;
  auto it = j.find(key);
  return it == j.end() ? def : json_int<int64_t>(*it);
}

int read_int(const nlohmann::json& j, const char* key, int def, int lo, int hi) {
  if (!j.is_object()) return std::clamp(def, lo, hi);
  auto it = j.find(key);
  return it == j.end() ? std::clamp(def, lo, hi) : json_int<int>(*it, lo, hi);
}

std::vector<keymap::Binding> read_bindings(const nlohmann::json& j) {
  std::vector<keymap::Binding> out;
  for (const auto& b : j.at("bindings"))
    out.push_back({b.at("keys").get<std::string>(), b.at("action").get<std::string>()});
  return out;
}

}  // namespace amux::mux
