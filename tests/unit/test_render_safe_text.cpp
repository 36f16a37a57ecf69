// Unit tests of the one sanitizer and the cell-width cuts every line amux
// prints from session data goes through (render/safe_text.h).
#include <gtest/gtest.h>

#include <string>

#include "render/safe_text.h"

using namespace amux::render;

namespace {

// No ESC, no C0 but nothing, no C1 (raw or UTF-8 encoded), no bidi formatting.
bool inert(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return false;
    if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xa0) return false;  // U+0080-009F
    if (c == 0xe2 && i + 2 < s.size()) {
      unsigned char b1 = static_cast<unsigned char>(s[i + 1]), b2 = static_cast<unsigned char>(s[i + 2]);
      if (b1 == 0x80 && b2 >= 0xaa && b2 <= 0xae) return false;  // U+202A-202E
      if (b1 == 0x81 && b2 >= 0xa6 && b2 <= 0xa9) return false;  // U+2066-2069
    }
  }
  return true;
}

}  // namespace

TEST(SafeText, DropsEscapesControlsC1AndBidi) {
  const std::string hostile = "x\x1b]52;c;aGVsbG8=\a\x1b]0;T\a\x1b[2J\xc2\x9b" "31m" "\xe2\x80\xae" "evil\xe2\x81\xa6" "!";
  const std::string s = sanitize(hostile);
  EXPECT_TRUE(inert(s)) << s;
  EXPECT_EQ(s, "x]52;c;aGVsbG8=]0;T[2J31mevil!");
  EXPECT_EQ(sanitize("a\tb\nc\rd"), "a b c d");
  EXPECT_EQ(sanitize("\xe2\x80\x8f\xd8\x9c" "ok"), "ok");  // RLM, ALM
}

TEST(SafeText, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(sanitize("a\xff" "b"), "a\xef\xbf\xbd" "b");
  EXPECT_EQ(sanitize("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");  // overlong '/'
  EXPECT_EQ(sanitize("\xe6\x97"), "\xef\xbf\xbd\xef\xbf\xbd");  // cut short
  // A raw C1 byte is invalid UTF-8, never a control.
  EXPECT_TRUE(inert(sanitize("\x9b" "31m")));
}

TEST(SafeText, SanitizeLinesKeepsOnlyNewlines) {
  EXPECT_EQ(sanitize_lines("one\x1b[1m\nt\xc2\x9bwo\r\n"), "one[1m\ntwo \n");
}

TEST(SafeText, WidthsCountDisplayCells) {
  EXPECT_EQ(display_width("abc"), 3);
  EXPECT_EQ(display_width("日本語"), 6);
  EXPECT_EQ(display_width("e\xcc\x81"), 1);     // e + combining acute
  EXPECT_EQ(display_width("\xf0\x9f\x98\x80"), 2);  // 😀
  EXPECT_EQ(display_width("\x1b[1m"), 3);       // ESC takes no cell
}

TEST(SafeText, CutsFallOnCellsNeverMidCharacter) {
  // 24 cells of CJK cut to 5: two characters and the ellipsis, never a half.
  const std::string cjk = "日本語のセッション名前です長い";
  EXPECT_EQ(fit(cjk, 5), "日本…");
  EXPECT_EQ(display_width(fit(cjk, 5)), 5);
  EXPECT_EQ(fit(cjk, 4, false), "日本");
  EXPECT_EQ(fit_pad(cjk, 5, false), "日本 ");  // a wide char never straddles the edge
  EXPECT_EQ(display_width(fit_pad("😀😀😀😀", 7)), 7);
  EXPECT_EQ(fit("😀😀😀😀", 7), "😀😀😀…");
  // A grapheme cluster stays whole: e + combining mark, a flag pair.
  EXPECT_EQ(fit("e\xcc\x81" "e\xcc\x81" "e\xcc\x81", 2), "e\xcc\x81…");
  const std::string flags = "\xf0\x9f\x87\xaf\xf0\x9f\x87\xb5" "\xf0\x9f\x87\xab\xf0\x9f\x87\xb7";  // 🇯🇵🇫🇷
  std::string cut = fit(flags + "xyz", 3);
  EXPECT_EQ(cut.find("\xf0\x9f\x87\xab"), std::string::npos) << cut;  // no lone half of 🇫🇷
  // Short text is unchanged; padding reaches the width exactly.
  EXPECT_EQ(fit("abc", 10), "abc");
  EXPECT_EQ(fit_pad("abc", 6), "abc   ");
  EXPECT_EQ(fit("abc", 0), "");
}

TEST(SafeText, JsonKeepsItsValueAndLosesRawControls) {
  // What an encoder leaves raw inside a string: C1, bidi, DEL.
  const std::string dumped = "{\"name\":\"a\xc2\x9b" "b\xe2\x80\xae" "c\x7f" "d \xe6\xbc\xa2\"}";
  const std::string safe = json_safe(dumped);
  EXPECT_EQ(safe, "{\"name\":\"a\\u009bb\\u202ec\\u007fd \xe6\xbc\xa2\"}");
}
