// test_mux_text.cpp — the shared trim and shell_quote.
#include <gtest/gtest.h>

#include "mux/sys/text.h"

using amux::mux::shell_quote;
using amux::mux::trim;

TEST(MuxText, TrimDropsBlanksAtBothEnds) {
  EXPECT_EQ(trim("  /repo/path\r\n"), "/repo/path");
  EXPECT_EQ(trim("\t/x y\n"), "/x y");
  EXPECT_EQ(trim(" \n\t "), "");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim("a"), "a");
}

TEST(MuxText, ShellQuoteMakesOneWord) {
  EXPECT_EQ(shell_quote("plain"), "'plain'");
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("it's $HOME"), "'it'\\''s $HOME'");
}
