// scrollback.h — the compact ring of lines that left the top of the screen.
//
// Why: a host keeps up to Options::scrollback_lines (10,000 by default) per
// session and must stay small (≤ 1.5 MiB PSS with a full scrollback), so a
// line is not kept as cells (16 bytes each) but encoded into bytes: trailing
// never-written cells trimmed, text as UTF-8, a marker byte only where the pen changes or
// a cell is special. A plain ASCII line with the default pen costs its length
// plus one header byte plus an 8-byte index entry. Bytes live in 16 KiB
// chunks appended in order; a chunk is freed once every line in it has been
// evicted, so the ring never copies or compacts.
//
// Line encoding (bytes < 0x20 never occur in the UTF-8 of a cell's text):
//   header byte: bit 0 = wrapped (the line continues on the next one)
//   0x01 F [attrs:2] [ul:1] [fg:1|3] [bg:1|3]  pen change; F bits 0-1 fg
//                                       kind, bits 2-3 bg kind, bit 4 attrs
//                                       present, bit 5 underline colour index
//                                       (UlColors) present
//   0x02 N        N (1..255) blank cells (kBlank)
//   0x03          the next glyph is wide (a kWideTail cell follows it)
//   0x04 I I I    a cluster cell: 24-bit index into the ClusterTable
//   0x05 C C C C  a raw 32-bit code point that UTF-8 cannot carry
//   otherwise     one cell: a UTF-8 encoded code point
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "render/cell.h"
#include "render/screen.h"

namespace amux::render {

class Scrollback {
 public:
  explicit Scrollback(size_t capacity) : capacity_(capacity) {}

  // Appends a row (its first `n` cells; cells past `n` are default blanks).
  // Evicts the oldest line when full. A capacity of 0 keeps nothing.
  void push(const Cell* cells, size_t n, bool wrapped);
  // Removes and returns the newest line (resize pulls lines back).
  bool pop_newest(ScrollbackLine& out);

  size_t size() const { return count_; }
  size_t capacity() const { return capacity_; }
  size_t total_pushed() const { return total_; }
  // Line i, 0 = oldest.
  ScrollbackLine line(size_t i) const;
  // Heap bytes held: chunks plus the index.
  size_t bytes() const;

  // Encoding helpers, public for tests. encode_into writes at most
  // max_encoded(n) bytes and returns the length.
  static void encode(const Cell* cells, size_t n, bool wrapped, std::string& out);
  static size_t encode_into(const Cell* cells, size_t n, bool wrapped, uint8_t* out);
  // Worst case per cell: pen change (11) + wide marker (1) + raw code point (5).
  static constexpr size_t max_encoded(size_t n) { return 1 + n * 17; }
  static ScrollbackLine decode(const uint8_t* p, size_t len);

 private:
  struct Entry {
    uint32_t chunk;  // chunk number (monotonic, wraps harmlessly)
    uint16_t off;    // offset inside the chunk
    uint16_t len;    // encoded length
  };
  struct Chunk {
    std::vector<uint8_t> data;  // size() == capacity of the chunk
    uint32_t used = 0;          // bytes appended
    uint32_t live = 0;          // lines still referencing the chunk
  };
  static constexpr size_t kChunkSize = 16 * 1024;
  static constexpr size_t kMaxLine = 0xFFFF;

  const Entry& entry(size_t i) const;
  const Chunk& chunk(uint32_t no) const { return chunks_[size_t(no - first_chunk_)]; }
  Chunk& chunk(uint32_t no) { return chunks_[size_t(no - first_chunk_)]; }
  void evict_oldest();
  void drop_dead_chunks();

  size_t capacity_;
  std::vector<Entry> ring_;  // grows to capacity_, then wraps at head_
  size_t head_ = 0;          // index of the oldest entry once ring_ is full
  size_t count_ = 0;
  size_t total_ = 0;
  std::deque<Chunk> chunks_;
  uint32_t first_chunk_ = 0;  // number of chunks_.front()
  std::string scratch_;       // reused encode buffer (never shrinks)
};

}  // namespace amux::render
