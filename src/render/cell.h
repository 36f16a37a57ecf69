// cell.h — one character cell of a terminal screen, and a row of them.
//
// Why: the host keeps its own row store instead of libvterm's screen layer
// (which moves the whole buffer on every scrolled line; see docs/libvterm.md), so it
// needs a compact cell: 16 bytes, trivially copyable, so a row is a flat
// vector and a scroll is a rotation of rows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace amux::render {

// A colour: the default colour, one of 256 palette entries, or 24-bit RGB.
struct Color {
  enum Kind : uint8_t { Default = 0, Indexed = 1, Rgb = 2 };
  uint32_t v = 0;  // bits 24..31 kind; Indexed: bits 0..7 index; Rgb: 0xRRGGBB

  static constexpr Color def() { return Color{0}; }
  static constexpr Color indexed(uint8_t i) { return Color{(uint32_t(Indexed) << 24) | i}; }
  static constexpr Color rgb(uint8_t r, uint8_t g, uint8_t b) {
    return Color{(uint32_t(Rgb) << 24) | (uint32_t(r) << 16) | (uint32_t(g) << 8) | b};
  }
  constexpr Kind kind() const { return Kind(v >> 24); }
  constexpr uint8_t index() const { return uint8_t(v & 0xff); }
  constexpr uint8_t r() const { return uint8_t(v >> 16); }
  constexpr uint8_t g() const { return uint8_t(v >> 8); }
  constexpr uint8_t b() const { return uint8_t(v); }
  constexpr bool operator==(const Color&) const = default;
};

// Attribute bits. The Screen reads SGR itself (sgr.h, tmux's rules), so it
// keeps what libvterm 0.1.4's pen lacks: dim, conceal, overline and the
// dotted and dashed underlines. Rapid blink (SGR 6) is kBlink, as in tmux.
enum Attr : uint16_t {
  kBold = 1 << 0,
  kUnderline = 1 << 1,  // single
  kDoubleUnderline = 1 << 2,
  kCurlyUnderline = 1 << 3,
  kItalic = 1 << 4,
  kBlink = 1 << 5,
  kReverse = 1 << 6,
  kStrike = 1 << 7,
  kConceal = 1 << 8,
  kDim = 1 << 9,
  kOverline = 1 << 10,
  kDottedUnderline = 1 << 11,
  kDashedUnderline = 1 << 12,
};
// The underline styles: at most one is set.
inline constexpr uint16_t kAnyUnderline =
    kUnderline | kDoubleUnderline | kCurlyUnderline | kDottedUnderline | kDashedUnderline;
// Attributes that show on a blank cell (a terminal erases with the
// background colour alone, so a blank in one of these is a real space).
inline constexpr uint16_t kVisibleOnBlank = kReverse | kAnyUnderline | kStrike | kOverline;

// Everything about a cell except its text. `ul` is the underline colour
// (SGR 58/59); a cell stores it as an index into its Screen's table
// (Screen::pen_of gives a cell's Pen).
struct Pen {
  Color fg, bg;
  uint16_t attrs = 0;
  Color ul;
  constexpr bool operator==(const Pen&) const = default;
};

// ch values with special meaning.
inline constexpr char32_t kBlank = 0;              // never written (shown as space)
inline constexpr char32_t kWideTail = 0xFFFFFFFFu; // right half of a wide character
// ch >= kClusterBase: index (ch - kClusterBase) into the Screen's cluster
// table (a base character plus combining marks).
inline constexpr char32_t kClusterBase = 0x80000000u;

struct Cell {
  char32_t ch = kBlank;
  Color fg, bg;
  uint16_t attrs = 0;
  uint8_t width = 1;  // 1, or 2 for the left half of a wide character
  // Bit 0: DECSCA-protected (the Screen's own); bits 1-7: the underline
  // colour's index in the Screen's UlColors (0: the default colour).
  uint8_t flags = 0;

  uint8_t ul_index() const { return uint8_t(flags >> 1); }
  // Same colours, attributes and underline colour.
  bool same_pen(const Cell& o) const {
    return fg == o.fg && bg == o.bg && attrs == o.attrs && ul_index() == o.ul_index();
  }
  bool operator==(const Cell&) const = default;
};
static_assert(sizeof(Cell) == 16, "Cell must stay 16 bytes");

struct Row {
  std::vector<Cell> cells;
  uint64_t version = 0;  // Screen::seq() value of its last change
  bool wrapped = false;  // the line continues on the next row (soft wrap)
};

}  // namespace amux::render
