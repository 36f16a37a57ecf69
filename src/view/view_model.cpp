// view_model.cpp — see view_model.h.
#include "view/view_model.h"

#include <algorithm>

#include "view/text_util.h"

namespace amux::view {

void ViewModel::dirty() {
  stale_ = true;
  version_++;
}

void ViewModel::set_all(std::vector<SessionInfo> sessions) { set_host("", std::move(sessions)); }

void ViewModel::set_host(const std::string& host, std::vector<SessionInfo> sessions) {
  std::map<std::string, SessionInfo> next;
  for (auto& [id, s] : sessions_)
    if (s.host != host) next[id] = s;
  for (auto& s : sessions) {
    std::string id = s.id;
    next[id] = std::move(s);
  }
  if (next == sessions_) return;
  sessions_ = std::move(next);
  dirty();
}

std::optional<State> ViewModel::upsert(SessionInfo s) {
  auto it = sessions_.find(s.id);
  std::optional<State> prev;
  if (it != sessions_.end()) {
    prev = it->second.state;
    if (it->second == s) return prev;
    it->second = std::move(s);
  } else {
    std::string id = s.id;
    sessions_[id] = std::move(s);
  }
  dirty();
  return prev;
}

bool ViewModel::remove(const std::string& id) {
  if (!sessions_.erase(id)) return false;
  dirty();
  return true;
}

const SessionInfo* ViewModel::find(const std::string& id) const {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

void ViewModel::set_group_by(GroupBy g) {
  if (g == group_by_) return;
  group_by_ = g;
  dirty();
}

void ViewModel::set_filter(const std::string& query) {
  if (query == filter_.query()) return;
  filter_ = FindFilter(query);
  dirty();
}

void ViewModel::set_home_dir(const std::string& dir) {
  if (dir == home_dir_) return;
  home_dir_ = dir;
  dirty();
}

namespace {

int64_t finish_time(const SessionInfo& s) {
  return s.finished_at ? s.finished_at : s.updated_at;
}

bool by_creation(const SessionInfo* a, const SessionInfo* b) {
  if (a->created_at != b->created_at) return a->created_at < b->created_at;
  return a->id < b->id;
}

bool newest_finished(const SessionInfo* a, const SessionInfo* b) {
  int64_t fa = finish_time(*a), fb = finish_time(*b);
  if (fa != fb) return fa > fb;
  return a->id < b->id;
}

}  // namespace

void ViewModel::rebuild() const {
  if (!stale_) return;
  stale_ = false;
  groups_.clear();
  std::vector<const SessionInfo*> shown;
  for (auto& [id, s] : sessions_)
    if (filter_.matches(s)) shown.push_back(&s);

  Group pinned{GroupKind::Pinned, "Pinned", {}};
  for (auto* s : shown)
    if (s->pinned) pinned.rows.push_back(s);
  std::sort(pinned.rows.begin(), pinned.rows.end(), by_creation);
  if (!pinned.rows.empty()) groups_.push_back(std::move(pinned));

  if (group_by_ == GroupBy::State) {
    Group needs{GroupKind::NeedsInput, "Needs input", {}};
    Group working{GroupKind::Working, "Working", {}};
    Group completed{GroupKind::Completed, "Completed", {}};
    Group unreachable{GroupKind::Directory, "Unreachable", {}};
    for (auto* s : shown) {
      if (s->pinned) continue;
      switch (s->state) {
        case State::Unreachable: unreachable.rows.push_back(s); break;
        case State::Blocked: needs.rows.push_back(s); break;
        case State::Starting:
        case State::Working: working.rows.push_back(s); break;
        default: completed.rows.push_back(s); break;
      }
    }
    std::sort(needs.rows.begin(), needs.rows.end(), by_creation);
    std::sort(working.rows.begin(), working.rows.end(), by_creation);
    std::sort(completed.rows.begin(), completed.rows.end(), newest_finished);
    std::sort(unreachable.rows.begin(), unreachable.rows.end(), by_creation);
    for (auto* g : {&needs, &working, &completed, &unreachable})
      if (!g->rows.empty()) groups_.push_back(std::move(*g));
  } else if (group_by_ == GroupBy::Host) {
    std::map<std::string, std::vector<const SessionInfo*>> hosts;
    for (auto* s : shown)
      if (!s->pinned) hosts[s->host].push_back(s);
    for (auto& [h, rows] : hosts) {  // "" (this machine) sorts first
      Group g{GroupKind::Directory, h.empty() ? "this machine" : "@" + h, rows};
      std::sort(g.rows.begin(), g.rows.end(), by_creation);
      groups_.push_back(std::move(g));
    }
  } else {
    // A remote directory is another machine's: grouped as HOST:DIR.
    std::map<std::string, std::vector<const SessionInfo*>> dirs;
    for (auto* s : shown)
      if (!s->pinned) dirs[s->host.empty() ? s->cwd : s->host + ":" + s->cwd].push_back(s);
    std::vector<std::string> keys;
    for (auto& [d, v] : dirs) keys.push_back(d);
    std::stable_sort(keys.begin(), keys.end(), [&](const std::string& a, const std::string& b) {
      return (a == home_dir_) > (b == home_dir_);
    });
    for (auto& d : keys) {
      Group g{GroupKind::Directory, tilde_path(d.empty() ? "(unknown directory)" : d), dirs[d]};
      std::sort(g.rows.begin(), g.rows.end(), by_creation);
      groups_.push_back(std::move(g));
    }
  }
  order_.clear();
  for (auto& g : groups_)
    for (auto* s : g.rows) order_.push_back(s->id);
  fix_selection();
}

void ViewModel::fix_selection() const {
  if (order_.empty()) return;  // keep the id: it may come back
  auto it = std::find(order_.begin(), order_.end(), selected_);
  if (it != order_.end()) {
    last_index_ = int(it - order_.begin());
    return;
  }
  int i = std::clamp(last_index_, 0, int(order_.size()) - 1);
  selected_ = order_[size_t(i)];
  last_index_ = i;
}

const std::vector<Group>& ViewModel::groups() const {
  rebuild();
  return groups_;
}

const std::vector<std::string>& ViewModel::order() const {
  rebuild();
  return order_;
}

Counts ViewModel::counts() const {
  Counts c;
  for (auto& [id, s] : sessions_) {
    c.total++;
    switch (s.state) {
      case State::Blocked: c.blocked++; break;
      case State::Starting:
      case State::Working: c.working++; break;
      case State::Failed: c.failed++; c.completed++; break;
      default: c.completed++; break;
    }
  }
  return c;
}

std::string ViewModel::counts_text() const {
  Counts c = counts();
  std::string out;
  auto add = [&](int n, const char* what) {
    if (!n) return;
    if (!out.empty()) out += " · ";
    out += std::to_string(n) + " " + what;
  };
  add(c.blocked, "awaiting input");
  add(c.working, "working");
  add(c.completed, "completed");
  return out;
}

const std::string& ViewModel::selected() const {
  rebuild();
  return selected_;
}

void ViewModel::select(const std::string& id) {
  rebuild();
  auto it = std::find(order_.begin(), order_.end(), id);
  if (it == order_.end()) return;
  if (selected_ != id) version_++;
  selected_ = id;
  last_index_ = int(it - order_.begin());
}

int ViewModel::selected_index() const {
  rebuild();
  auto it = std::find(order_.begin(), order_.end(), selected_);
  return it == order_.end() ? -1 : int(it - order_.begin());
}

bool ViewModel::move(int delta) {
  rebuild();
  if (order_.empty()) return false;
  int i = selected_index();
  if (i < 0) i = 0;
  int j = std::clamp(i + delta, 0, int(order_.size()) - 1);
  if (order_[size_t(j)] == selected_) return false;
  select(order_[size_t(j)]);
  return true;
}

int ViewModel::group_of(const std::string& id) const {
  rebuild();
  for (size_t g = 0; g < groups_.size(); g++)
    for (auto* s : groups_[g].rows)
      if (s->id == id) return int(g);
  return -1;
}

bool ViewModel::jump_group(int delta) {
  rebuild();
  if (groups_.empty()) return false;
  int g = group_of(selected_);
  if (g < 0) g = 0;
  int target = g + delta;
  if (delta < 0 && g >= 0) {
    // From inside a group, going up first lands on that group's top row.
    const auto& rows = groups_[size_t(g)].rows;
    if (!rows.empty() && rows.front()->id != selected_) target = g;
  }
  if (target < 0 || target >= int(groups_.size())) return false;
  const auto& rows = groups_[size_t(target)].rows;
  if (rows.empty() || rows.front()->id == selected_) return false;
  select(rows.front()->id);
  return true;
}

std::string ViewModel::nth(int index) const {
  rebuild();
  if (index < 0 || index >= int(order_.size())) return "";
  return order_[size_t(index)];
}

// ---- folding ----

namespace {

// Fold priority: lower folds first.
int fold_rank(GroupKind k) {
  switch (k) {
    case GroupKind::Completed: return 0;
    case GroupKind::Directory: return 1;
    case GroupKind::Working: return 2;
    case GroupKind::NeedsInput: return 3;
    case GroupKind::Pinned: return 4;
  }
  return 5;
}

struct Plan {
  int nonfailed = 0;  // rows that may fold
  int keep = 0;       // non-failed rows shown
  int failed = 0;
  int lines() const { return 1 + failed + keep + (keep < nonfailed ? 1 : 0); }
};

}  // namespace

std::vector<ListLine> layout_list(const ViewModel& m, int height) {
  std::vector<ListLine> out;
  const auto& groups = m.groups();
  if (groups.empty()) {
    if (!m.filter().empty())
      out.push_back({ListLine::Empty, -1, "", 0, "No sessions match \"" + m.filter().query() + "\""});
    else
      out.push_back({ListLine::Empty, -1, "", 0, "No sessions yet. Type a task below, or !command for a shell job."});
    return out;
  }
  const std::string& sel = m.selected();
  std::vector<Plan> plans(groups.size());
  int total = int(groups.size()) - 1;  // blank lines between groups
  for (size_t g = 0; g < groups.size(); g++) {
    for (auto* s : groups[g].rows) {
      if (s->state == State::Failed) plans[g].failed++;
      else plans[g].nonfailed++;
    }
    plans[g].keep = plans[g].nonfailed;
    total += plans[g].lines();
  }
  if (total > height) {
    std::vector<size_t> idx(groups.size());
    for (size_t i = 0; i < idx.size(); i++) idx[i] = i;
    std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
      int ra = fold_rank(groups[a].kind), rb = fold_rank(groups[b].kind);
      if (ra != rb) return ra < rb;
      return a > b;  // bottom groups first
    });
    for (size_t g : idx) {
      if (total <= height) break;
      Plan& p = plans[g];
      int min_keep = p.nonfailed > 0 ? 1 : 0;
      if (p.keep <= min_keep) continue;
      int before = p.lines();
      int excess = total - height;
      // Folding adds a "… N more" line the first time.
      int drop = excess + (p.keep == p.nonfailed ? 1 : 0);
      p.keep = std::max(min_keep, p.keep - drop);
      if (p.keep == p.nonfailed - 1 && before == p.lines()) {
        // Hiding one row only swaps it for the "more" line: pointless.
        p.keep = p.nonfailed;
        continue;
      }
      total -= before - p.lines();
    }
  }
  int sel_line = 0;
  for (size_t g = 0; g < groups.size(); g++) {
    if (g > 0) out.push_back({ListLine::Blank, int(g), "", 0, ""});
    const auto& rows = groups[g].rows;
    out.push_back({ListLine::Header, int(g), "", int(rows.size()), groups[g].title});
    const Plan& p = plans[g];
    // Window over the non-failed rows that contains the selection.
    std::vector<const SessionInfo*> nonfailed;
    for (auto* s : rows)
      if (s->state != State::Failed) nonfailed.push_back(s);
    int start = 0;
    for (int i = 0; i < int(nonfailed.size()); i++)
      if (nonfailed[size_t(i)]->id == sel && i >= p.keep) start = i - p.keep + 1;
    int hidden = 0;
    int nf = 0;
    for (auto* s : rows) {
      bool show = true;
      if (s->state != State::Failed) {
        show = nf >= start && nf < start + p.keep;
        nf++;
      }
      if (!show) { hidden++; continue; }
      if (s->id == sel) sel_line = int(out.size());
      out.push_back({ListLine::Row, int(g), s->id, 0, ""});
    }
    if (hidden) out.push_back({ListLine::More, int(g), "", hidden, ""});
  }
  if (int(out.size()) > height && height > 0) {
    // Window around the selection.
    int top = std::clamp(sel_line - height / 2, 0, int(out.size()) - height);
    out = std::vector<ListLine>(out.begin() + top, out.begin() + top + height);
  }
  return out;
}

}  // namespace amux::view
