// scrollback.cpp — see scrollback.h for the design and the line encoding.
#include "render/scrollback.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "render/utf8.h"

namespace amux::render {

namespace {

enum : uint8_t {
  kMarkPen = 0x01,
  kMarkBlanks = 0x02,
  kMarkWide = 0x03,
  kMarkCluster = 0x04,
  kMarkRaw = 0x05,
};

// A trailing cell that can be dropped: never written, default pen. (Spaces
// and coloured blanks are kept so a line pulled back by a resize is exact.)
inline bool trimmable(const Cell& c) {
  return c.ch == kBlank && c.fg == Color::def() && c.bg == Color::def() && c.attrs == 0 &&
         c.width == 1 && c.ul_index() == 0;
}

// Reads a colour of `kind`; false if the line is cut short.
bool get_color(const uint8_t* p, size_t len, size_t& i, unsigned kind, Color& c) {
  switch (kind) {
    case Color::Indexed:
      if (i + 1 > len) return false;
      c = Color::indexed(p[i]);
      i += 1;
      return true;
    case Color::Rgb:
      if (i + 3 > len) return false;
      c = Color::rgb(p[i], p[i + 1], p[i + 2]);
      i += 3;
      return true;
    default:
      c = Color::def();
      return true;
  }
}

#if defined(__SSE2__)
// Four cells at once for encode_into's common case: each is printable ASCII
// (0x20..0x7f), narrow, not protected, in the pen `tmpl` holds (lanes 1..3:
// fg, bg, attrs|width|flags). Writes their four bytes; false (nothing
// written) if any cell is not like that.
inline bool ascii4(const Cell* c, __m128i tmpl, uint8_t* o) {
  __m128i c0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(c));
  __m128i c1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(c + 1));
  __m128i c2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(c + 2));
  __m128i c3 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(c + 3));
  __m128i same = _mm_and_si128(_mm_and_si128(_mm_cmpeq_epi32(c0, tmpl), _mm_cmpeq_epi32(c1, tmpl)),
                               _mm_and_si128(_mm_cmpeq_epi32(c2, tmpl), _mm_cmpeq_epi32(c3, tmpl)));
  if ((_mm_movemask_epi8(same) & 0xFFF0) != 0xFFF0) return false;  // lane 0 is ch
  __m128i chs = _mm_unpacklo_epi64(_mm_unpacklo_epi32(c0, c1), _mm_unpacklo_epi32(c2, c3));
  // ch - 0x20 < 0x60 unsigned, as a signed compare with the sign bit flipped
  __m128i x = _mm_xor_si128(_mm_sub_epi32(chs, _mm_set1_epi32(0x20)), _mm_set1_epi32(INT32_MIN));
  __m128i ok = _mm_cmplt_epi32(x, _mm_set1_epi32(INT32_MIN + 0x60));
  if (_mm_movemask_epi8(ok) != 0xFFFF) return false;
  __m128i w = _mm_packs_epi32(chs, chs);  // values < 0x80: no saturation
  uint32_t four = uint32_t(_mm_cvtsi128_si32(_mm_packus_epi16(w, w)));
  std::memcpy(o, &four, 4);
  return true;
}
#endif

}  // namespace

void Scrollback::encode(const Cell* cells, size_t n, bool wrapped, std::string& out) {
  if (out.size() < max_encoded(n)) out.resize(max_encoded(n));
  out.resize(encode_into(cells, n, wrapped, reinterpret_cast<uint8_t*>(out.data())));
}

size_t Scrollback::encode_into(const Cell* cells, size_t n, bool wrapped, uint8_t* base) {
  // A wrapped line keeps its trailing spaces: they are part of the text.
  if (!wrapped)
    while (n > 0 && trimmable(cells[n - 1])) --n;
  uint8_t* o = base;
  *o++ = wrapped ? 1 : 0;
  auto put_color = [&o](Color c) {
    switch (c.kind()) {
      case Color::Default:
        break;
      case Color::Indexed:
        *o++ = c.index();
        break;
      case Color::Rgb:
        *o++ = c.r();
        *o++ = c.g();
        *o++ = c.b();
        break;
    }
  };
  Cell cur{};  // the pen (ch unused)
  // The fast path compares the 12 bytes after `ch` (fg, bg, attrs, width 1,
  // flags: the underline colour, not protected) with the current pen as two
  // words.
  static_assert(offsetof(Cell, fg) == 4 && offsetof(Cell, bg) == 8 && offsetof(Cell, attrs) == 12 &&
                offsetof(Cell, width) == 14 && offsetof(Cell, flags) == 15);
  uint32_t want_fg = 0;
  uint64_t want_hi = uint64_t(1) << 48;  // bg 0, attrs 0, width 1, flags 0
  for (size_t i = 0; i < n; ++i) {
#if defined(__SSE2__)
    if (i + 4 <= n) {
      __m128i tmpl = _mm_set_epi64x(int64_t(want_hi), int64_t(uint64_t(want_fg) << 32));
      while (i + 4 <= n && ascii4(cells + i, tmpl, o)) {
        i += 4;
        o += 4;
      }
      if (i >= n) break;
    }
#endif
    const Cell& c = cells[i];
    uint64_t lo, hi;
    std::memcpy(&lo, &c, 8);
    std::memcpy(&hi, reinterpret_cast<const char*>(&c) + 8, 8);
    // Fast path: printable ASCII, narrow, in the current pen.
    if (uint32_t(lo) - 0x20u < 0x60u && uint32_t(lo >> 32) == want_fg && hi == want_hi) {
      *o++ = uint8_t(lo);
      continue;
    }
    if (!c.same_pen(cur)) {
      const uint8_t ul = c.ul_index();
      *o++ = kMarkPen;
      *o++ = uint8_t(c.fg.kind() & 3) | uint8_t((c.bg.kind() & 3) << 2) | uint8_t(c.attrs ? 0x10 : 0) |
             uint8_t(ul ? 0x20 : 0);
      if (c.attrs) {
        *o++ = uint8_t(c.attrs & 0xFF);
        *o++ = uint8_t(c.attrs >> 8);
      }
      if (ul) *o++ = ul;
      put_color(c.fg);
      put_color(c.bg);
      cur = Cell{0, c.fg, c.bg, c.attrs, 1, uint8_t(ul << 1)};
      want_fg = c.fg.v;
      want_hi = uint64_t(c.bg.v) | (uint64_t(c.attrs) << 32) | (uint64_t(1) << 48) |
                (uint64_t(ul << 1) << 56);
    }
    if (c.ch == kBlank || c.ch == kWideTail) {  // an orphaned tail shows as a blank
      size_t j = i + 1;
      while (j < n && j - i < 255 && cells[j].ch == kBlank && cells[j].same_pen(cur)) ++j;
      *o++ = kMarkBlanks;
      *o++ = uint8_t(j - i);
      i = j - 1;
      continue;
    }
    bool wide = c.width == 2 && i + 1 < n && cells[i + 1].ch == kWideTail;
    if (wide) *o++ = kMarkWide;
    char32_t ch = c.ch;
    if (ch >= kClusterBase) {
      uint32_t idx = ch - kClusterBase;
      *o++ = kMarkCluster;
      *o++ = uint8_t(idx & 0xFF);
      *o++ = uint8_t((idx >> 8) & 0xFF);
      *o++ = uint8_t((idx >> 16) & 0xFF);
    } else if (ch < 0x20 || (ch >= 0xD800 && ch <= 0xDFFF) || ch > 0x10FFFF) {
      *o++ = kMarkRaw;
      for (int k = 0; k < 4; ++k) *o++ = uint8_t((ch >> (8 * k)) & 0xFF);
    } else {
      o += utf8::encode(ch, reinterpret_cast<char*>(o));
    }
    if (wide) ++i;  // the tail is implied
  }
  return size_t(o - base);
}

ScrollbackLine Scrollback::decode(const uint8_t* p, size_t len) {
  ScrollbackLine line;
  if (len == 0) return line;
  line.wrapped = p[0] & 1;
  line.cells.reserve(len);
  Cell cur{};  // the pen (ch unused)
  bool wide = false;
  size_t i = 1;
  auto emit = [&](char32_t ch) {
    line.cells.push_back(Cell{ch, cur.fg, cur.bg, cur.attrs, uint8_t(wide ? 2 : 1), cur.flags});
    if (wide) line.cells.push_back(Cell{kWideTail, cur.fg, cur.bg, cur.attrs, 1, cur.flags});
    wide = false;
  };
  while (i < len) {
    uint8_t b = p[i];
    if (b >= 0x20 && b < 0x80) {
      emit(b);
      ++i;
      continue;
    }
    switch (b) {
      case kMarkPen: {
        if (i + 2 > len) return line;
        uint8_t f = p[i + 1];
        i += 2;
        Cell pen{};
        if (f & 0x10) {
          if (i + 2 > len) return line;
          pen.attrs = uint16_t(p[i] | (p[i + 1] << 8));
          i += 2;
        }
        if (f & 0x20) {
          if (i + 1 > len) return line;
          pen.flags = uint8_t(p[i] << 1);
          i += 1;
        }
        if (!get_color(p, len, i, f & 3, pen.fg)) return line;
        if (!get_color(p, len, i, (f >> 2) & 3, pen.bg)) return line;
        cur = pen;
        break;
      }
      case kMarkBlanks: {
        if (i + 2 > len) return line;
        for (int k = 0; k < p[i + 1]; ++k)
          line.cells.push_back(Cell{kBlank, cur.fg, cur.bg, cur.attrs, 1, cur.flags});
        i += 2;
        wide = false;
        break;
      }
      case kMarkWide:
        wide = true;
        ++i;
        break;
      case kMarkCluster: {
        if (i + 4 > len) return line;
        uint32_t idx = uint32_t(p[i + 1]) | (uint32_t(p[i + 2]) << 8) | (uint32_t(p[i + 3]) << 16);
        emit(kClusterBase + idx);
        i += 4;
        break;
      }
      case kMarkRaw: {
        if (i + 5 > len) return line;
        uint32_t v = 0;
        for (int k = 0; k < 4; ++k) v |= uint32_t(p[i + 1 + k]) << (8 * k);
        emit(v);
        i += 5;
        break;
      }
      default: {
        std::string_view sv(reinterpret_cast<const char*>(p), len);
        emit(utf8::decode(sv, i));
        break;
      }
    }
  }
  return line;
}

const Scrollback::Entry& Scrollback::entry(size_t i) const {
  size_t k = head_ + i;
  if (k >= ring_.size()) k -= ring_.size();
  return ring_[k];
}

void Scrollback::push(const Cell* cells, size_t n, bool wrapped) {
  if (capacity_ == 0) return;
  if (scratch_.size() < max_encoded(n)) scratch_.resize(max_encoded(n));
  auto* buf = reinterpret_cast<uint8_t*>(scratch_.data());
  size_t len = encode_into(cells, n, wrapped, buf);
  // Pathological line (thousands of columns, a pen per cell): keep a
  // truncated, still valid prefix by encoding fewer cells.
  for (size_t keep = n; len > kMaxLine && keep > 0;) {
    keep /= 2;
    len = encode_into(cells, keep, wrapped, buf);
  }
  if (count_ == capacity_) evict_oldest();
  if (count_ == ring_.size()) {
    // Grow the index, linearised oldest first.
    size_t grown = std::min(capacity_, std::max<size_t>(64, ring_.size() * 2));
    std::vector<Entry> next;
    next.reserve(grown);
    for (size_t i = 0; i < count_; ++i) next.push_back(entry(i));
    next.resize(grown);
    ring_.swap(next);
    head_ = 0;
  }
  if (chunks_.empty() || chunks_.back().used + len > chunks_.back().data.size()) {
    // Drop an empty newest chunk rather than leave it behind.
    if (!chunks_.empty() && chunks_.back().live == 0) chunks_.pop_back();
    Chunk c;
    c.data.resize(std::max(kChunkSize, len));
    chunks_.push_back(std::move(c));
  }
  uint32_t no = first_chunk_ + uint32_t(chunks_.size() - 1);
  Chunk& c = chunks_.back();
  std::memcpy(c.data.data() + c.used, buf, len);
  Entry e{no, uint16_t(c.used), uint16_t(len)};
  c.used += uint32_t(len);
  c.live += 1;
  size_t slot = head_ + count_;
  if (slot >= ring_.size()) slot -= ring_.size();
  ring_[slot] = e;
  ++count_;
  ++total_;
}

void Scrollback::evict_oldest() {
  if (count_ == 0) return;
  const Entry& e = ring_[head_];
  chunk(e.chunk).live -= 1;
  head_ = head_ + 1 == ring_.size() ? 0 : head_ + 1;
  --count_;
  drop_dead_chunks();
}

void Scrollback::drop_dead_chunks() {
  // Free chunks at the front that no line references any more; the newest
  // chunk is kept (and rewound) so appends continue in it.
  while (chunks_.size() > 1 && chunks_.front().live == 0) {
    chunks_.pop_front();
    ++first_chunk_;
  }
  if (chunks_.size() == 1 && chunks_.front().live == 0) chunks_.front().used = 0;
}

bool Scrollback::pop_newest(ScrollbackLine& out) {
  if (count_ == 0) return false;
  size_t slot = head_ + count_ - 1;
  if (slot >= ring_.size()) slot -= ring_.size();
  Entry e = ring_[slot];
  Chunk& c = chunk(e.chunk);
  out = decode(c.data.data() + e.off, e.len);
  c.live -= 1;
  if (e.off + e.len == c.used) c.used = e.off;
  --count_;
  --total_;
  // An emptied newest chunk is released (unless it is the only one).
  while (chunks_.size() > 1 && chunks_.back().live == 0) chunks_.pop_back();
  drop_dead_chunks();
  if (count_ == 0) head_ = 0;
  return true;
}

ScrollbackLine Scrollback::line(size_t i) const {
  if (i >= count_) return {};
  const Entry& e = entry(i);
  const Chunk& c = chunk(e.chunk);
  return decode(c.data.data() + e.off, e.len);
}

size_t Scrollback::bytes() const {
  size_t b = ring_.capacity() * sizeof(Entry) + scratch_.capacity();
  for (const Chunk& c : chunks_) b += c.data.capacity() + sizeof(Chunk);
  return b;
}

}  // namespace amux::render
