// cluster_table.cpp — see cluster_table.h.
#include "render/cluster_table.h"

namespace amux::render {

char32_t ClusterTable::intern(const uint32_t* cps, size_t n) {
  if (n == 0) return kBlank;
  if (n == 1) return cps[0];
  std::u32string key(cps, cps + n);
  auto it = index_.find(key);
  if (it != index_.end()) return kClusterBase + it->second;
  if (entries_.size() >= capacity_) return cps[0];
  auto idx = uint32_t(entries_.size());
  entries_.push_back(key);
  index_.emplace(std::move(key), idx);
  return kClusterBase + idx;
}

std::u32string_view ClusterTable::get(char32_t ch) const {
  if (ch < kClusterBase || ch == kWideTail) return {};
  size_t idx = ch - kClusterBase;
  if (idx >= entries_.size()) return {};
  return entries_[idx];
}

char32_t ClusterTable::base(char32_t ch) const {
  if (ch < kClusterBase || ch == kWideTail) return ch;
  auto v = get(ch);
  return v.empty() ? kBlank : v[0];
}

}  // namespace amux::render
