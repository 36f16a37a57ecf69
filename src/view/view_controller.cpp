// view_controller.cpp — see view_controller.h.
#include "view/view_controller.h"

#include <algorithm>

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

bool Controller::common_action(const std::string& a, std::vector<Effect>& out, int64_t now) {
  const std::string sel = m_.selected();
  const SessionInfo* s = sel.empty() ? nullptr : m_.find(sel);
  bool grid = layout_ == Layout::Grid;
  if (a == "up") { move(grid ? -grid_columns_ : -1); return true; }
  if (a == "down") { move(grid ? grid_columns_ : 1); return true; }
  if (a == "tile-left" && grid) { move(-1); return true; }
  if (a == "tile-right" && grid) { move(1); return true; }
  if (a == "group-up") { if (m_.jump_group(-1)) changed(); return true; }
  if (a == "group-down") { if (m_.jump_group(1)) changed(); return true; }
  if (a == "open") {
    if (s) out.push_back({Effect::Attach, s->id});
    return true;
  }
  if (a == "pin") {
    if (s) out.push_back({s->pinned ? Effect::Unpin : Effect::Pin, s->id});
    return true;
  }
  if (a == "rename") {
    if (!s) return true;
    rename_id_ = s->id;
    rename_.set(s->name);
    mode_ = Mode::Rename;
    return true;
  }
  if (a == "remove") {
    if (s) remove_pressed(s->id, out, now);
    return true;
  }
  if (a == "group-by") {
    m_.set_group_by(m_.group_by() == GroupBy::State ? GroupBy::Directory : GroupBy::State);
    out.push_back({Effect::SavePrefs});
    return true;
  }
  if (a == "layout") {
    layout_ = grid ? Layout::Rows : Layout::Grid;
    return true;
  }
  if (a == "suspend") {
    out.push_back({Effect::Suspend});
    return true;
  }
  return false;
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
  e.attach = attach;
  out.push_back(std::move(e));
  prompt_.clear();
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
    if (has(acts, "submit-attach")) { dispatch(true, out, now); return out; }
    if (has(acts, "submit")) { dispatch(false, out, now); return out; }
    if (has(acts, "newline")) { prompt_.insert("\n"); return out; }
    if (has(acts, "cancel")) {
      cleared_ = prompt_.text();
      prompt_.clear();
      set_status("Cleared · " + actions_.label("restore") + " to restore", false, now);
      return out;
    }
    if (prompt_.edit_key(ev.bytes)) return out;
  } else if (ev.bytes == "\x7f" || ev.bytes == "\b") {
    return out;  // backspace on an empty prompt does nothing
  }
  if (has(acts, "restore") && !cleared_.empty()) {
    prompt_.set(cleared_);
    cleared_.clear();
    return out;
  }
  if (has(acts, "find")) {
    find_.set(prompt_.text());
    prompt_.clear();
    mode_ = Mode::Find;
    m_.set_filter(find_.text());
    return out;
  }
  if (has(acts, "help")) { mode_ = Mode::Help; return out; }
  if (has(acts, "peek")) {
    if (!m_.selected().empty()) {
      peek_id_ = m_.selected();
      reply_.clear();
      mode_ = Mode::Peek;
    }
    return out;
  }
  if (int n = open_index(acts)) {
    std::string id = m_.nth(n - 1);
    if (!id.empty()) {
      m_.select(id);
      out.push_back({Effect::Attach, id});
    }
    return out;
  }
  if (has(acts, "cancel")) {
    if (!armed_id_.empty()) { armed_id_.clear(); return out; }
    if (!status_.empty()) { status_.clear(); return out; }
    out.push_back({Effect::Quit});
    return out;
  }
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
  if (has(acts, "cancel")) {
    if (!reply_.empty()) reply_.clear();
    else mode_ = Mode::Normal;
    return out;
  }
  if (has(acts, "submit")) {
    if (reply_.empty()) {
      out.push_back({Effect::Attach, peek_id_});
      mode_ = Mode::Normal;
    } else {
      out.push_back({Effect::Reply, peek_id_, reply_.text()});
      reply_.clear();
    }
    return out;
  }
  if (has(acts, "up") || has(acts, "down")) {
    m_.select(peek_id_);
    move(has(acts, "up") ? -1 : 1);
    peek_id_ = m_.selected();
    reply_.clear();
    return out;
  }
  if (has(acts, "peek")) {  // a non-text peek key closes
    mode_ = Mode::Normal;
    return out;
  }
  if (has(acts, "remove")) {
    remove_pressed(peek_id_, out, now);
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

std::string Controller::hint_line() const {
  auto L = [&](const char* a) { return actions_.label(a); };
  const SessionInfo* sel = m_.selected().empty() ? nullptr : m_.find(m_.selected());
  switch (mode_) {
    case Mode::Find:
      if (!armed_id_.empty()) return L("remove") + " again to delete · " + L("cancel") + " to keep";
      return L("submit") + " to attach · " + L("cancel") + " to clear · a: agent  s: state  #n  url  text";
    case Mode::Rename:
      return L("submit") + " to save · " + L("cancel") + " to cancel";
    case Mode::Peek:
      if (!armed_id_.empty()) return L("remove") + " again to delete · " + L("cancel") + " to keep";
      if (reply_.empty())
        return L("submit") + " to attach · type a reply · ↑/↓ for neighbours · " + L("cancel") + " to close";
      return L("submit") + " to send · ↑/↓ for neighbours · " + L("cancel") + " to clear";
    case Mode::ConfirmDelete: {
      const SessionInfo* s = m_.find(armed_id_);
      std::string wt = s ? s->worktree : std::string();
      return "Delete it and its worktree " + wt + " with any uncommitted work? " + L("submit") +
             " to delete · " + L("cancel") + " to keep";
    }
    case Mode::Help:
      return L("help") + " to close";
    default:
      break;
  }
  if (!armed_id_.empty()) {
    const SessionInfo* s = m_.find(armed_id_);
    std::string pre = s && (s->state == State::Stopped) ? "stopped · " : "";
    return pre + L("remove") + " again to delete · " + L("cancel") + " to keep";
  }
  if (!prompt_.empty()) {
    std::string t = prompt_.text();
    std::string what = t[0] == '!' ? "run the shell job" : "start";
    return L("submit") + " to " + what + " · " + L("submit-attach") + " to " + what + " and attach · " +
           L("newline") + " for a new line · " + L("cancel") + " to clear";
  }
  if (!sel) return "type a task · !command for a shell job · " + L("help") + " for shortcuts";
  return L("open") + (returned_ ? " to return · " : " to attach · ") + L("peek") + " to peek · " +
         L("remove") + (sel->alive || state_live(sel->state) ? " to stop" : " to delete") + " · " +
         L("help") + " for shortcuts";
}

std::vector<std::pair<std::string, std::string>> Controller::help_entries() const {
  static const std::vector<std::pair<const char*, const char*>> what = {
      {"up", "move up"},
      {"down", "move down"},
      {"group-up", "previous group"},
      {"group-down", "next group"},
      {"open", "attach"},
      {"open-1", "attach the nth session"},
      {"peek", "peek and reply"},
      {"pin", "pin to top"},
      {"rename", "rename"},
      {"remove", "stop, again to delete"},
      {"group-by", "by state / by directory"},
      {"layout", "rows / grid"},
      {"find", "find"},
      {"submit", "start a session"},
      {"submit-attach", "start and attach"},
      {"newline", "new line"},
      {"restore", "restore cleared text"},
      {"suspend", "suspend"},
      {"redraw", "redraw"},
      {"help", "shortcuts"},
      {"cancel", "clear, close, quit"},
  };
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& [a, w] : what) {
    auto labels = actions_.labels(a);
    if (labels.empty()) continue;
    std::string keys;
    for (auto& l : labels) keys += (keys.empty() ? "" : "/") + l;
    if (std::string(a) == "open-1") {
      auto last = actions_.labels("open-9");
      if (!last.empty()) keys += "…" + last[0].substr(last[0].size() - 1);
    }
    out.push_back({keys, w});
  }
  return out;
}

}  // namespace amux::view
