// view_draw.cpp — see view_draw.h.
#include "view/view_draw.h"

#include <algorithm>

#include "render/utf8.h"
#include "view/curses_put.h"
#include "view/image_draw.h"
#include "view/text_util.h"

namespace amux::view {
namespace {

Role state_role(State s) {
  switch (s) {
    case State::Starting:
    case State::Working: return Role::Working;
    case State::Blocked: return Role::Blocked;
    case State::Idle: return Role::Idle;
    case State::Done: return Role::Done;
    case State::Failed: return Role::Failed;
    case State::Stopped: return Role::Stopped;
    case State::Unreachable: return Role::Stopped;
  }
  return Role::Normal;
}

bool animates(State s) { return s == State::Working || s == State::Starting; }

std::string icon(const SessionInfo& s, int spin) {
  if (animates(s.state)) return spinner_glyph(spin);
  if (state_live(s.state)) return "✻";
  return "∙";
}

// A screen (or why there is none) under nothing, in r.
void draw_screen_area(const DrawContext& dc, const std::string& id, const Rect& r) {
  if (r.empty()) return;
  const TileFeed* f = dc.feed ? dc.feed(id) : nullptr;
  if (f && !f->image().empty()) {
    draw_image(f->image(), r, dc.pal);
    return;
  }
  std::string msg = !f ? "" : !f->error().empty() ? "(no screen: " + f->error() + ")" : "(waiting for the screen…)";
  const SessionInfo* s = dc.model.find(id);
  if (f && !f->error().empty() && s && !state_live(s->state)) msg = "(session ended; no screen kept)";
  if (!msg.empty()) put(r.y, r.x, msg, r.w, dc.pal.role(Role::Dim));
}

void draw_header(const DrawContext& dc, const Areas& a, DrawResult&) {
  const Rect& h = a.header;
  auto& pal = dc.pal;
  GroupBy gb = dc.model.group_by();
  std::string right = std::string(gb == GroupBy::State ? "by state" : gb == GroupBy::Host ? "by host" : "by directory") + " · " +
                      (dc.ctl.layout() == Layout::Rows ? "rows" : "grid");
  std::string counts = dc.model.counts_text();
  if (counts.empty()) counts = "no sessions";
  if (h.h >= 3) {
    int x = put(h.y, 0, "amux", h.w, pal.role(Role::Bold));
    put(h.y, x, " " AMUX_VERSION, h.w - x, pal.role(Role::Dim));
    int rw = display_width(right);
    if (h.w > rw + 20) put(h.y, h.w - rw, right, rw, pal.role(Role::Dim));
    put(h.y + 1, 0, dc.defaults_line, h.w, pal.role(Role::Dim));
    if (!dc.link_note.empty()) put(h.y + 2, 0, dc.link_note, h.w, pal.role(Role::Blocked));
    else put(h.y + 2, 0, counts, h.w, pal.role(Role::Normal));
  } else {
    int x = put(h.y, 0, "amux", h.w, pal.role(Role::Bold));
    x += put(h.y, x, " · ", h.w - x, pal.role(Role::Dim));
    if (!dc.link_note.empty()) put(h.y, x, dc.link_note, h.w - x, pal.role(Role::Blocked));
    else put(h.y, x, counts, h.w - x, pal.role(Role::Normal));
  }
}

void draw_rows(const DrawContext& dc, const Rect& body, DrawResult& res) {
  auto& pal = dc.pal;
  const auto& m = dc.model;
  auto lines = layout_list(m, body.h);
  const auto& sel = m.selected();
  bool by_dir = m.group_by() != GroupBy::State;
  // A remote row's name carries its host: "@build name".
  auto label = [](const SessionInfo& s) { return s.host.empty() ? s.name : "@" + s.host + " " + s.name; };
  int name_w = 0;
  for (auto& l : lines)
    if (l.kind == ListLine::Row)
      if (auto* s = m.find(l.id)) name_w = std::max(name_w, display_width(label(*s)));
  name_w = std::min(name_w + 2, std::max(12, body.w * 2 / 5));
  int y = body.y;
  for (auto& l : lines) {
    if (y >= body.y + body.h) break;
    switch (l.kind) {
      case ListLine::Empty:
        put(y, body.x + 2, l.text, body.w - 2, pal.role(Role::Dim));
        break;
      case ListLine::Blank:
        break;
      case ListLine::Header: {
        int x = put(y, body.x, l.text, body.w, pal.role(Role::Bold));
        if (m.groups()[size_t(l.group)].kind == GroupKind::Completed || by_dir)
          put(y, body.x + x, " " + std::to_string(l.count), body.w - x, pal.role(Role::Dim));
        break;
      }
      case ListLine::More:
        put(y, body.x + 4, "… " + std::to_string(l.count) + " more", body.w - 4, pal.role(Role::Dim));
        break;
      case ListLine::Row: {
        const SessionInfo* s = m.find(l.id);
        if (!s) break;
        bool is_sel = s->id == sel;
        res.hits.push_back({{y, body.x, 1, body.w}, s->id});
        if (animates(s->state)) res.animating = true;
        if (state_live(s->state)) res.live_ages = true;
        if (is_sel) put(y, body.x, "❯", 1, pal.role(Role::Selected));
        put(y, body.x + 2, icon(*s, dc.spin), 1, pal.role(state_role(s->state)));
        std::string age = short_age(s->age_ms(dc.now));
        int agew = display_width(age);
        int x = body.x + 4;
        int avail = body.w - 4;
        if (dc.ctl.mode() == Mode::Rename && dc.ctl.rename_id() == s->id) {
          const LineEdit& e = dc.ctl.rename_box();
          int w = put(y, x, e.before_caret(), avail - 1, pal.role(Role::Selected), false);
          res.cursor = true;
          res.cursor_y = y;
          res.cursor_x = x + w;
          std::string after = e.text().substr(e.before_caret().size());
          put(y, x + w, after, avail - w - 1, pal.role(Role::Selected));
          break;
        }
        int nw = std::min(name_w, avail);
        int hw = 0;
        if (!s->host.empty()) hw = put(y, x, "@" + s->host + " ", nw - 1, pal.role(Role::Dim));
        put(y, x + hw, s->name, nw - 1 - hw, pal.role(is_sel ? Role::Selected : Role::Normal));
        int detail_x = x + nw;
        int detail_w = body.x + body.w - detail_x - agew - 1;
        if (detail_w >= 4) {
          std::string d = row_detail(*s, by_dir);
          Role dr = Role::Dim;
          if (dc.ctl.armed_id() == s->id) {
            d = std::string(s->state == State::Stopped || s->alive ? "stopping · " : "") + "press " +
                dc.ctl.actions().label("remove") + " again to delete";
            dr = Role::Failed;
          } else if (s->state == State::Failed) {
            dr = Role::Failed;
          } else if (s->state == State::Blocked) {
            dr = Role::Blocked;
          }
          put(y, detail_x, d, detail_w, pal.role(dr));
        }
        if (body.w > agew + 8) put(y, body.x + body.w - agew, age, agew, pal.role(Role::Dim));
        break;
      }
    }
    y++;
  }
}

void draw_title_bar(const DrawContext& dc, const SessionInfo& s, const Rect& r, bool selected, DrawResult& res) {
  auto& pal = dc.pal;
  Style bar = pal.role(selected ? Role::TitleBarSelected : Role::TitleBar);
  fill(r.y, r.x, r.w, bar);
  std::string age = short_age(s.age_ms(dc.now));
  int x = r.x;
  x += put(r.y, x, selected ? "❯ " : "  ", r.w, bar);
  x += put(r.y, x, icon(s, dc.spin), r.x + r.w - x, bar);
  x += put(r.y, x, " ", r.x + r.w - x, bar);
  int agew = display_width(age) + 1;
  int room = r.x + r.w - x - agew;
  std::string label = s.host.empty() ? s.name : "@" + s.host + " " + s.name;
  std::string d = row_detail(s, true);  // the state, and why
  int nw = put(r.y, x, label, room, bar);
  if (room - nw > 6 && !d.empty()) put(r.y, x + nw, " · " + d, room - nw, bar);
  if (r.w > agew + 6) put(r.y, r.x + r.w - agew, age, agew, bar);
  if (animates(s.state)) res.animating = true;
  if (state_live(s.state)) res.live_ages = true;
}

void draw_grid(const DrawContext& dc, const Rect& body, DrawResult& res) {
  const auto& m = dc.model;
  const auto& order = m.order();
  if (order.empty()) {
    auto lines = layout_list(m, body.h);
    if (!lines.empty()) put(body.y, body.x + 2, lines[0].text, body.w - 2, dc.pal.role(Role::Dim));
    return;
  }
  GridGeom g = grid_geometry(body, int(order.size()));
  for (int i = 0; i < int(order.size()); i++) {
    Rect r = tile_rect(body, g, i, dc.grid_top);
    if (r.empty()) continue;
    const SessionInfo* s = m.find(order[size_t(i)]);
    if (!s) continue;
    bool sel = s->id == m.selected();
    draw_title_bar(dc, *s, {r.y, r.x, 1, r.w}, sel, res);
    draw_screen_area(dc, s->id, {r.y + 1, r.x, r.h - 1, r.w});
    res.hits.push_back({r, s->id});
  }
  int pages = grid_pages(int(order.size()), g);
  if (pages > 1) {
    std::string more = " page " + std::to_string(grid_page_of(dc.grid_top, g) + 1) + "/" + std::to_string(pages) + " ";
    int w = display_width(more);
    put(body.y + body.h - 1, body.x + body.w - w, more, w, dc.pal.role(Role::Dim));
  }
}

void draw_preview(const DrawContext& dc, const Areas& a, DrawResult& res) {
  const Rect& p = a.preview;
  if (p.empty()) return;
  auto& pal = dc.pal;
  if (p.x > 0) {
    set_style(stdscr, pal.role(Role::Rule));
    mvvline_set(p.y, p.x - 1, WACS_VLINE, p.h);
  }
  const SessionInfo* s = dc.model.find(dc.model.selected());
  if (!s) return;
  draw_title_bar(dc, *s, {p.y, p.x, 1, p.w}, false, res);
  draw_screen_area(dc, s->id, {p.y + 1, p.x, p.h - 1, p.w});
}

void draw_prompt(const DrawContext& dc, const Areas& a, DrawResult& res) {
  auto& pal = dc.pal;
  const Rect& r = a.prompt;
  hrule(r.y, 0, r.w, pal.role(Role::Rule));
  hrule(r.y + r.h - 1, 0, r.w, pal.role(Role::Rule));
  bool find = dc.ctl.mode() == Mode::Find;
  const LineEdit& e = find ? dc.ctl.find_box() : dc.ctl.prompt();
  std::string mark = find ? "⌕ " : "❯ ";
  put(r.y + 1, 0, mark, 2, pal.role(find ? Role::Accent : Role::Normal));
  int lines = r.h - 2;
  if (e.empty()) {
    std::string ph = find ? "find: a:agent  s:state  #number  url  text"
                          : "describe a task for a new session · !command runs a shell job";
    put(r.y + 1, 2, ph, r.w - 2, pal.role(Role::Placeholder));
    if (dc.ctl.mode() == Mode::Normal || find) {
      res.cursor = true;
      res.cursor_y = r.y + 1;
      res.cursor_x = 2;
    }
    return;
  }
  // Split into lines; keep the caret's line in view.
  std::string text = e.text();
  std::string before = e.before_caret();
  std::vector<std::string> ls;
  size_t p = 0;
  while (true) {
    size_t nl = text.find('\n', p);
    ls.push_back(text.substr(p, nl == std::string::npos ? std::string::npos : nl - p));
    if (nl == std::string::npos) break;
    p = nl + 1;
  }
  int caret_line = int(std::count(before.begin(), before.end(), '\n'));
  std::string caret_text = before.substr(before.rfind('\n') == std::string::npos ? 0 : before.rfind('\n') + 1);
  int first = std::max(0, caret_line - lines + 1);
  int w = r.w - 2;
  for (int i = 0; i < lines && first + i < int(ls.size()); i++) {
    const std::string& l = ls[size_t(first + i)];
    std::string shown = l;
    int cw = display_width(caret_text);
    if (first + i == caret_line && cw >= w) {
      // Scroll long lines so the caret stays visible.
      std::string tail = caret_text;
      while (display_width(tail) >= w - 1 && !tail.empty()) {
        size_t k = 1;
        while (k < tail.size() && render::utf8::is_continuation(static_cast<unsigned char>(tail[k]))) k++;
        tail.erase(0, k);
      }
      shown = "…" + tail + l.substr(caret_text.size());
      caret_text = "…" + tail;
    }
    put(r.y + 1 + i, 2, shown, w, pal.role(Role::Normal));
  }
  if (dc.ctl.mode() == Mode::Normal || find) {
    res.cursor = true;
    res.cursor_y = r.y + 1 + (caret_line - first);
    res.cursor_x = 2 + std::min(display_width(caret_text), w - 1);
  }
}

void draw_hints(const DrawContext& dc, const Areas& a) {
  auto& pal = dc.pal;
  const Rect& r = a.hints;
  if (!dc.ctl.status().empty()) {
    put(r.y, 0, dc.ctl.status(), r.w, pal.role(dc.ctl.status_error() ? Role::Error : Role::Accent));
    return;
  }
  put(r.y, 0, dc.ctl.hint_line(), r.w, pal.role(Role::Dim));
}

void draw_peek(const DrawContext& dc, DrawResult& res) {
  const SessionInfo* s = dc.model.find(dc.ctl.peek_id());
  if (!s) return;
  auto& pal = dc.pal;
  Rect r = peek_rect(LINES, COLS);
  clear_rect(r);
  draw_box(r, pal.role(Role::Rule));
  std::string title = " " + s->name + " · " + state_word(s->state) + " ";
  int x = r.x + 2;
  x += put(r.y, x, title, r.w - 4, pal.role(Role::Bold));
  if (s->state == State::Blocked && !s->waiting_for.empty())
    put(r.y, x, " " + s->waiting_for + " ", r.x + r.w - 2 - x, pal.role(Role::Blocked));
  Rect inner{r.y + 1, r.x + 1, r.h - 4, r.w - 2};
  draw_screen_area(dc, s->id, inner);
  set_style(stdscr, pal.role(Role::Rule));
  mvhline_set(r.y + r.h - 3, r.x + 1, WACS_HLINE, r.w - 2);
  const LineEdit& e = dc.ctl.reply_box();
  int ry = r.y + r.h - 2;
  put(ry, r.x + 2, "❯ ", 2, pal.role(Role::Normal));
  int w = r.w - 6;
  if (e.empty()) {
    put(ry, r.x + 4, state_live(s->state) ? "type a reply for " + s->name : "the session is not running", w,
        pal.role(Role::Placeholder));
    res.cursor_x = r.x + 4;
  } else {
    std::string before = e.before_caret();
    int bw = display_width(before);
    std::string shown = e.text();
    if (bw >= w) {
      shown = fit(before.substr(before.size() - std::min(before.size(), size_t(w))), w, false);
      bw = display_width(shown);
    }
    put(ry, r.x + 4, shown, w, pal.role(Role::Normal));
    res.cursor_x = r.x + 4 + std::min(bw, w - 1);
  }
  res.cursor = true;
  res.cursor_y = ry;
  if (animates(s->state)) res.animating = true;
}

void draw_help(const DrawContext& dc, const Areas& a) {
  auto entries = dc.ctl.help_entries();
  auto& pal = dc.pal;
  int keyw = 0;
  for (auto& [k, w] : entries) keyw = std::max(keyw, display_width(k));
  keyw = std::min(keyw, 22);
  int colw = keyw + 2 + 26;
  int inner_w = a.body.w - 2;
  int ncols = std::max(1, std::min(3, inner_w / colw));
  int nrows = (int(entries.size()) + ncols - 1) / ncols;
  int h = std::min(nrows + 2, a.body.h + a.header.h);
  int top = a.prompt.y - h;
  if (top < 0) top = 0;
  Rect box{top, 0, h, a.body.w};
  clear_rect(box);
  draw_box(box, pal.role(Role::Rule));
  put(box.y, 2, " shortcuts ", box.w - 4, pal.role(Role::Bold));
  for (int i = 0; i < int(entries.size()); i++) {
    int col = i / nrows, row = i % nrows;
    int y = box.y + 1 + row;
    if (y >= box.y + box.h - 1) continue;
    int x = 2 + col * colw;
    put(y, x, entries[size_t(i)].first, keyw, pal.role(Role::Accent));
    put(y, x + keyw + 2, entries[size_t(i)].second, std::min(colw - keyw - 3, box.w - (x + keyw + 2) - 1),
        pal.role(Role::Normal));
  }
}

}  // namespace

const char* spinner_glyph(int frame) {
  static const char* frames[] = {"·", "✢", "✳", "✶", "✻", "✽", "✻", "✶", "✳", "✢"};
  return frames[(frame < 0 ? 0 : frame) % 10];
}

DrawResult draw_view(const DrawContext& dc, const Areas& a) {
  DrawResult res;
  if (a.too_small) {
    put(0, 0, "amux: the terminal is too small", COLS, dc.pal.role(Role::Bold));
    return res;
  }
  draw_header(dc, a, res);
  bool loading = !dc.link_note.empty() && dc.model.sessions().empty();
  if (loading) {
    // Nothing to show yet: no "no sessions" flash before the first list.
  } else if (dc.ctl.layout() == Layout::Grid) {
    draw_grid(dc, a.body, res);
  } else {
    draw_rows(dc, a.body, res);
  }
  draw_preview(dc, a, res);
  draw_prompt(dc, a, res);
  draw_hints(dc, a);
  if (dc.ctl.mode() == Mode::Help) draw_help(dc, a);
  if (dc.ctl.mode() == Mode::Peek) {
    res.hits.clear();
    draw_peek(dc, res);
  }
  if (dc.ctl.mode() == Mode::Rename && !res.cursor) res.cursor = false;
  return res;
}

std::vector<FeedWant> wanted_feeds(const ViewModel& m, const Controller& c, const Areas& a, int grid_top,
                                   int term_rows, int term_cols) {
  std::vector<FeedWant> out;
  if (a.too_small) return out;
  if (c.mode() == Mode::Peek && m.find(c.peek_id())) {
    Rect r = peek_rect(term_rows, term_cols);
    out.push_back({c.peek_id(), std::max(1, r.h - 4), std::max(1, r.w - 2)});
  }
  if (c.layout() == Layout::Grid) {
    const auto& order = m.order();
    GridGeom g = grid_geometry(a.body, int(order.size()));
    for (int i = 0; i < int(order.size()); i++) {
      Rect r = tile_rect(a.body, g, i, grid_top);
      if (r.empty() || r.h < 2) continue;
      if (!out.empty() && out[0].id == order[size_t(i)]) continue;
      out.push_back({order[size_t(i)], r.h - 1, r.w});
    }
  } else if (!a.preview.empty() && !m.selected().empty() && m.find(m.selected())) {
    if (out.empty() || out[0].id != m.selected())
      out.push_back({m.selected(), std::max(1, a.preview.h - 1), a.preview.w});
  }
  return out;
}

}  // namespace amux::view
