// Unit tests for the agent view's geometry (any terminal size), the grid's
// tiles and scrolling, and tile images (SGR text → cells, cropping around
// the cursor, no escape sequence surviving as text).
#include <gtest/gtest.h>

#include <clocale>

#include "view/screen_layout.h"
#include "view/tile_feed.h"
#include "view/tile_image.h"

using namespace amux::view;

namespace {
struct Locale {
  Locale() { setlocale(LC_ALL, "C.UTF-8"); }
} locale_once;

std::string row_text(const TileImage& img, int r) {
  std::string s;
  const auto* sc = img.screen();
  for (int c = 0; c < sc->cols(); c++) {
    if (sc->cell(r, c).ch == amux::render::kWideTail) continue;
    std::string t = sc->cell_text(sc->cell(r, c));
    s += t.empty() ? " " : t;
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}
}  // namespace

TEST(ScreenLayout, AreasTileTheTerminal) {
  for (auto [rows, cols] : {std::pair{50, 200}, {24, 80}, {10, 40}, {8, 30}, {100, 300}}) {
    for (bool grid : {false, true}) {
      Areas a = compute_areas(rows, cols, 1, grid);
      ASSERT_FALSE(a.too_small) << rows << "x" << cols;
      EXPECT_EQ(a.hints.y, rows - 1);
      EXPECT_EQ(a.prompt.y + a.prompt.h, rows - 1);
      EXPECT_GE(a.body.h, 1);
      EXPECT_LE(a.body.y + a.body.h, a.prompt.y);
      EXPECT_LE(a.body.x + a.body.w, cols);
      if (!a.preview.empty()) {
        EXPECT_FALSE(grid);
        EXPECT_LE(a.preview.x + a.preview.w, cols);
        EXPECT_LE(a.preview.y + a.preview.h, a.prompt.y);
      }
    }
  }
  EXPECT_TRUE(compute_areas(5, 80, 1, false).too_small);
  EXPECT_TRUE(compute_areas(24, 20, 1, false).too_small);
  // Large: a preview pane to the right; 80x24: none.
  EXPECT_FALSE(compute_areas(50, 200, 1, false).preview.empty());
  EXPECT_TRUE(compute_areas(24, 80, 1, false).preview.empty());
  // A multi-line prompt grows the box, capped.
  EXPECT_EQ(compute_areas(50, 200, 3, false).prompt.h, 5);
  EXPECT_LE(compute_areas(24, 80, 50, false).prompt.h, 8);
}

// Every tile of a page lies inside the body, none overlaps another, and
// together with the 1-column gaps they cover the body's full height.
static void expect_tiles_fill(const Rect& body, const GridGeom& g, int count, int top) {
  std::vector<Rect> shown;
  for (int i = 0; i < count; i++) {
    Rect r = tile_rect(body, g, i, top);
    if (r.empty()) continue;
    EXPECT_GE(r.y, body.y);
    EXPECT_GE(r.x, body.x);
    EXPECT_LE(r.y + r.h, body.y + body.h);
    EXPECT_LE(r.x + r.w, body.x + body.w);
    EXPECT_GE(r.w, std::min(body.w, kMinTileW - 1));
    EXPECT_GE(r.h, std::min(body.h, kMinTileH));
    for (const Rect& o : shown)
      EXPECT_TRUE(r.y + r.h <= o.y || o.y + o.h <= r.y || r.x + r.w <= o.x || o.x + o.w <= r.x);
    shown.push_back(r);
  }
  ASSERT_FALSE(shown.empty());
  int bottom = 0, right = 0;
  for (const Rect& r : shown) bottom = std::max(bottom, r.y + r.h), right = std::max(right, r.x + r.w);
  if (int(shown.size()) == g.per_page()) {
    EXPECT_EQ(bottom, body.y + body.h);
    EXPECT_EQ(right, body.x + body.w);
  }
}

TEST(ScreenLayout, OneSessionTakesTheWholeBody) {
  Rect body{4, 0, 40, 200};
  for (int count : {0, 1}) {
    GridGeom g = grid_geometry(body, count);
    EXPECT_EQ(g.columns, 1);
    EXPECT_EQ(g.visible_rows, 1);
    Rect r = tile_rect(body, g, 0, 0);
    EXPECT_EQ(r.y, body.y);
    EXPECT_EQ(r.x, body.x);
    EXPECT_EQ(r.h, body.h);
    EXPECT_EQ(r.w, body.w);
  }
}

TEST(ScreenLayout, TwoSessionsSplitInHalves) {
  // Wide: side by side.
  Rect wide{4, 0, 40, 200};
  GridGeom g = grid_geometry(wide, 2);
  EXPECT_EQ(g.columns, 2);
  EXPECT_EQ(g.visible_rows, 1);
  Rect a = tile_rect(wide, g, 0, 0), b = tile_rect(wide, g, 1, 0);
  EXPECT_EQ(a.h, 40);
  EXPECT_EQ(b.h, 40);
  EXPECT_EQ(a.w, 99);  // a 1-column gap
  EXPECT_EQ(b.x, 100);
  EXPECT_EQ(b.w, 100);
  expect_tiles_fill(wide, g, 2, 0);
  // Tall: stacked.
  Rect tall{2, 0, 60, 80};
  g = grid_geometry(tall, 2);
  EXPECT_EQ(g.columns, 1);
  EXPECT_EQ(g.visible_rows, 2);
  a = tile_rect(tall, g, 0, 0), b = tile_rect(tall, g, 1, 0);
  EXPECT_EQ(a.w, 80);
  EXPECT_EQ(a.h, 30);
  EXPECT_EQ(b.y, 32);
  EXPECT_EQ(b.h, 30);
  expect_tiles_fill(tall, g, 2, 0);
}

TEST(ScreenLayout, ThreeAndFourMakeTwoByTwo) {
  Rect body{4, 0, 33, 161};
  for (int count : {3, 4}) {
    GridGeom g = grid_geometry(body, count);
    EXPECT_EQ(g.columns, 2);
    EXPECT_EQ(g.visible_rows, 2);
    EXPECT_EQ(grid_pages(count, g), 1);
    expect_tiles_fill(body, g, count, 0);
    Rect last = tile_rect(body, g, 3, 0);
    EXPECT_EQ(last.y, 4 + 16);
    EXPECT_EQ(last.h, 17);  // the last row takes the odd line
    EXPECT_EQ(last.x, 80);
    EXPECT_EQ(last.w, 81);
  }
}

TEST(ScreenLayout, ManySessionsGrowTheGridThenPage) {
  Rect body{4, 0, 40, 200};
  GridGeom g6 = grid_geometry(body, 6);
  EXPECT_EQ(g6.per_page() >= 6, true);
  EXPECT_EQ(grid_pages(6, g6), 1);
  expect_tiles_fill(body, g6, 6, 0);
  // 100 sessions: tiles at the minimum size, then pages.
  GridGeom g = grid_geometry(body, 100);
  EXPECT_EQ(g.columns, (200 + 1) / (kMinTileW + 1));
  EXPECT_EQ(g.visible_rows, 40 / kMinTileH);
  EXPECT_GE(g.tile_w - 1, kMinTileW - 1);
  EXPECT_GE(g.tile_h, kMinTileH);
  int pages = grid_pages(100, g);
  EXPECT_EQ(pages, (100 + g.per_page() - 1) / g.per_page());
  expect_tiles_fill(body, g, 100, 0);
  // Selecting the last session turns to the last page, a whole page at a time.
  int top = grid_scroll(0, 99, 100, g);
  EXPECT_EQ(top % g.visible_rows, 0);
  EXPECT_EQ(grid_page_of(top, g), pages - 1);
  EXPECT_TRUE(tile_rect(body, g, 0, top).empty());
  EXPECT_FALSE(tile_rect(body, g, 99, top).empty());
  // Moving within the page keeps it; leaving it turns one page.
  EXPECT_EQ(grid_scroll(0, g.per_page() - 1, 100, g), 0);
  EXPECT_EQ(grid_scroll(0, g.per_page(), 100, g), g.visible_rows);
  EXPECT_EQ(grid_scroll(top, 0, 100, g), 0);
  // A small terminal: one tile per page at least, inside the body.
  Rect small{2, 0, 5, 30};
  GridGeom gs = grid_geometry(small, 4);
  EXPECT_EQ(gs.per_page(), 1);
  EXPECT_EQ(grid_pages(4, gs), 4);
  Rect r = tile_rect(small, gs, 2, grid_scroll(0, 2, 4, gs));
  EXPECT_EQ(r.y, 2);
  EXPECT_EQ(r.h, 5);
  EXPECT_EQ(r.w, 30);
}

TEST(TileImage, SgrTextBecomesCells) {
  TileImage img;
  EXPECT_TRUE(img.set("plain\n\x1b[0;1;31mred\x1b[0m tail\n日本\n", -1, -1, "t\x1b]0;x\x07itle"));
  EXPECT_FALSE(img.set("plain\n\x1b[0;1;31mred\x1b[0m tail\n日本\n", -1, -1, "t\x1b]0;x\x07itle"));
  EXPECT_EQ(row_text(img, 0), "plain");
  EXPECT_EQ(row_text(img, 1), "red tail");
  EXPECT_EQ(row_text(img, 2), "日本");
  const auto& c = img.screen()->cell(1, 0);
  EXPECT_TRUE(c.attrs & amux::render::kBold);
  EXPECT_EQ(c.fg, amux::render::Color::indexed(1));
  EXPECT_EQ(img.title().find('\x1b'), std::string::npos);
}

TEST(TileImage, HostileBytesStayInsideTheImage) {
  TileImage img;
  // Title changes, mode switches, an OSC 52 clipboard write: none is text,
  // none leaves the image.
  img.set("a\x1b]0;evil\x07" "b\x1b[?1049h\x1b]52;c;ZXZpbA==\x07" "c\n", -1, -1, "");
  EXPECT_EQ(row_text(img, 0).substr(0, 3), "abc");
  for (int r = 0; r < img.screen()->rows(); r++)
    EXPECT_EQ(row_text(img, r).find('\x1b'), std::string::npos);
}

TEST(TileImage, WindowKeepsCursorInView) {
  TileImage img;
  std::string t;
  for (int i = 0; i < 40; i++) t += "line " + std::to_string(i) + "\n";
  img.set(t, 30, 70, "");
  int top, left;
  img.window(10, 40, &top, &left);
  EXPECT_LE(top, 30);
  EXPECT_GT(top + 10, 30);
  EXPECT_EQ(left, 31);
  img.set(t, -1, -1, "");
  img.window(10, 40, &top, &left);
  EXPECT_EQ(top, 30);  // last line with text at the bottom
  EXPECT_EQ(left, 0);
}

TEST(TileFeed, CropCaptureKeepsTheLastLines) {
  int cr = 0;
  std::string t = "a\nb\nc\nd\n\n\n";
  EXPECT_EQ(crop_capture(t, 2, &cr), "c\nd\n");
  EXPECT_EQ(cr, -1);
  EXPECT_EQ(crop_capture("x\n", 5, &cr), "x\n");
}
