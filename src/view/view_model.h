// view_model.h — the agent view's data: sessions, grouping, find filter,
// selection and counts, with no drawing in it.
//
// Why: what the person sees (which group a row is in, its order, what is
// selected after a row disappears, what folds when space runs out) is
// product behaviour; keeping it in a plain class lets unit tests pin it down
// without a terminal. The drawing layer only reads from here.
//
// By host: Pinned, then this machine, then each configured host (by name).
// Groups (README.md "Agent view"; the states: docs/architecture.md §6), by
// state: Pinned, Needs input, Working, Completed (idle, done, failed,
// stopped; newest finished first). By directory: Pinned, then one group per
// working directory (the view's own directory first), rows by creation.
// Empty groups are hidden.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "view/find_filter.h"
#include "view/session_info.h"

namespace amux::view {

enum class GroupBy { State, Directory, Host };

enum class GroupKind { Pinned, NeedsInput, Working, Completed, Directory };

struct Group {
  GroupKind kind;
  std::string title;                       // "Needs input", or a directory (~ form)
  std::vector<const SessionInfo*> rows;    // display order
};

struct Counts {
  int blocked = 0, working = 0, completed = 0, failed = 0, total = 0;
};

class ViewModel {
 public:
  // Replace this machine's rows (a fresh list from the supervisor); other
  // hosts' rows stay.
  void set_all(std::vector<SessionInfo> sessions);
  // Replace one host's rows (a fresh list from it).
  void set_host(const std::string& host, std::vector<SessionInfo> sessions);
  // Add or update one session. Returns its previous state when it existed.
  std::optional<State> upsert(SessionInfo s);
  bool remove(const std::string& id);
  const SessionInfo* find(const std::string& id) const;
  const std::map<std::string, SessionInfo>& sessions() const { return sessions_; }

  void set_group_by(GroupBy g);
  GroupBy group_by() const { return group_by_; }
  void set_filter(const std::string& query);
  const FindFilter& filter() const { return filter_; }
  // The directory whose group comes first in directory grouping.
  void set_home_dir(const std::string& dir);

  const std::vector<Group>& groups() const;
  // Every shown session id, in navigation order (groups top to bottom).
  const std::vector<std::string>& order() const;
  Counts counts() const;  // over all sessions, ignoring the filter
  // "1 awaiting input · 3 working · 2 completed" (zero parts left out; "" when none).
  std::string counts_text() const;

  // ---- selection (by id; survives re-sorting) ----
  const std::string& selected() const;
  void select(const std::string& id);
  // Move by delta rows, clamped; returns whether the selection changed.
  bool move(int delta);
  // To the first row of the next (+1) / previous (-1) group; no wrap.
  bool jump_group(int delta);
  int selected_index() const;     // -1 when nothing is shown
  std::string nth(int index) const;  // "" when out of range
  int group_of(const std::string& id) const;  // index into groups(), -1

  // Bumped on every change, so the drawing layer can skip work.
  uint64_t version() const { return version_; }

 private:
  void dirty();
  void rebuild() const;
  void fix_selection() const;

  std::map<std::string, SessionInfo> sessions_;
  GroupBy group_by_ = GroupBy::State;
  FindFilter filter_;
  std::string home_dir_;
  uint64_t version_ = 1;

  mutable bool stale_ = true;
  mutable std::vector<Group> groups_;
  mutable std::vector<std::string> order_;
  mutable std::string selected_;
  mutable int last_index_ = 0;
};

// ---- the list as lines, folded to fit a height ----

struct ListLine {
  enum Kind { Header, Row, More, Blank, Empty } kind;
  int group = -1;        // index into groups()
  std::string id;        // Row
  int count = 0;         // More: hidden rows; Header: rows in the group
  std::string text;      // Header title, Empty message
};

// Lines for a list area `height` lines tall. Groups fold (failed rows never
// fold; the rest become "… N more") from the bottom up — Completed first,
// then directory groups, Working, Needs input, Pinned — keeping the
// selected row visible. If even that does not fit, the lines are windowed
// around the selection.
std::vector<ListLine> layout_list(const ViewModel& m, int height);

}  // namespace amux::view
