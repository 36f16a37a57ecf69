// cluster_table.h — interned grapheme clusters (a base character plus
// combining marks) for cells.
//
// Why: a Cell is 16 bytes and holds one code point. A cell that shows a base
// character with combining marks (e + U+0301, emoji + variation selector)
// stores kClusterBase + index into this table instead. The table is bounded:
// once full, new clusters keep only their base character, so hostile output
// cannot grow memory without limit. Entries are never removed, so an index in
// a cell or in a compacted scrollback line stays valid for the Screen's life.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "render/cell.h"

namespace amux::render {

class ClusterTable {
 public:
  explicit ClusterTable(size_t capacity = 65536) : capacity_(capacity) {}

  // The cell value for these code points: cps[0] alone when n == 1 or the
  // table is full, else kClusterBase + index.
  char32_t intern(const uint32_t* cps, size_t n);
  // The code points of a cluster cell (ch >= kClusterBase); empty if unknown.
  std::u32string_view get(char32_t ch) const;
  // The base character of a cell value (itself unless it is a cluster).
  char32_t base(char32_t ch) const;
  size_t size() const { return entries_.size(); }
  size_t capacity() const { return capacity_; }

 private:
  size_t capacity_;
  std::vector<std::u32string> entries_;
  std::unordered_map<std::u32string, uint32_t> index_;
};

}  // namespace amux::render
