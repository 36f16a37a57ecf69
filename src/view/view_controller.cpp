// view_controller.cpp — see view_controller.h.
#include "view/view_controller.h"

#include <algorithm>
#include <map>

#include "view/prompt_parse.h"

namespace amux::view {
namespace {

bool has(const std::vector<std::string>& acts, const char* a) {
  return std::find(acts.begin(), acts.end(), a) != acts.end();
}

// "open-3" → 3, else 0.
int open_index(const std::vector<std::string>& acts) {
  for (auto& a : acts)
    if (a.size() == 6 && a.rfind("open-", 0) == 0 && a[5] >= '1' && a[5] <= '9') return a[5] - '0';
  return 0;
}

}  // namespace

Controller::Controller(ViewModel& model, const keymap::KeymapTable& keys, ViewDefaults defaults,
                       std::function<bool(const std::string&)> is_dir)
    : m_(model), actions_(keys, "view"), defaults_(std::move(defaults)), is_dir_(std::move(is_dir)) {}

void Controller::set_status(const std::string& text, bool error, int64_t now) {
  status_ = text;
  status_error_ = error;
  status_until_ = text.empty() ? 0 : now + kStatusMs;
  changed();
}

bool Controller::tick(int64_t now) {
  bool c = false;
  // The session under an overlay may be gone (deleted, reaped).
  if ((mode_ == Mode::Peek && !m_.find(peek_id_)) || (mode_ == Mode::Rename && !m_.find(rename_id_)) ||
      (mode_ == Mode::ConfirmDelete && !m_.find(armed_id_))) {
    mode_ = Mode::Normal;
    reply_.clear();
    c = true;
  }
  if (!armed_id_.empty() && mode_ != Mode::ConfirmDelete && now >= armed_until_) {
    armed_id_.clear();
    c = true;
  }
  if (!status_.empty() && status_until_ && now >= status_until_) {
    status_.clear();
    status_until_ = 0;
    c = true;
  }
  if (c) changed();
  return c;
}

int64_t Controller::next_deadline() const {
  int64_t d = 0;
  if (!armed_id_.empty() && mode_ != Mode::ConfirmDelete) d = armed_until_;
  if (!status_.empty() && status_until_ && (!d || status_until_ < d)) d = status_until_;
  return d;
}

void Controller::move(int delta) {
  if (m_.move(delta)) changed();
}

void Controller::on_wheel(int delta) {
  move(delta);
  if (mode_ == Mode::Peek) peek_id_ = m_.selected();
}

std::vector<Effect> Controller::on_click(const std::string& id, int64_t now) {
  std::vector<Effect> out;
  if (id.empty() || !m_.find(id)) return out;
  if (mode_ == Mode::Help) mode_ = Mode::Normal;
  bool dbl = last_click_id_ == id && now - last_click_at_ <= kDoubleClickMs;
  m_.select(id);
  changed();
  last_click_id_ = id;
  last_click_at_ = now;
  if (mode_ == Mode::Peek) peek_id_ = id;
  if (dbl) {
    last_click_id_.clear();
    out.push_back({Effect::Attach, id});
  }
  return out;
}

std::vector<Effect> Controller::on_input(const InputEvent& ev, int64_t now) {
  std::vector<Effect> out;
  if (ev.kind == InputEvent::Mouse) return out;  // the view resolves clicks to rows
  auto acts = actions_.actions(ev);
  if (actions_.waiting_chord()) return out;
  changed();
  if (!status_.empty() && !status_error_) { status_.clear(); status_until_ = 0; }
  if (has(acts, "redraw")) {
    out.push_back({Effect::Redraw});
    return out;
  }
  if (mode_ == Mode::Help) {
    mode_ = Mode::Normal;
    if (has(acts, "help") || has(acts, "cancel")) return out;
  }
  if (ev.kind == InputEvent::Paste) {
    switch (mode_) {
      case Mode::Find: find_.insert(ev.text); m_.set_filter(find_.text()); break;
      case Mode::Rename: rename_.insert(ev.text); break;
      case Mode::Peek: reply_.insert(ev.text); break;
      case Mode::ConfirmDelete: break;
      default: prompt_.insert(ev.text); break;
    }
    return out;
  }
  switch (mode_) {
    case Mode::Find: return find_key(ev, acts, now);
    case Mode::Rename: return rename_key(ev, acts);
    case Mode::Peek: return peek_key(ev, acts, now);
    case Mode::ConfirmDelete: return confirm_key(acts);
    default: return normal_key(ev, acts, now);
  }
}

// The actions that work on the selection in Normal and Find, one handler
// each. A handler returns false when its action does not apply here (a tile
// move outside the grid), so the key's next action may.
bool Controller::common_action(const std::string& a, std::vector<Effect>& out, int64_t now) {
  struct Ctx {
    Controller& c;
    const SessionInfo* s;  // the selection, or null
    bool grid;
    std::vector<Effect>& out;
    int64_t now;
  };
  using Handler = bool (*)(Ctx&);
  static const std::map<std::string, Handler, std::less<>> kHandlers = {
      {"up", [](Ctx& x) { x.c.move(x.grid ? -x.c.grid_columns_ : -1); return true; }},
      {"down", [](Ctx& x) { x.c.move(x.grid ? x.c.grid_columns_ : 1); return true; }},
      {"tile-left", [](Ctx& x) { if (x.grid) x.c.move(-1); return x.grid; }},
      {"tile-right", [](Ctx& x) { if (x.grid) x.c.move(1); return x.grid; }},
      {"group-up", [](Ctx& x) { if (x.c.m_.jump_group(-1)) x.c.changed(); return true; }},
      {"group-down", [](Ctx& x) { if (x.c.m_.jump_group(1)) x.c.changed(); return true; }},
      {"open", [](Ctx& x) {
         if (x.s) x.out.push_back({Effect::Attach, x.s->id});
         return true;
       }},
      {"pin", [](Ctx& x) {
         if (x.s) x.out.push_back({x.s->pinned ? Effect::Unpin : Effect::Pin, x.s->id});
         return true;
       }},
      {"rename", [](Ctx& x) {
         if (!x.s) return true;
         x.c.rename_id_ = x.s->id;
         x.c.rename_.set(x.s->name);
         x.c.mode_ = Mode::Rename;
         return true;
       }},
      {"remove", [](Ctx& x) {
         if (x.s) x.c.remove_pressed(x.s->id, x.out, x.now);
         return true;
       }},
      {"group-by", [](Ctx& x) {
         // state → directory → host (host only when some row is on another machine) → state
         bool remote = false;
         for (auto& [id, s] : x.c.m_.sessions()) remote |= !s.host.empty();
         GroupBy g = x.c.m_.group_by();
         x.c.m_.set_group_by(g == GroupBy::State                ? GroupBy::Directory
                             : g == GroupBy::Directory && remote ? GroupBy::Host
                                                                 : GroupBy::State);
         x.out.push_back({Effect::SavePrefs});
         return true;
       }},
      {"layout", [](Ctx& x) {
         x.c.layout_ = x.grid ? Layout::Rows : Layout::Grid;
         return true;
       }},
      {"suspend", [](Ctx& x) {
         x.out.push_back({Effect::Suspend});
         return true;
       }},
      {"diff", [](Ctx& x) {
         if (x.s) x.out.push_back({Effect::Diff, x.s->id});
         return true;
       }},
  };
  auto it = kHandlers.find(a);
  if (it == kHandlers.end()) return false;
  const std::string sel = m_.selected();
  Ctx x{*this, sel.empty() ? nullptr : m_.find(sel), layout_ == Layout::Grid, out, now};
  return it->second(x);
}

void Controller::remove_pressed(const std::string& id, std::vector<Effect>& out, int64_t now) {
  const SessionInfo* s = m_.find(id);
  if (!s) return;
  if (armed_id_ == id && now < armed_until_) {
    if (!s->worktree.empty()) {
      mode_ = Mode::ConfirmDelete;
      return;
    }
    out.push_back({Effect::Remove, id});
    armed_id_.clear();
    return;
  }
  armed_id_ = id;
  armed_until_ = now + kRemoveArmMs;
  if (s->alive || state_live(s->state)) out.push_back({Effect::Stop, id});
}

void Controller::dispatch(bool attach, std::vector<Effect>& out, int64_t now) {
  auto p = parse_prompt(prompt_.text(), defaults_, is_dir_);
  if (!p.error.empty()) {
    set_status(p.error, true, now);
    return;
  }
  Effect e{Effect::Dispatch};
  e.session = std::move(p.request);
  e.host = p.host;
  e.attach = attach;
  out.push_back(std::move(e));
  prompt_.clear();
}

// One handler per action of the prompt box while it holds text, strongest
// first (one key may serve several actions).
bool Controller::prompt_action(const std::vector<std::string>& acts, std::vector<Effect>& out, int64_t now) {
  using Handler = void (*)(Controller&, std::vector<Effect>&, int64_t);
  static const std::pair<const char*, Handler> kHandlers[] = {
      {"submit-attach", [](Controller& c, std::vector<Effect>& out, int64_t now) { c.dispatch(true, out, now); }},
      {"submit", [](Controller& c, std::vector<Effect>& out, int64_t now) { c.dispatch(false, out, now); }},
      {"newline", [](Controller& c, std::vector<Effect>&, int64_t) { c.prompt_.insert("\n"); }},
      {"cancel", [](Controller& c, std::vector<Effect>&, int64_t now) {
         c.cleared_ = c.prompt_.text();
         c.prompt_.clear();
         c.set_status("Cleared · " + c.actions_.label("restore") + " to restore", false, now);
       }},
  };
  for (const auto& [name, run] : kHandlers)
    if (has(acts, name)) {
      run(*this, out, now);
      return true;
    }
  return false;
}

// One handler per Normal-mode action, strongest first; a handler returns
// false when its action does not apply (nothing to restore), so the next may.
bool Controller::normal_action(const std::vector<std::string>& acts, std::vector<Effect>& out, int64_t now) {
  using Handler = bool (*)(Controller&, const char* action, std::vector<Effect>&);
  auto open_nth = [](Controller& c, const char* action, std::vector<Effect>& out) {
    std::string id = c.m_.nth(action[5] - '1');  // "open-3" → the 3rd listed
    if (!id.empty()) {
      c.m_.select(id);
      out.push_back({Effect::Attach, id});
    }
    return true;
  };
  static const std::pair<const char*, Handler> kHandlers[] = {
      {"restore", [](Controller& c, const char*, std::vector<Effect>&) {
         if (c.cleared_.empty()) return false;
         c.prompt_.set(c.cleared_);
         c.cleared_.clear();
         return true;
       }},
      {"find", [](Controller& c, const char*, std::vector<Effect>&) {
         c.find_.set(c.prompt_.text());
         c.prompt_.clear();
         c.mode_ = Mode::Find;
         c.m_.set_filter(c.find_.text());
         return true;
       }},
      {"help", [](Controller& c, const char*, std::vector<Effect>&) {
         c.mode_ = Mode::Help;
         return true;
       }},
      {"peek", [](Controller& c, const char*, std::vector<Effect>&) {
         if (!c.m_.selected().empty()) {
           c.peek_id_ = c.m_.selected();
           c.reply_.clear();
           c.mode_ = Mode::Peek;
         }
         return true;
       }},
      {"open-1", open_nth}, {"open-2", open_nth}, {"open-3", open_nth},
      {"open-4", open_nth}, {"open-5", open_nth}, {"open-6", open_nth},
      {"open-7", open_nth}, {"open-8", open_nth}, {"open-9", open_nth},
      {"cancel", [](Controller& c, const char*, std::vector<Effect>& out) {
         if (!c.armed_id_.empty()) c.armed_id_.clear();
         else if (!c.status_.empty()) c.status_.clear();
         else out.push_back({Effect::Quit});
         return true;
       }},
  };
  (void)now;
  for (const auto& [name, run] : kHandlers)
    if (has(acts, name) && run(*this, name, out)) return true;
  return false;
}

std::vector<Effect> Controller::normal_key(const InputEvent& ev, const std::vector<std::string>& acts,
                                           int64_t now) {
  std::vector<Effect> out;
  if (ev.kind == InputEvent::Text && (!prompt_.empty() || acts.empty())) {
    // Typing. A printable key bound to an action (?, Space) acts only while
    // the prompt is empty.
    prompt_.insert(ev.text);
    if (looks_like_filter(prompt_.text())) {
      find_.set(prompt_.text());
      prompt_.clear();
      mode_ = Mode::Find;
      m_.set_filter(find_.text());
    }
    return out;
  }
  if (!prompt_.empty()) {
    if (prompt_action(acts, out, now)) return out;
    if (prompt_.edit_key(ev.bytes)) return out;
  } else if (ev.bytes == "\x7f" || ev.bytes == "\b") {
    return out;  // backspace on an empty prompt does nothing
  }
  if (normal_action(acts, out, now)) return out;
  // In the grid ←/→ move between tiles; in rows → opens.
  std::vector<std::string> ordered = acts;
  if (layout_ == Layout::Grid)
    std::stable_sort(ordered.begin(), ordered.end(), [](const std::string& a, const std::string& b) {
      return (a.rfind("tile-", 0) == 0) > (b.rfind("tile-", 0) == 0);
    });
  for (auto& a : ordered)
    if (common_action(a, out, now)) return out;
  return out;
}

void Controller::close_find() {
  find_.clear();
  m_.set_filter("");
  mode_ = Mode::Normal;
}

std::vector<Effect> Controller::find_key(const InputEvent& ev, const std::vector<std::string>& acts,
                                         int64_t now) {
  std::vector<Effect> out;
  if (ev.kind == InputEvent::Text) {
    find_.insert(ev.text);
    m_.set_filter(find_.text());
    return out;
  }
  if (has(acts, "cancel") || has(acts, "find")) {
    if (!armed_id_.empty() && has(acts, "cancel")) { armed_id_.clear(); return out; }
    close_find();
    return out;
  }
  if (has(acts, "submit") || (has(acts, "open") && !has(acts, "tile-right"))) {
    if (!m_.selected().empty() && m_.find(m_.selected()) && !m_.order().empty())
      out.push_back({Effect::Attach, m_.selected()});
    return out;
  }
  if ((ev.bytes == "\x7f" || ev.bytes == "\b") && find_.empty()) {
    close_find();
    return out;
  }
  if (find_.edit_key(ev.bytes)) {
    m_.set_filter(find_.text());
    return out;
  }
  if (int n = open_index(acts)) {
    std::string id = m_.nth(n - 1);
    if (!id.empty()) out.push_back({Effect::Attach, id});
    return out;
  }
  for (auto& a : acts)
    if (common_action(a, out, now)) return out;
  return out;
}

std::vector<Effect> Controller::rename_key(const InputEvent& ev, const std::vector<std::string>& acts) {
  std::vector<Effect> out;
  if (ev.kind == InputEvent::Text) {
    rename_.insert(ev.text);
    return out;
  }
  if (has(acts, "submit")) {
    std::string name = rename_.text();
    size_t b = name.find_first_not_of(' ');
    name = b == std::string::npos ? "" : name.substr(b, name.find_last_not_of(' ') - b + 1);
    const SessionInfo* s = m_.find(rename_id_);
    if (!name.empty() && s && name != s->name) out.push_back({Effect::Rename, rename_id_, name});
    mode_ = Mode::Normal;
    rename_id_.clear();
    return out;
  }
  if (has(acts, "cancel")) {
    mode_ = Mode::Normal;
    rename_id_.clear();
    return out;
  }
  rename_.edit_key(ev.bytes);
  return out;
}

std::vector<Effect> Controller::peek_key(const InputEvent& ev, const std::vector<std::string>& acts,
                                         int64_t now) {
  std::vector<Effect> out;
  if (ev.kind == InputEvent::Text) {
    if (reply_.empty() && has(acts, "peek")) {
      mode_ = Mode::Normal;
      return out;
    }
    reply_.insert(ev.text);
    return out;
  }
  // One handler per Peek action, strongest first.
  using Handler = void (*)(Controller&, std::vector<Effect>&, int64_t);
  static constexpr auto step = [](Controller& c, int delta) {
    c.m_.select(c.peek_id_);
    c.move(delta);
    c.peek_id_ = c.m_.selected();
    c.reply_.clear();
  };
  static const std::pair<const char*, Handler> kHandlers[] = {
      {"cancel", [](Controller& c, std::vector<Effect>&, int64_t) {
         if (!c.reply_.empty()) c.reply_.clear();
         else c.mode_ = Mode::Normal;
       }},
      {"submit", [](Controller& c, std::vector<Effect>& out, int64_t) {
         if (c.reply_.empty()) {
           out.push_back({Effect::Attach, c.peek_id_});
           c.mode_ = Mode::Normal;
         } else {
           out.push_back({Effect::Reply, c.peek_id_, c.reply_.text()});
           c.reply_.clear();
         }
       }},
      {"up", [](Controller& c, std::vector<Effect>&, int64_t) { step(c, -1); }},
      {"down", [](Controller& c, std::vector<Effect>&, int64_t) { step(c, 1); }},
      // A non-text peek key closes.
      {"peek", [](Controller& c, std::vector<Effect>&, int64_t) { c.mode_ = Mode::Normal; }},
      {"remove", [](Controller& c, std::vector<Effect>& out, int64_t now) { c.remove_pressed(c.peek_id_, out, now); }},
      {"diff", [](Controller& c, std::vector<Effect>& out, int64_t) { out.push_back({Effect::Diff, c.peek_id_}); }},
  };
  for (const auto& [name, run] : kHandlers)
    if (has(acts, name)) {
      run(*this, out, now);
      return out;
    }
  reply_.edit_key(ev.bytes);
  return out;
}

std::vector<Effect> Controller::confirm_key(const std::vector<std::string>& acts) {
  std::vector<Effect> out;
  if (has(acts, "submit") || has(acts, "remove")) {
    Effect e{Effect::Remove, armed_id_};
    e.discard_worktree = true;
    out.push_back(std::move(e));
  }
  armed_id_.clear();
  mode_ = Mode::Normal;
  return out;
}

}  // namespace amux::view
