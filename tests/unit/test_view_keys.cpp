// Unit tests for the agent view's input side: byte decoding, [view]
// bindings, the line editor, the prompt language and the controller's
// behaviour key by key (attach, peek and reply, pin, rename, stop then
// delete, find, dispatch, Esc order), without a terminal.
#include <gtest/gtest.h>

#include <clocale>

#include "keymap/keymap_table.h"
#include "view/key_input.h"
#include "view/line_edit.h"
#include "view/prompt_parse.h"
#include "view/view_controller.h"

using namespace amux::view;

namespace {

struct Locale {
  Locale() { setlocale(LC_ALL, "C.UTF-8"); }
} locale_once;

SessionInfo S(const std::string& id, State st, int64_t created, const std::string& worktree = "") {
  SessionInfo s;
  s.id = id;
  s.name = "job-" + id;
  s.state = st;
  s.created_at = created;
  s.updated_at = created;
  s.alive = state_live(st);
  s.agent = "shell";
  s.worktree = worktree;
  return s;
}

struct Rig {
  ViewModel m;
  amux::keymap::KeymapTable keys = amux::keymap::KeymapTable::defaults();
  std::unique_ptr<Controller> c;
  InputDecoder dec;
  int64_t now = 1000000;

  explicit Rig(std::vector<SessionInfo> v = {S("aaaa0001", State::Working, 1), S("bbbb0002", State::Blocked, 2),
                                             S("cccc0003", State::Done, 3)}) {
    m.set_all(std::move(v));
    ViewDefaults d;
    d.cwd = "/work/proj";
    c = std::make_unique<Controller>(m, keys, d, [](const std::string& p) { return p == "/work/api"; });
  }
  // Feed raw bytes; returns all effects.
  std::vector<Effect> in(const std::string& bytes) {
    std::vector<Effect> all;
    auto evs = dec.feed(bytes);
    auto more = dec.flush();
    evs.insert(evs.end(), more.begin(), more.end());
    for (auto& e : evs) {
      auto r = c->on_input(e, now);
      all.insert(all.end(), r.begin(), r.end());
    }
    return all;
  }
  std::vector<Effect> type(const std::string& text) { return in(text); }
};

bool has_effect(const std::vector<Effect>& v, Effect::Kind k, const std::string& id = "") {
  for (auto& e : v)
    if (e.kind == k && (id.empty() || e.id == id)) return true;
  return false;
}

}  // namespace

TEST(InputDecoder, SplitsKeysTextMouseAndPaste) {
  InputDecoder d;
  auto ev = d.feed("a\x1b[A\x1b" "1\r\x14日\x1b[<0;5;3M\x1b[200~pa\x1b[Aste\x1b[201~");
  ASSERT_EQ(ev.size(), 8u);
  EXPECT_EQ(ev[0].kind, InputEvent::Text);
  EXPECT_EQ(ev[0].text, "a");
  EXPECT_EQ(ev[1].bytes, "\x1b[A");
  EXPECT_EQ(ev[2].bytes, "\x1b" "1");
  EXPECT_EQ(ev[3].bytes, "\r");
  EXPECT_EQ(ev[4].bytes, "\x14");
  EXPECT_EQ(ev[5].text, "日");
  EXPECT_EQ(ev[6].kind, InputEvent::Mouse);
  EXPECT_EQ(ev[6].x, 4);
  EXPECT_EQ(ev[6].y, 2);
  EXPECT_TRUE(ev[6].press);
  EXPECT_EQ(ev[7].kind, InputEvent::Paste);
  EXPECT_EQ(ev[7].text, "pa\x1b[Aste");
}

// Found by fuzz_keys: a CSI that only looks like an SGR mouse report (a
// final byte other than M/m, an empty or zero coordinate) was a mouse event
// at x or y -1; it is a key (its bytes) like any other CSI.
TEST(InputDecoder, MalformedMouseReportIsAKey) {
  InputDecoder d;
  for (const char* seq : {"\x1b[<0;2;W", "\x1b[<0;0;5M", "\x1b[<0;5;0m", "\x1b[<;5;5M", "\x1b[<0;5;M"}) {
    auto ev = d.feed(seq);
    ASSERT_EQ(ev.size(), 1u) << seq + 1;
    EXPECT_EQ(ev[0].kind, InputEvent::Key) << seq + 1;
    EXPECT_EQ(ev[0].bytes, seq) << seq + 1;
  }
  auto ev = d.feed("\x1b[<65;1;1m");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, InputEvent::Mouse);
  EXPECT_EQ(ev[0].x, 0);
  EXPECT_EQ(ev[0].y, 0);
  EXPECT_FALSE(ev[0].press);
}

TEST(InputDecoder, LoneEscapeWaitsThenFlushes) {
  InputDecoder d;
  EXPECT_TRUE(d.feed("\x1b").empty());
  EXPECT_TRUE(d.pending());
  auto ev = d.flush();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].bytes, "\x1b");
  // A sequence split across reads.
  EXPECT_TRUE(d.feed("\x1b[1;").empty());
  ev = d.feed("3A");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].bytes, "\x1b[1;3A");
  // Split UTF-8.
  EXPECT_TRUE(d.feed("\xe6\x97").empty());
  ev = d.feed("\xa5");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].text, "日");
}

TEST(ActionMap, DefaultsAndRebinding) {
  auto k = amux::keymap::KeymapTable::defaults();
  ActionMap m(k, "view");
  InputEvent e;
  e.bytes = "\x14";  // C-t
  EXPECT_EQ(m.actions(e), (std::vector<std::string>{"pin"}));
  e.bytes = "\r";
  auto a = m.actions(e);
  EXPECT_NE(std::find(a.begin(), a.end(), "open"), a.end());
  EXPECT_NE(std::find(a.begin(), a.end(), "submit"), a.end());
  e.bytes = "\x1b[13;2u";  // Shift+Enter (CSI u)
  EXPECT_EQ(m.actions(e), (std::vector<std::string>{"submit-attach"}));
  e.bytes = "\x1b\r";  // Alt+Enter
  EXPECT_EQ(m.actions(e), (std::vector<std::string>{"submit-attach"}));
  EXPECT_EQ(m.label("pin"), "ctrl+t");
  k.merge_toml("[view]\npin = [\"C-p\", \"C-b t\"]\n", "user.toml");
  ActionMap r(k, "view");
  e.bytes = "\x14";
  EXPECT_TRUE(r.actions(e).empty());
  e.bytes = "\x10";
  EXPECT_EQ(r.actions(e), (std::vector<std::string>{"pin"}));
  e.bytes = "\x02";  // chord prefix
  EXPECT_TRUE(r.actions(e).empty());
  EXPECT_TRUE(r.waiting_chord());
  e.bytes = "t";
  EXPECT_EQ(r.actions(e), (std::vector<std::string>{"pin"}));
  EXPECT_THROW(k.merge_toml("[view]\nnot-an-action = \"C-p\"\n", "user.toml"), amux::keymap::KeymapError);
}

// A binding counts only when it is the whole key: Alt+x is not Escape
// (cancel) followed by x, and a chord's second key never opens a new chord.
TEST(ActionMap, WholeKeysOnly) {
  auto k = amux::keymap::KeymapTable::defaults();
  k.merge_toml("[view]\npin = [\"C-b t\"]\n", "user.toml");
  ActionMap m(k, "view");
  InputEvent e;
  e.bytes = "\x1b";
  EXPECT_EQ(m.actions(e), (std::vector<std::string>{"cancel"}));
  e.bytes = "\x1bx";
  EXPECT_TRUE(m.actions(e).empty());
  EXPECT_FALSE(m.waiting_chord());
  e.bytes = "\x02";
  EXPECT_TRUE(m.actions(e).empty());
  EXPECT_TRUE(m.waiting_chord());
  EXPECT_TRUE(m.actions(e).empty());
  EXPECT_FALSE(m.waiting_chord());
  e.bytes = "t";
  EXPECT_TRUE(m.actions(e).empty());
  // A paste ends a chord begun before it.
  e.bytes = "\x02";
  m.actions(e);
  InputEvent paste;
  paste.kind = InputEvent::Paste;
  EXPECT_TRUE(m.actions(paste).empty());
  EXPECT_FALSE(m.waiting_chord());
}

TEST(LineEdit, Editing) {
  LineEdit e;
  e.insert("héllo");
  EXPECT_EQ(e.caret(), 5u);
  e.left();
  e.left();
  e.insert("X");
  EXPECT_EQ(e.text(), "hélXlo");
  EXPECT_TRUE(e.edit_key("\x7f"));
  EXPECT_EQ(e.text(), "héllo");
  e.edit_key("\x01");
  e.del();
  EXPECT_EQ(e.text(), "éllo");
  e.end();
  e.insert(" world");
  e.kill_word();
  EXPECT_EQ(e.text(), "éllo ");
  e.insert("a\x1b[31mb");
  EXPECT_EQ(e.text(), "éllo a[31mb");
  e.edit_key("\x15");
  EXPECT_TRUE(e.empty());
}

TEST(PromptParse, Language) {
  ViewDefaults d;
  d.cwd = "/work/proj";
  d.model = "m1";
  auto dir = [](const std::string& p) { return p == "/work/api"; };
  auto p = parse_prompt("!make test", d, dir);
  EXPECT_EQ(p.error, "");
  EXPECT_TRUE(p.request.shell);
  EXPECT_EQ(p.request.command, "make test");
  EXPECT_EQ(p.request.cwd, "/work/proj");
  p = parse_prompt("fix it", d, dir);
  EXPECT_EQ(p.error, "");
  EXPECT_FALSE(p.request.shell);
  EXPECT_EQ(p.request.prompt, "fix it");
  EXPECT_EQ(p.request.model, "m1");
  EXPECT_EQ(parse_prompt("fix", d, dir).error, "Too short");
  EXPECT_EQ(parse_prompt("   ", d, dir).error, "Type a task first");
  EXPECT_EQ(parse_prompt("/rev", d, dir).error, "");  // slash commands pass
  p = parse_prompt("@codex write docs", d, dir);
  EXPECT_EQ(p.request.agent, "codex");
  EXPECT_EQ(p.request.prompt, "write docs");
  p = parse_prompt("@api !ls -la", d, dir);
  EXPECT_TRUE(p.request.shell);
  EXPECT_EQ(p.request.cwd, "/work/api");
  EXPECT_EQ(p.request.command, "ls -la");
  EXPECT_EQ(parse_prompt("@nowhere do it", d, dir).error, "No agent or directory named @nowhere");
  p = parse_prompt("line one\nline two", d, dir);
  EXPECT_EQ(p.request.prompt, "line one\nline two");
}

TEST(Controller, AttachByEnterRightAndAltN) {
  Rig r;
  EXPECT_EQ(r.m.selected(), "bbbb0002");  // Needs input comes first
  auto e = r.in("\r");
  ASSERT_TRUE(has_effect(e, Effect::Attach, "bbbb0002"));
  e = r.in("\x1b[B\x1b[C");  // Down, Right
  ASSERT_TRUE(has_effect(e, Effect::Attach, "aaaa0001"));
  e = r.in("\x1b" "3");
  ASSERT_TRUE(has_effect(e, Effect::Attach, "cccc0003"));
  EXPECT_EQ(r.m.selected(), "cccc0003");
}

TEST(Controller, EscClearsClosesThenQuits) {
  Rig r;
  r.type("hello");
  EXPECT_EQ(r.c->prompt().text(), "hello");
  EXPECT_TRUE(r.in("\x1b").empty());
  EXPECT_TRUE(r.c->prompt().empty());
  r.in("\x19");  // C-y restores
  EXPECT_EQ(r.c->prompt().text(), "hello");
  r.in("\x1b");
  r.in("\x06");  // find
  EXPECT_EQ(r.c->mode(), Mode::Find);
  r.in("\x1b");
  EXPECT_EQ(r.c->mode(), Mode::Normal);
  r.now += 10000;
  r.c->tick(r.now);
  EXPECT_TRUE(has_effect(r.in("\x1b"), Effect::Quit));
}

TEST(Controller, PeekReplyAndNeighbours) {
  Rig r;
  r.in(" ");
  EXPECT_EQ(r.c->mode(), Mode::Peek);
  EXPECT_EQ(r.c->peek_id(), "bbbb0002");
  r.type("Alice");
  auto e = r.in("\r");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].kind, Effect::Reply);
  EXPECT_EQ(e[0].id, "bbbb0002");
  EXPECT_EQ(e[0].text, "Alice");
  EXPECT_TRUE(r.c->reply_box().empty());
  r.in("\x1b[B");
  EXPECT_EQ(r.c->peek_id(), "aaaa0001");
  r.in("\x1b[A");
  EXPECT_EQ(r.c->peek_id(), "bbbb0002");
  r.in(" ");  // Space with an empty reply closes
  EXPECT_EQ(r.c->mode(), Mode::Normal);
  r.in(" ");
  r.type("x y");  // spaces inside a reply are text
  EXPECT_EQ(r.c->reply_box().text(), "x y");
  r.in("\x1b");
  EXPECT_EQ(r.c->mode(), Mode::Peek);  // first Esc clears the reply
  r.in("\x1b");
  EXPECT_EQ(r.c->mode(), Mode::Normal);
}

TEST(Controller, PinRenameGroupByLayout) {
  Rig r;
  auto e = r.in("\x14");
  ASSERT_TRUE(has_effect(e, Effect::Pin, "bbbb0002"));
  r.in("\x12");  // C-r
  EXPECT_EQ(r.c->mode(), Mode::Rename);
  EXPECT_EQ(r.c->rename_box().text(), "job-bbbb0002");
  r.in("\x15");
  r.type("renamed row");
  e = r.in("\r");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].kind, Effect::Rename);
  EXPECT_EQ(e[0].text, "renamed row");
  r.in("\x12\x15");
  EXPECT_TRUE(r.in("\r").empty());  // an empty name is ignored
  r.in("\x12x");
  EXPECT_TRUE(r.in("\x1b").empty());  // Esc cancels
  EXPECT_EQ(r.c->mode(), Mode::Normal);
  e = r.in("\x13");
  EXPECT_TRUE(has_effect(e, Effect::SavePrefs));
  EXPECT_EQ(r.m.group_by(), GroupBy::Directory);
  r.in("\t");
  EXPECT_EQ(r.c->layout(), Layout::Grid);
}

TEST(Controller, StopThenDeleteWithinTwoSeconds) {
  Rig r;
  r.m.select("aaaa0001");
  auto e = r.in("\x18");
  EXPECT_TRUE(has_effect(e, Effect::Stop, "aaaa0001"));
  EXPECT_EQ(r.c->armed_id(), "aaaa0001");
  r.now += 1500;
  e = r.in("\x18");
  EXPECT_TRUE(has_effect(e, Effect::Remove, "aaaa0001"));
  // Too late: the arm lapses, the next press stops/arms again.
  r.m.select("cccc0003");
  e = r.in("\x18");
  EXPECT_FALSE(has_effect(e, Effect::Stop));  // already exited
  r.now += 2500;
  EXPECT_TRUE(r.c->tick(r.now));
  EXPECT_EQ(r.c->armed_id(), "");
  e = r.in("\x18");
  EXPECT_FALSE(has_effect(e, Effect::Remove));
  // Esc cancels the arm.
  r.in("\x1b");
  EXPECT_EQ(r.c->armed_id(), "");
  EXPECT_FALSE(has_effect(r.in("\x18"), Effect::Remove));
}

TEST(Controller, DeleteWithWorktreeAsksFirst) {
  Rig r({S("aaaa0001", State::Done, 1, "/r/.amux/worktrees/x")});
  r.in("\x18");
  auto e = r.in("\x18");
  EXPECT_TRUE(e.empty());
  EXPECT_EQ(r.c->mode(), Mode::ConfirmDelete);
  EXPECT_NE(r.c->hint_line().find("/r/.amux/worktrees/x"), std::string::npos);
  e = r.in("\r");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].kind, Effect::Remove);
  EXPECT_TRUE(e[0].discard_worktree);
  r.in("\x18\x18");
  EXPECT_TRUE(r.in("\x1b").empty());
  EXPECT_EQ(r.c->mode(), Mode::Normal);
}

TEST(Controller, FindFiltersAndTypingAFilterSwitches) {
  Rig r;
  r.in("\x06");
  r.type("s:blocked");
  EXPECT_EQ(r.m.order(), (std::vector<std::string>{"bbbb0002"}));
  auto e = r.in("\r");
  EXPECT_TRUE(has_effect(e, Effect::Attach, "bbbb0002"));
  r.in("\x1b");
  EXPECT_EQ(r.m.order().size(), 3u);
  r.type("s:do");  // typed in the prompt: becomes find
  EXPECT_EQ(r.c->mode(), Mode::Find);
  EXPECT_EQ(r.m.order(), (std::vector<std::string>{"cccc0003"}));
  r.in("\x7f\x7f\x7f\x7f\x7f");  // backspace past empty closes
  EXPECT_EQ(r.c->mode(), Mode::Normal);
}

TEST(Controller, DispatchShellJobPromptAndTooShort) {
  Rig r;
  r.type("!echo hi");
  auto e = r.in("\r");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].kind, Effect::Dispatch);
  EXPECT_TRUE(e[0].session.shell);
  EXPECT_EQ(e[0].session.command, "echo hi");
  EXPECT_FALSE(e[0].attach);
  EXPECT_TRUE(r.c->prompt().empty());
  r.type("abc");
  EXPECT_TRUE(r.in("\r").empty());
  EXPECT_EQ(r.c->status(), "Too short");
  EXPECT_TRUE(r.c->status_error());
  EXPECT_EQ(r.c->prompt().text(), "abc");
  r.in("\x15");
  r.type("write the docs");
  r.in("\n");  // C-j: new line
  r.type("and tests");
  e = r.in("\x1b\r");  // Alt+Enter: dispatch and attach
  ASSERT_EQ(e.size(), 1u);
  EXPECT_TRUE(e[0].attach);
  EXPECT_EQ(e[0].session.prompt, "write the docs\nand tests");
}

TEST(Controller, QuestionMarkShowsHelpFromLiveBindings) {
  Rig r;
  r.in("?");
  EXPECT_EQ(r.c->mode(), Mode::Help);
  bool pin = false;
  for (auto& [k, w] : r.c->help_entries())
    if (k == "ctrl+t" && w == "pin to top") pin = true;
  EXPECT_TRUE(pin);
  r.in("?");
  EXPECT_EQ(r.c->mode(), Mode::Normal);
  r.type("why?");  // inside text it is a character
  EXPECT_EQ(r.c->prompt().text(), "why?");
}

TEST(Controller, DoubleClickAttaches) {
  Rig r;
  EXPECT_TRUE(r.c->on_click("cccc0003", r.now).empty());
  EXPECT_EQ(r.m.selected(), "cccc0003");
  r.now += 200;
  auto e = r.c->on_click("cccc0003", r.now);
  EXPECT_TRUE(has_effect(e, Effect::Attach, "cccc0003"));
  r.now += 1000;
  EXPECT_TRUE(r.c->on_click("cccc0003", r.now).empty());
}

TEST(Controller, GridArrowsMoveBetweenTiles) {
  Rig r;
  r.in("\t");
  r.c->set_grid_columns(2);
  EXPECT_EQ(r.m.selected(), "bbbb0002");
  EXPECT_TRUE(r.in("\x1b[C").empty());  // Right moves in the grid
  EXPECT_EQ(r.m.selected(), "aaaa0001");
  r.in("\x1b[D");
  EXPECT_EQ(r.m.selected(), "bbbb0002");
  r.in("\x1b[B");  // Down moves a row of tiles
  EXPECT_EQ(r.m.selected(), "cccc0003");
}

TEST(Controller, OverlayClosesWhenItsSessionGoes) {
  Rig r;
  r.in(" ");
  ASSERT_EQ(r.c->mode(), Mode::Peek);
  r.m.remove(r.c->peek_id());
  EXPECT_TRUE(r.c->tick(r.now));
  EXPECT_EQ(r.c->mode(), Mode::Normal);
  r.in("\x12");
  ASSERT_EQ(r.c->mode(), Mode::Rename);
  r.m.remove(r.c->rename_id());
  r.c->tick(r.now);
  EXPECT_EQ(r.c->mode(), Mode::Normal);
}

TEST(Controller, PrintableBindingActsOnlyOnAnEmptyPrompt) {
  Rig r;
  r.keys.merge_toml("[view]\npin = [\"p\"]\n", "user.toml");
  Controller c(r.m, r.keys, ViewDefaults{}, [](const std::string&) { return false; });
  InputEvent e;
  e.kind = InputEvent::Text;
  e.text = e.bytes = "p";
  auto out = c.on_input(e, r.now);
  EXPECT_TRUE(has_effect(out, Effect::Pin));
  e.text = e.bytes = "x";
  c.on_input(e, r.now);
  e.text = e.bytes = "p";
  EXPECT_TRUE(c.on_input(e, r.now).empty());
  EXPECT_EQ(c.prompt().text(), "xp");
}

TEST(PromptParse, AtHostDispatchesThereWhenNoProfileHasThatName) {
  ViewDefaults d;
  d.cwd = "/work/proj";
  d.hosts = {"build", "codex"};
  auto dir = [](const std::string& p) { return p == "/work/build"; };
  auto p = parse_prompt("@build !make test", d, dir);
  EXPECT_EQ(p.error, "");
  EXPECT_EQ(p.host, "build");
  EXPECT_TRUE(p.request.shell);
  EXPECT_EQ(p.request.cwd, "");  // the remote home, not this directory
  p = parse_prompt("@codex write docs", d, dir);  // a profile wins over a host of that name
  EXPECT_EQ(p.host, "");
  EXPECT_EQ(p.request.agent, "codex");
  p = parse_prompt("@build @claude fix the flaky test", d, dir);
  EXPECT_EQ(p.host, "build");
  EXPECT_EQ(p.request.agent, "claude");
  EXPECT_EQ(parse_prompt("@vm fix it now", d, dir).error, "No agent or directory named @vm");
}
