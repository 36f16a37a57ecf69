// view_draw.h — draw the agent view with ncurses from the model, the
// controller's state and the live screens of the sessions on show.
//
// Why: drawing is the only part that touches ncurses; it reads everything
// and changes nothing, and reports what it put where (for mouse clicks) and
// whether anything on screen animates (so the view runs its 100 ms timer
// only then). Every string from a session is already sanitized; screens are
// drawn cell by cell from TileImages, never as bytes.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "view/palette.h"
#include "view/screen_layout.h"
#include "view/tile_feed.h"
#include "view/view_controller.h"
#include "view/view_model.h"

namespace amux::view {

struct HitBox {
  Rect r;
  std::string id;
};

struct DrawContext {
  const ViewModel& model;
  const Controller& ctl;
  Palette& pal;
  std::function<const TileFeed*(const std::string& id)> feed;
  int64_t now = 0;
  int spin = 0;                  // animation frame
  std::string defaults_line;     // "New sessions: …"
  std::string link_note;         // "" or a note about the supervisor connection
  int grid_top = 0;              // first row of tiles shown
};

struct DrawResult {
  std::vector<HitBox> hits;
  bool animating = false;   // a working session is on screen
  bool live_ages = false;   // a live session's age is on screen
  bool cursor = false;      // where the terminal cursor goes (text entry)
  int cursor_y = 0, cursor_x = 0;
};

// Draw a whole frame into stdscr (the caller refreshes).
DrawResult draw_view(const DrawContext& dc, const Areas& a);

// The spinner glyphs of a working row.
const char* spinner_glyph(int frame);

// Which sessions need a live screen this frame, and at what size (rows, cols):
// tiles of the grid on screen, the preview pane, the peeked session.
struct FeedWant {
  std::string id;
  int rows = 0, cols = 0;
};
std::vector<FeedWant> wanted_feeds(const ViewModel& m, const Controller& c, const Areas& a, int grid_top,
                                   int term_rows, int term_cols);

}  // namespace amux::view
