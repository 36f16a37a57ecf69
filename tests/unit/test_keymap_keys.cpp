// Tests for key names and the chord matcher (src/keymap/).
#include <gtest/gtest.h>

#include "keymap/chord.h"
#include "keymap/key_names.h"
#include "keymap/keymap_table.h"

using namespace amux::keymap;

TEST(KeyNames, ControlKeys) {
  EXPECT_EQ(key_bytes("C-\\")[0], "\x1c");
  EXPECT_EQ(key_bytes("C-b")[0], "\x02");
  EXPECT_EQ(key_bytes("c-B")[0], "\x02");
  EXPECT_EQ(key_bytes("C-b")[1], "\x1b[98;5u");  // CSI u form
  EXPECT_EQ(key_bytes("C-Space")[0], std::string(1, '\0'));
  EXPECT_EQ(key_bytes("C-?")[0], "\x7f");
}

TEST(KeyNames, NamedAndModified) {
  auto up = key_bytes("Up");
  ASSERT_EQ(up.size(), 2u);
  EXPECT_EQ(up[0], "\x1b[A");
  EXPECT_EQ(up[1], "\x1bOA");
  EXPECT_EQ(key_bytes("M-Up")[0], "\x1b[1;3A");
  EXPECT_EQ(key_bytes("M-x")[0], "\x1bx");
  EXPECT_EQ(key_bytes("S-Enter")[0], "\x1b[13;2u");
  EXPECT_EQ(key_bytes("F5")[0], "\x1b[15~");
  EXPECT_EQ(key_bytes("é")[0], "é");
  EXPECT_TRUE(key_bytes("NoSuchKey").empty());
  EXPECT_TRUE(key_bytes("C-NoSuchKey").empty());
}

TEST(KeyNames, NamesFromBytes) {
  EXPECT_EQ(key_name("\x1c").value(), "C-\\");
  EXPECT_EQ(key_name("\x02").value(), "C-b");
  EXPECT_EQ(key_name("\x1b[A").value(), "Up");
  EXPECT_EQ(key_name("\x1b[1;3B").value(), "M-Down");
  EXPECT_EQ(key_name("\r").value(), "Enter");
  EXPECT_EQ(key_name("q").value(), "q");
  EXPECT_EQ(key_name("\x1bq").value(), "M-q");
  EXPECT_FALSE(key_name("\x1b[999z").has_value());
}

TEST(KeyNames, Labels) {
  EXPECT_EQ(key_label("C-\\"), "ctrl+\\");
  EXPECT_EQ(key_label("M-Up"), "alt+↑");
  EXPECT_EQ(key_label("Enter"), "enter");
}

static std::string describe(const std::vector<ChordMatcher::Event>& ev) {
  std::string s;
  for (auto& e : ev) s += (e.kind == ChordMatcher::Event::Action ? "[" + e.data + "]" : e.data);
  return s;
}

TEST(Chord, DetachKeysAndPassthrough) {
  ChordMatcher m({{"C-\\", "detach"}, {"C-b d", "detach"}, {"C-b C-b", "send-prefix"},
                  {"C-b Left", "back"}});
  EXPECT_EQ(describe(m.feed("ls\r")), "ls\r");
  EXPECT_EQ(describe(m.feed("ab\x1c" "cd")), "ab[detach]cd");
  EXPECT_EQ(describe(m.feed("x\x02")), "x");  // prefix pending
  EXPECT_TRUE(m.pending());
  EXPECT_EQ(describe(m.feed("d")), "[detach]");
  EXPECT_EQ(describe(m.feed("\x02\x02")), "[send-prefix]");
  // An unbound key after the prefix passes through with the prefix.
  EXPECT_EQ(describe(m.feed("\x02z")), "\x02z");
  // A multi-byte key split across reads.
  EXPECT_EQ(describe(m.feed("\x02\x1b")), "");
  EXPECT_EQ(describe(m.feed("[D")), "[back]");
  // CSI u encoding of C-\ from terminals that use it.
  EXPECT_EQ(describe(m.feed("\x1b[92;5u")), "[detach]");
  EXPECT_FALSE(m.pending());
}

// A lone ESC begins the CSI u form of C-\ (and every arrow): it may wait
// only for the escape time, then it is the Escape key for the program.
TEST(Chord, LoneEscapeIsFlushedAfterTheEscapeTime) {
  ChordMatcher m({{"C-\\", "detach"}, {"C-b d", "detach"}, {"C-b Left", "back"}});
  EXPECT_EQ(describe(m.feed("\x1b")), "");
  EXPECT_TRUE(m.pending());
  EXPECT_TRUE(m.expiring());
  EXPECT_EQ(describe(m.flush()), "\x1b");
  EXPECT_FALSE(m.pending());
  EXPECT_FALSE(m.expiring());
  // The next key is a key of its own, not Alt+x.
  EXPECT_EQ(describe(m.feed("x")), "x");
  // Two bytes of a longer form, then the pause.
  EXPECT_EQ(describe(m.feed("\x1b[9")), "");
  EXPECT_TRUE(m.expiring());
  EXPECT_EQ(describe(m.flush()), "\x1b[9");
  // The whole form still arrives in pieces within the escape time.
  EXPECT_EQ(describe(m.feed("\x1b")), "");
  EXPECT_EQ(describe(m.feed("[92;5u")), "[detach]");
  // Arrow keys, Alt+x and other CSI u keys pass whole.
  EXPECT_EQ(describe(m.feed("\x1b[A")), "\x1b[A");
  EXPECT_EQ(describe(m.feed("\x1bx")), "\x1bx");
  EXPECT_EQ(describe(m.feed("\x1b[97;5u")), "\x1b[97;5u");
  EXPECT_FALSE(m.pending());
  EXPECT_TRUE(m.flush().empty());
}

// C-b is a real prefix, as in tmux: it waits for its second key however long.
TEST(Chord, PrefixKeyWaitsWithoutADeadline) {
  ChordMatcher m({{"C-\\", "detach"}, {"C-b d", "detach"}, {"C-b Left", "back"}});
  EXPECT_EQ(describe(m.feed("\x02")), "");
  EXPECT_TRUE(m.pending());
  EXPECT_FALSE(m.expiring());
  EXPECT_TRUE(m.flush().empty());
  EXPECT_TRUE(m.pending());
  EXPECT_EQ(describe(m.feed("d")), "[detach]");
  // The prefix, then the start of the second key's form: that part expires
  // (the unbound keys pass through, like C-b followed by an unbound key).
  EXPECT_EQ(describe(m.feed("\x02\x1b")), "");
  EXPECT_TRUE(m.expiring());
  EXPECT_EQ(describe(m.flush()), "\x02\x1b");
  EXPECT_EQ(describe(m.feed("\x02\x1b[D")), "[back]");
}

// One key may serve several actions; the matcher names them all.
TEST(Chord, OneKeyManyActions) {
  ChordMatcher m({{"Enter", "open"}, {"Right", "open"}, {"Enter", "submit"}, {"C-b t", "pin"}});
  auto ev = m.feed("\r");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].data, "open");
  EXPECT_EQ(ev[0].actions, (std::vector<std::string>{"open", "submit"}));
  ev = m.feed("\x02t");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].actions, (std::vector<std::string>{"pin"}));
  EXPECT_EQ(m.feed("\x02").size(), 0u);
  EXPECT_TRUE(m.pending());
  m.reset();
  EXPECT_FALSE(m.pending());
}

// send-prefix types the prefix: the first key of its chord.
TEST(Chord, PrefixIsTheFirstKeyOfSendPrefix) {
  EXPECT_EQ(ChordMatcher({{"C-\\", "detach"}, {"C-b d", "detach"}, {"C-b C-b", "send-prefix"}}).prefix(),
            "\x02");
  EXPECT_EQ(ChordMatcher({{"C-b d", "detach"}, {"C-a C-a", "send-prefix"}}).prefix(), "\x01");
  EXPECT_EQ(ChordMatcher(std::vector<Binding>{{"C-a d", "detach"}}).prefix(), "\x01");
  EXPECT_EQ(ChordMatcher(std::vector<Binding>{{"C-\\", "detach"}}).prefix(), "");
  auto k = KeymapTable::defaults();
  k.merge_toml("[attach]\nsend-prefix = \"C-a C-a\"\n", "km.toml");
  EXPECT_EQ(ChordMatcher(k.bindings("attach")).prefix(), "\x01");
}

TEST(Chord, BadBindingThrows) {
  EXPECT_THROW(ChordMatcher(std::vector<Binding>{{"C-b Nope", "x"}}), std::invalid_argument);
  EXPECT_THROW(ChordMatcher(std::vector<Binding>{{"", "x"}}), std::invalid_argument);
}

TEST(KeymapTable, DefaultsAndOverride) {
  auto k = KeymapTable::defaults();
  EXPECT_EQ(k.keys("attach", "detach").size(), 2u);
  k.merge_toml("[attach]\ndetach = \"C-q\"\nnext = [\"C-b j\", \"F6\"]\n", "test.toml");
  ASSERT_EQ(k.keys("attach", "detach").size(), 1u);
  EXPECT_EQ(k.keys("attach", "detach")[0], "C-q");
  EXPECT_EQ(k.keys("attach", "next").size(), 2u);
  ChordMatcher m(k.bindings("attach"));
  auto ev = m.feed("\x11");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].data, "detach");
}

TEST(KeymapTable, ErrorsNameFileLineAndEntry) {
  auto k = KeymapTable::defaults();
  try {
    k.merge_toml("\n[attach]\ndetach = \"C-Nope\"\n", "km.toml");
    FAIL() << "no error";
  } catch (const KeymapError& e) {
    std::string w = e.what();
    EXPECT_NE(w.find("km.toml:3"), std::string::npos) << w;
    EXPECT_NE(w.find("C-Nope"), std::string::npos) << w;
  }
  EXPECT_THROW(k.merge_toml("[attach]\nfly = \"x\"\n", "km.toml"), KeymapError);
  EXPECT_THROW(k.merge_toml("[nowhere]\nx = \"a\"\n", "km.toml"), KeymapError);
  EXPECT_THROW(k.merge_toml("[attach\n", "km.toml"), KeymapError);
  EXPECT_THROW(k.merge_toml("[attach]\ndetach = 3\n", "km.toml"), KeymapError);
}

TEST(KeyNames, OneCharacterNamesAreUtf8) {
  EXPECT_EQ(key_bytes("é"), std::vector<std::string>{"é"});
  EXPECT_EQ(key_bytes("€"), std::vector<std::string>{"€"});
  EXPECT_EQ(key_bytes("😀"), std::vector<std::string>{"😀"});
  EXPECT_EQ(key_name("é"), std::optional<std::string>("é"));
  EXPECT_EQ(key_name("😀"), std::optional<std::string>("😀"));
  EXPECT_TRUE(key_bytes("éé").empty());  // two characters: not a key
  // Not UTF-8 (an overlong '/', a surrogate, a cut sequence): not a key.
  EXPECT_EQ(key_name("\xC0\xAF"), std::nullopt);
  EXPECT_EQ(key_name("\xED\xA0\x80"), std::nullopt);
  EXPECT_EQ(key_name("\xE2\x82"), std::nullopt);
}

TEST(KeymapTable, OneContextAsTomlReadsBack) {
  auto t = amux::keymap::KeymapTable::defaults();
  t.merge_toml("[attach]\ndetach = [\"C-g\", \"C-\\\\\"]\n", "k.toml");
  auto text = t.to_toml("attach");
  auto back = amux::keymap::KeymapTable::defaults();
  back.merge_toml("[attach]\ndetach = [\"C-b d\"]\n", "other.toml");
  back.merge_toml(text, "from text");
  EXPECT_EQ(back.keys("attach", "detach"), (std::vector<std::string>{"C-g", "C-\\"}));
  EXPECT_EQ(back.bindings("attach").size(), t.bindings("attach").size());
}
