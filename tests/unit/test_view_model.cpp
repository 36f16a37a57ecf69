// Unit tests for the agent view's model: grouping, order, counts, folding,
// selection, find filters, sanitizing, row details and the view.json prefs.
#include <gtest/gtest.h>

#include <climits>
#include <clocale>
#include <cstdint>
#include <cstdlib>
#include <filesystem>

#include "view/find_filter.h"
#include "view/session_info.h"
#include "view/text_util.h"
#include "view/view_model.h"
#include "view/view_prefs.h"

using namespace amux::view;
using nlohmann::json;

namespace {

struct Locale {
  Locale() { setlocale(LC_ALL, "C.UTF-8"); }
} locale_once;

SessionInfo S(const std::string& id, State st, int64_t created, const std::string& name = "",
              bool pinned = false) {
  SessionInfo s;
  s.id = id;
  s.name = name.empty() ? "job-" + id : name;
  s.state = st;
  s.created_at = created;
  s.updated_at = created;
  s.finished_at = state_live(st) ? 0 : created + 10;
  s.pinned = pinned;
  s.alive = state_live(st);
  s.cwd = "/w/a";
  s.agent = "shell";
  return s;
}

std::vector<std::string> titles(const ViewModel& m) {
  std::vector<std::string> t;
  for (auto& g : m.groups()) t.push_back(g.title);
  return t;
}

std::vector<std::string> ids(const Group& g) {
  std::vector<std::string> v;
  for (auto* s : g.rows) v.push_back(s->id);
  return v;
}

ViewModel every_state() {
  ViewModel m;
  m.set_all({S("w1", State::Working, 1), S("b1", State::Blocked, 2), S("d1", State::Done, 3),
             S("f1", State::Failed, 4), S("s1", State::Stopped, 5), S("i1", State::Idle, 6),
             S("p1", State::Working, 7, "", true), S("w2", State::Starting, 8)});
  return m;
}

}  // namespace

TEST(ViewModel, GroupsByStateInOrder) {
  ViewModel m = every_state();
  EXPECT_EQ(titles(m), (std::vector<std::string>{"Pinned", "Needs input", "Working", "Completed"}));
  EXPECT_EQ(ids(m.groups()[0]), (std::vector<std::string>{"p1"}));
  EXPECT_EQ(ids(m.groups()[1]), (std::vector<std::string>{"b1"}));
  EXPECT_EQ(ids(m.groups()[2]), (std::vector<std::string>{"w1", "w2"}));
  // Completed: newest finished first (idle: when its turn ended).
  EXPECT_EQ(ids(m.groups()[3]), (std::vector<std::string>{"s1", "f1", "d1", "i1"}));
}

TEST(ViewModel, CountsAllStates) {
  ViewModel m = every_state();
  EXPECT_EQ(m.counts_text(), "1 awaiting input · 3 working · 4 completed");
  ViewModel empty;
  EXPECT_EQ(empty.counts_text(), "");
  ViewModel one;
  one.set_all({S("x", State::Done, 1)});
  EXPECT_EQ(one.counts_text(), "1 completed");
}

TEST(ViewModel, EmptyGroupsAreHidden) {
  ViewModel m;
  m.set_all({S("w1", State::Working, 1)});
  EXPECT_EQ(titles(m), (std::vector<std::string>{"Working"}));
}

TEST(ViewModel, GroupsByDirectoryHomeFirst) {
  ViewModel m;
  auto a = S("a", State::Working, 1);
  a.cwd = "/w/zeta";
  auto b = S("b", State::Done, 2);
  b.cwd = "/w/alpha";
  auto c = S("c", State::Blocked, 3);
  c.cwd = "/w/zeta";
  auto p = S("p", State::Done, 4, "", true);
  m.set_all({a, b, c, p});
  m.set_home_dir("/w/zeta");
  m.set_group_by(GroupBy::Directory);
  EXPECT_EQ(titles(m), (std::vector<std::string>{"Pinned", "/w/zeta", "/w/alpha"}));
  EXPECT_EQ(ids(m.groups()[1]), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(row_detail(*m.find("c"), true), "Needs input");
  auto d = *m.find("a");
  d.detail = "tick 64";
  EXPECT_EQ(row_detail(d, true), "Working · tick 64");
}

TEST(ViewModel, TopRowSelectedOnOpenAndKeptById) {
  ViewModel m = every_state();
  EXPECT_EQ(m.selected(), "p1");
  m.select("w2");
  // A state change re-sorts; the selection follows the id.
  auto w2 = *m.find("w2");
  w2.state = State::Blocked;
  m.upsert(w2);
  EXPECT_EQ(m.selected(), "w2");
  EXPECT_EQ(m.group_of("w2"), 1);
}

TEST(ViewModel, SelectionMovesToNeighbourWhenRowGoes) {
  ViewModel m = every_state();
  m.select("w1");
  int i = m.selected_index();
  m.remove("w1");
  EXPECT_EQ(m.selected_index(), i);
  EXPECT_EQ(m.selected(), "w2");
}

TEST(ViewModel, MoveAndJumpGroups) {
  ViewModel m = every_state();
  EXPECT_TRUE(m.move(1));
  EXPECT_EQ(m.selected(), "b1");
  EXPECT_FALSE(m.move(-100) && false);
  EXPECT_EQ(m.selected(), "p1");
  EXPECT_TRUE(m.jump_group(1));
  EXPECT_EQ(m.selected(), "b1");
  EXPECT_TRUE(m.jump_group(1));
  EXPECT_EQ(m.selected(), "w1");
  EXPECT_TRUE(m.jump_group(1));
  EXPECT_EQ(m.selected(), "s1");
  EXPECT_FALSE(m.jump_group(1));  // no wrap
  m.move(2);                      // inside Completed
  EXPECT_TRUE(m.jump_group(-1));  // first to the group's top
  EXPECT_EQ(m.selected(), "s1");
  EXPECT_TRUE(m.jump_group(-1));
  EXPECT_EQ(m.selected(), "w1");
  EXPECT_EQ(m.nth(0), "p1");
  EXPECT_EQ(m.nth(99), "");
}

TEST(ViewModel, UpsertReportsPreviousState) {
  ViewModel m = every_state();
  auto w = *m.find("w1");
  w.state = State::Blocked;
  auto prev = m.upsert(w);
  ASSERT_TRUE(prev);
  EXPECT_EQ(*prev, State::Working);
  EXPECT_FALSE(m.upsert(S("new", State::Working, 99)));
  uint64_t v = m.version();
  m.upsert(*m.find("new"));  // unchanged: no new version
  EXPECT_EQ(m.version(), v);
}

TEST(ViewModel, FilterHidesRows) {
  ViewModel m = every_state();
  m.set_filter("s:blocked");
  EXPECT_EQ(m.order(), (std::vector<std::string>{"b1"}));
  m.set_filter("s:nothing-like-this");
  EXPECT_TRUE(m.order().empty());
  auto lines = layout_list(m, 20);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].kind, ListLine::Empty);
  EXPECT_EQ(lines[0].text, "No sessions match \"s:nothing-like-this\"");
}

TEST(ViewModel, LayoutFitsWithoutFolding) {
  ViewModel m = every_state();
  auto lines = layout_list(m, 100);
  // 4 headers + 8 rows + 3 blanks.
  EXPECT_EQ(lines.size(), 15u);
  for (auto& l : lines) EXPECT_NE(l.kind, ListLine::More);
}

TEST(ViewModel, CompletedFoldsFirstAndFailedNeverFolds) {
  ViewModel m;
  std::vector<SessionInfo> v;
  for (int i = 0; i < 10; i++) v.push_back(S("d" + std::to_string(i), State::Done, 100 + i));
  v.push_back(S("f", State::Failed, 50));
  v.push_back(S("g", State::Failed, 51));
  for (int i = 0; i < 3; i++) v.push_back(S("w" + std::to_string(i), State::Working, i));
  m.set_all(v);
  auto lines = layout_list(m, 12);
  EXPECT_LE(lines.size(), 12u);
  int failed = 0, more = 0, working = 0;
  for (auto& l : lines) {
    if (l.kind == ListLine::Row && (l.id == "f" || l.id == "g")) failed++;
    if (l.kind == ListLine::Row && l.id[0] == 'w') working++;
    if (l.kind == ListLine::More) {
      more++;
      EXPECT_EQ(m.groups()[size_t(l.group)].kind, GroupKind::Completed);
    }
  }
  EXPECT_EQ(failed, 2);
  EXPECT_EQ(working, 3);  // Working kept whole while Completed could fold
  EXPECT_EQ(more, 1);
}

TEST(ViewModel, FoldedGroupKeepsSelectionVisible) {
  ViewModel m;
  std::vector<SessionInfo> v;
  for (int i = 0; i < 30; i++) v.push_back(S("d" + std::to_string(100 + i), State::Done, 100 + i));
  m.set_all(v);
  m.select(m.order().back());
  auto lines = layout_list(m, 8);
  EXPECT_LE(lines.size(), 8u);
  bool seen = false;
  int hidden = 0;
  for (auto& l : lines) {
    if (l.kind == ListLine::Row && l.id == m.selected()) seen = true;
    if (l.kind == ListLine::More) hidden = l.count;
  }
  EXPECT_TRUE(seen);
  EXPECT_GT(hidden, 20);
}

TEST(ViewModel, TinyHeightStillShowsSelection) {
  ViewModel m = every_state();
  m.select("i1");
  auto lines = layout_list(m, 3);
  EXPECT_EQ(lines.size(), 3u);
  bool seen = false;
  for (auto& l : lines)
    if (l.kind == ListLine::Row && l.id == "i1") seen = true;
  EXPECT_TRUE(seen);
}

TEST(FindFilter, Terms) {
  auto s = S("abcd1234", State::Blocked, 1, "fix flaky test #42");
  s.detail = "see https://github.com/o/r/pull/42 for context";
  s.agent = "claude";
  EXPECT_TRUE(FindFilter("s:blocked").matches(s));
  EXPECT_TRUE(FindFilter("s:needs").matches(s));
  EXPECT_TRUE(FindFilter("s:waiting").matches(s));
  EXPECT_TRUE(FindFilter("s:bl").matches(s));
  EXPECT_FALSE(FindFilter("s:working").matches(s));
  EXPECT_TRUE(FindFilter("a:claude").matches(s));
  EXPECT_TRUE(FindFilter("a:cl").matches(s));
  EXPECT_FALSE(FindFilter("a:codex").matches(s));
  EXPECT_TRUE(FindFilter("#42").matches(s));
  EXPECT_FALSE(FindFilter("#4").matches(s));
  EXPECT_FALSE(FindFilter("#421").matches(s));
  EXPECT_TRUE(FindFilter("https://github.com/o/r/pull/42").matches(s));
  EXPECT_TRUE(FindFilter("https://github.com/o/r/pull/42/").matches(s));
  EXPECT_FALSE(FindFilter("https://example.com/x").matches(s));
  EXPECT_TRUE(FindFilter("FLAKY").matches(s));
  EXPECT_TRUE(FindFilter("abcd").matches(s));   // id prefix
  EXPECT_TRUE(FindFilter("flaky s:blocked a:claude").matches(s));
  EXPECT_FALSE(FindFilter("flaky s:done").matches(s));
  EXPECT_TRUE(FindFilter("n:flaky").matches(s));
  EXPECT_TRUE(FindFilter("s:").matches(s));  // a term still being typed
  EXPECT_TRUE(FindFilter("").empty());
  auto d = S("x", State::Done, 1);
  EXPECT_TRUE(FindFilter("s:completed").matches(d));
  EXPECT_FALSE(FindFilter("s:live").matches(d));
  EXPECT_TRUE(FindFilter("s:live").matches(s));
}

TEST(FindFilter, UrlNumberMatchesHashMention) {
  auto s = S("x", State::Working, 1, "review #77 please");
  EXPECT_TRUE(FindFilter("https://github.com/o/r/pull/77").matches(s));
  EXPECT_TRUE(looks_like_filter("s:"));
  EXPECT_TRUE(looks_like_filter("A:x"));
  EXPECT_FALSE(looks_like_filter("fix s: bug"));
  EXPECT_FALSE(looks_like_filter("s"));
}

TEST(SessionInfo, FromJsonStripsControlCharacters) {
  json j = {{"id", "12345678"},
            {"name", "evil\x1b]2;pwned\x07name\x1b[31m"},
            {"detail", "line\r\nwith \x9b" "1;1H C1 and \xe2\x80\xae bidi"},
            {"state", "failed"},
            {"exitCode", 3},
            {"startedAt", 1000},
            {"finishedAt", 4000},
            {"cwd", "/tmp"},
            {"pinned", true}};
  auto s = SessionInfo::from_json(j);
  EXPECT_EQ(s.name.find('\x1b'), std::string::npos);
  EXPECT_EQ(s.name.find('\x07'), std::string::npos);
  EXPECT_EQ(s.name, "evil]2;pwnedname[31m");
  EXPECT_EQ(s.detail.find('\r'), std::string::npos);
  EXPECT_EQ(s.detail.find("\xc2\x9b"), std::string::npos);
  EXPECT_EQ(s.detail.find("\xe2\x80\xae"), std::string::npos);
  EXPECT_EQ(s.state, State::Failed);
  EXPECT_TRUE(s.pinned);
  EXPECT_FALSE(s.alive);
  EXPECT_EQ(s.age_ms(999999), 3000);
  EXPECT_EQ(row_detail(s, false).rfind("exit 3 — ", 0), 0u);
  s.detail = "exit 3 — oops";
  EXPECT_EQ(row_detail(s, false), "exit 3 — oops");
}

// Found by fuzz_json: times from a peer or a file at the ends of int64's
// range (1e300 and -1e300 clamp there) overflowed age_ms's subtraction
// (undefined behaviour); exit codes beyond int were cast out of range.
TEST(SessionInfo, ExtremeNumbersAreClamped) {
  auto s = SessionInfo::from_json(nlohmann::json::parse(
      R"({"id":"x","startedAt":1e300,"updatedAt":-1e300,"exitCode":1e300,"signal":-1e300,"state":"done"})"));
  EXPECT_EQ(s.created_at, INT64_MAX);
  EXPECT_EQ(s.updated_at, INT64_MIN);
  EXPECT_EQ(s.exit_code, INT_MAX);
  EXPECT_EQ(s.signal, INT_MIN);
  EXPECT_EQ(s.age_ms(0), INT64_MIN);
  s.state = State::Working;
  s.created_at = INT64_MIN;
  EXPECT_EQ(s.age_ms(INT64_MAX), INT64_MAX);
}

TEST(TextUtil, WidthAndFit) {
  EXPECT_EQ(display_width("abc"), 3);
  EXPECT_EQ(display_width("日本"), 4);
  EXPECT_EQ(fit("hello world", 5), "hell…");
  EXPECT_EQ(fit("日本語", 4), "日…");
  EXPECT_EQ(fit("日本語", 5, false), "日本");
  EXPECT_EQ(fit_pad("ab", 4), "ab  ");
  EXPECT_EQ(short_age(0), "0s");
  EXPECT_EQ(short_age(13500), "13s");
  EXPECT_EQ(short_age(61000), "1m");
  EXPECT_EQ(short_age(7200000), "2h");
  EXPECT_EQ(sanitize("a\tb\x7f" "c\xff"), "a bc\xef\xbf\xbd");
}

TEST(ViewPrefs, RoundTripAndKeepsUnknownKeys) {
  char tmpl[] = "/tmp/amux-viewprefs.XXXXXX";
  ASSERT_TRUE(mkdtemp(tmpl));
  std::string dir = tmpl;
  EXPECT_EQ(load_view_prefs(dir).group_by, GroupBy::State);
  {
    FILE* f = fopen((dir + "/view.json").c_str(), "w");
    fputs("{\"other\": 1, \"groupBy\": \"state\"}", f);
    fclose(f);
  }
  ViewPrefs p;
  p.group_by = GroupBy::Directory;
  EXPECT_EQ(save_view_prefs(dir, p), 0);
  EXPECT_EQ(load_view_prefs(dir).group_by, GroupBy::Directory);
  FILE* f = fopen((dir + "/view.json").c_str(), "r");
  char buf[256] = {0};
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  EXPECT_NE(std::string(buf, n).find("\"other\""), std::string::npos);
  // Garbage means defaults, not an error.
  f = fopen((dir + "/view.json").c_str(), "w");
  fputs("{not json", f);
  fclose(f);
  EXPECT_EQ(load_view_prefs(dir).group_by, GroupBy::State);
  std::filesystem::remove_all(dir);
}

TEST(ViewModel, RemoteRowsKeyedByHostKeptByLocalListsAndGroupedByHost) {
  ViewModel m;
  auto r = SessionInfo::from_json(json{{"id", "7c5dcf5d"}, {"host", "build"}, {"name", "far"}, {"state", "working"},
                                       {"startedAt", 5}, {"cwd", "/root"}});
  EXPECT_EQ(r.id, "build:7c5dcf5d");
  EXPECT_EQ(r.remote_id, "7c5dcf5d");
  EXPECT_EQ(r.host, "build");
  m.set_host("build", {r});
  m.set_all({S("l1", State::Working, 1)});  // a fresh local list keeps the remote row
  EXPECT_TRUE(m.find("build:7c5dcf5d"));
  EXPECT_TRUE(m.find("l1"));
  m.set_group_by(GroupBy::Host);
  EXPECT_EQ(titles(m), (std::vector<std::string>{"this machine", "@build"}));
  m.set_group_by(GroupBy::Directory);
  EXPECT_EQ(titles(m), (std::vector<std::string>{"/w/a", "build:/root"}));
  // Unreachable rows have a group of their own when grouped by state.
  auto u = SessionInfo::from_json(json{{"id", "7c5dcf5d"}, {"host", "build"}, {"name", "far"}, {"state", "unreachable"},
                                       {"detail", "cannot reach host 'build'"}});
  EXPECT_EQ(u.state, State::Unreachable);
  m.set_host("build", {u});
  m.set_group_by(GroupBy::State);
  EXPECT_EQ(titles(m), (std::vector<std::string>{"Working", "Unreachable"}));
  // A host's fresh list replaces only that host's rows.
  m.set_host("build", {});
  EXPECT_FALSE(m.find("build:7c5dcf5d"));
  EXPECT_TRUE(m.find("l1"));
}
