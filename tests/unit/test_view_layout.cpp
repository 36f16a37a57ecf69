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

TEST(ScreenLayout, GridTilesScrollToSelection) {
  Rect body{4, 0, 40, 200};
  GridGeom g = grid_geometry(body);
  EXPECT_EQ(g.columns, 5);
  EXPECT_GE(g.visible_rows, 2);
  Rect t0 = tile_rect(body, g, 0, 0);
  Rect t1 = tile_rect(body, g, 1, 0);
  EXPECT_EQ(t0.y, 4);
  EXPECT_EQ(t1.x, g.tile_w);
  EXPECT_LT(t0.x + t0.w, t1.x);  // a gap between tiles
  int top = grid_scroll(0, 99, 100, g);
  EXPECT_EQ(top, 20 - g.visible_rows);
  EXPECT_TRUE(tile_rect(body, g, 0, top).empty());
  EXPECT_FALSE(tile_rect(body, g, 99, top).empty());
  EXPECT_EQ(grid_scroll(top, 0, 100, g), 0);
  Rect small{2, 0, 14, 80};
  GridGeom gs = grid_geometry(small);
  EXPECT_EQ(gs.columns, 2);
  EXPECT_GE(gs.visible_rows, 1);
  for (int i = 0; i < 4; i++) {
    Rect r = tile_rect(small, gs, i, 0);
    if (r.empty()) continue;
    EXPECT_LE(r.y + r.h, small.y + small.h);
    EXPECT_LE(r.x + r.w, small.x + small.w);
  }
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
