// test_render_utf8.cpp — the one UTF-8 decoder and encoder (src/render/utf8.h):
// valid sequences round-trip; anything not UTF-8 decodes to U+FFFD one byte
// at a time, so a reader never stalls or reads past the end.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "render/utf8.h"

namespace utf8 = amux::render::utf8;

namespace {

std::vector<char32_t> decode_all(std::string_view s) {
  std::vector<char32_t> out;
  size_t i = 0;
  while (i < s.size()) out.push_back(utf8::decode(s, i));
  return out;
}

}  // namespace

TEST(Utf8, RoundTripsEveryLength) {
  for (char32_t cp : {char32_t('A'), char32_t(0xE9), char32_t(0x20AC), char32_t(0x1F600),
                      char32_t(0x10FFFF), char32_t(0x7F), char32_t(0x80), char32_t(0x7FF),
                      char32_t(0x800), char32_t(0xFFFF), char32_t(0x10000)}) {
    std::string s;
    utf8::append(s, cp);
    EXPECT_EQ(decode_all(s), std::vector<char32_t>{cp}) << std::hex << unsigned(cp);
  }
}

TEST(Utf8, InvalidInputIsReplacedByteByByte) {
  const char32_t R = utf8::kReplacement;
  EXPECT_EQ(decode_all("\xC0\xAF"), (std::vector<char32_t>{R, R}));          // overlong
  EXPECT_EQ(decode_all("\xED\xA0\x80"), (std::vector<char32_t>{R, R, R}));   // surrogate
  EXPECT_EQ(decode_all("\xF4\x90\x80\x80"), (std::vector<char32_t>{R, R, R, R}));  // > U+10FFFF
  EXPECT_EQ(decode_all("\xE2\x82"), (std::vector<char32_t>{R, R}));          // cut short
  EXPECT_EQ(decode_all("\xE2\x82x"), (std::vector<char32_t>{R, R, 'x'}));    // bad continuation
  EXPECT_EQ(decode_all("\xFF" "a"), (std::vector<char32_t>{R, 'a'}));
}

TEST(Utf8, EncodeReplacesWhatCannotBeEncoded) {
  std::string s;
  utf8::append(s, 0xD800);
  utf8::append(s, 0x110000);
  EXPECT_EQ(s, "\xEF\xBF\xBD\xEF\xBF\xBD");
  char buf[4];
  EXPECT_EQ(utf8::encode(0x1F600, buf), 4u);
  EXPECT_EQ(std::string(buf, 4), "😀");
}

TEST(Utf8, ContinuationAndIncompleteTail) {
  EXPECT_TRUE(utf8::is_continuation(0x80));
  EXPECT_TRUE(utf8::is_continuation(0xBF));
  EXPECT_FALSE(utf8::is_continuation('a'));
  EXPECT_FALSE(utf8::is_continuation(0xC3));
  EXPECT_EQ(utf8::incomplete_tail("ab\xE2\x82"), 2u);
  EXPECT_EQ(utf8::incomplete_tail("ab\xE2\x82\xAC"), 0u);
  EXPECT_EQ(utf8::incomplete_tail("\xF0"), 1u);
}
