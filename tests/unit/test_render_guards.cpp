// Tests for the Screen's guards against libvterm 0.1.4 crashes and traps
// (docs/libvterm.md, "The guards"). Each test first shows, where it can do so
// safely, what bare libvterm does, then that the Screen is not affected.
#include <gtest/gtest.h>
#include <pthread.h>
#include <vterm.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#endif

#include "render/csi_guard.h"
#include "render/screen.h"
#include "support/screen_text.h"

using namespace amux::render;
using amux::test::row_text;

static Screen::Options opts(int rows, int cols) { return amux::test::screen_opts(rows, cols); }

namespace {



std::string fill_rows(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += "line " + std::to_string(i) + (i + 1 < n ? "\r\n" : "");
  return out;
}

}  // namespace

// Guard 1, why: libvterm's own screen layer scrolls text up when rows shrink
// with text below the cursor, and the state then leaves the cursor row
// negative (it clamps only the bottom). The next erase in the screen layer
// dereferences NULL; in the state layer it indexes lineinfo out of bounds.
TEST(Guard1, BareLibvtermLeavesCursorNegative) {
  VTerm* vt = vterm_new(50, 80);
  vterm_set_utf8(vt, 1);
  VTermScreen* vs = vterm_obtain_screen(vt);
  vterm_screen_reset(vs, 1);
  std::string in = fill_rows(50) + "\x1b[1;1H";  // cursor at the top, text below
  vterm_input_write(vt, in.data(), in.size());
  vterm_set_size(vt, 10, 80);
  VTermPos pos;
  vterm_state_get_cursorpos(vterm_obtain_state(vt), &pos);
  EXPECT_LT(pos.row, 0);  // the bug the guard exists for
  vterm_free(vt);          // (feeding "\x1b[2J" now would crash)
}

TEST(Guard1, ShrinkWithTextBelowCursor) {
  Screen s(opts(50, 80));
  s.feed(fill_rows(50) + "\x1b[1;5H");
  s.resize(10, 80);
  // Without the guard the state's cursor row is -40 here and this text is
  // written nowhere (and libvterm reads its lineinfo array at index -40).
  s.feed("X");
  EXPECT_EQ(row_text(s, 0), "lineX40");
  s.feed("\x1b[2J\x1b[Kafter");
  EXPECT_GE(s.cursor().row, 0);
  EXPECT_EQ(row_text(s, 0), "     after");
  EXPECT_EQ(s.cursor().row, 0);
  EXPECT_EQ(s.cursor().col, 10);
}

TEST(Guard1, ShrinkWithCursorAtBottom) {
  Screen s(opts(50, 80));
  s.feed(fill_rows(50));
  s.resize(10, 80);
  EXPECT_EQ(s.cursor().row, 9);
  EXPECT_EQ(row_text(s, 9), "line 49");
  s.feed("\x1b[2J\x1b[Ktext");
  EXPECT_EQ(row_text(s, 9), "       text");
  EXPECT_EQ(s.scrollback_size(), 40u);
}

// Guard 3: libvterm's on_text keeps one uint32_t per input byte on the
// stack; a single 8 MiB write needs 32 MiB of stack. feed() must split.
namespace {
struct BigFeed {
  Screen* screen;
  std::string* data;
};
void* run_big_feed(void* arg) {
  auto* job = static_cast<BigFeed*>(arg);
  job->screen->feed(*job->data);
  return nullptr;
}
}  // namespace

TEST(Guard3, EightMiBWriteOnSmallStack) {
  Screen s(opts(24, 80));
  std::string data;
  data.reserve(8u << 20);
  for (int i = 0; data.size() < (8u << 20); ++i) data += "x";
  std::memcpy(&data[data.size() - 4], "TAIL", 4);
  BigFeed job{&s, &data};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 1u << 20);  // 1 MiB
  pthread_t t;
  ASSERT_EQ(pthread_create(&t, &attr, &run_big_feed, &job), 0);
  pthread_join(t, nullptr);
  pthread_attr_destroy(&attr);
  // 8 MiB of one autowrapped line: the last row ends with the tail.
  std::string last = row_text(s, s.cursor().row);
  ASSERT_GE(last.size(), 4u);
  EXPECT_EQ(last.substr(last.size() - 4), "TAIL");
}

TEST(Guard3, ChunkBoundaryKeepsOscWhole) {
  // An OSC string that straddles a 64 KiB chunk boundary would be cut to
  // libvterm's 64-byte string buffer; feed() cuts before the ESC instead.
  Screen s(opts(24, 80));
  std::string title(200, 't');
  std::string data(kMaxFeedChunk - 50, 'a');
  data += "\x1b]2;" + title + "\x07" + std::string(1000, 'b');
  s.feed(data);
  EXPECT_EQ(s.title(), title);
}

// libvterm 0.1.4 does not carry a partial UTF-8 sequence from one write to
// the next when the write held other text: it prints U+FFFD. The Screen
// holds the incomplete tail back.
TEST(Utf8Carry, BareLibvtermPrintsReplacement) {
  VTerm* vt = vterm_new(2, 10);
  vterm_set_utf8(vt, 1);
  VTermScreen* vs = vterm_obtain_screen(vt);
  vterm_screen_reset(vs, 1);
  vterm_input_write(vt, "a\xe4\xbd", 3);
  vterm_input_write(vt, "\xa0", 1);
  VTermScreenCell cell;
  vterm_screen_get_cell(vs, VTermPos{0, 1}, &cell);
  EXPECT_EQ(cell.chars[0], 0xFFFDu);
  vterm_free(vt);
}

TEST(Utf8Carry, ScreenHoldsIncompleteTail) {
  Screen s(opts(2, 10));
  s.feed("a\xe4\xbd");
  s.feed("\xa0" "b");
  EXPECT_EQ(s.cell(0, 1).ch, U'\u4f60');
  EXPECT_EQ(row_text(s, 0), "a\xe4\xbd\xa0" "b");
  // A sequence that never completes is dropped (libvterm's decoder
  // discards it) and the text after it still appears.
  s.feed("\r\n\xe4");
  s.feed("z");
  EXPECT_EQ(row_text(s, 1), "z");
}

// Guard 7: a cursor saved before a resize is restored by libvterm without
// clamping; its state then indexes per-row arrays out of bounds.
TEST(Guard7, BareLibvtermRestoresCursorOutsideTheScreen) {
  VTerm* vt = vterm_new(40, 100);
  vterm_set_utf8(vt, 1);
  VTermState* st = vterm_obtain_state(vt);
  vterm_state_reset(st, 1);
  std::string in = "\x1b[35;90H\x1b" "7";
  vterm_input_write(vt, in.data(), in.size());
  vterm_set_size(vt, 10, 30);
  vterm_input_write(vt, "\x1b" "8", 2);
  VTermPos pos;
  vterm_state_get_cursorpos(st, &pos);
  EXPECT_EQ(pos.row, 34);  // outside a 10-row screen
  EXPECT_EQ(pos.col, 89);
  vterm_free(vt);
}

TEST(Guard7, RestoredCursorIsClamped) {
  Screen s(opts(40, 100));
  s.feed("\x1b[35;90H\x1b" "7\x1b[H");
  s.resize(10, 30);
  s.feed("\x1b" "8X");  // restore and write in one feed
  EXPECT_EQ(s.cursor().row, 9);
  EXPECT_EQ(row_text(s, 9), std::string(29, ' ') + "X");
  // Leaving an alternate screen entered before a resize restores the
  // cursor saved by 1049h.
  Screen v(opts(40, 100));
  v.feed("\x1b[38;80H\x1b[?1049h\x1b[Hvim");
  v.resize(12, 40);
  v.feed("\x1b[?1049lY");
  EXPECT_FALSE(v.alt_screen());
  EXPECT_EQ(v.cursor().row, 11);
  EXPECT_EQ(v.cell(11, 39).ch, U'Y');
}

// Guard 8: after a resize libvterm clamps only the bottom margin, so a
// scroll region below the new bottom has top > bottom; the next scroll
// would memmove a negative length (shown by ASan as negative-size-param).
TEST(Guard8, BareLibvtermKeepsAnInvertedScrollRegion) {
  VTerm* vt = vterm_new(20, 40);
  vterm_set_utf8(vt, 1);
  std::string out;
  vterm_output_set_callback(
      vt, [](const char* s, size_t n, void* u) { static_cast<std::string*>(u)->append(s, n); }, &out);
  VTermState* st = vterm_obtain_state(vt);
  vterm_state_reset(st, 1);
  std::string in = "\x1b[10;15r";
  vterm_input_write(vt, in.data(), in.size());
  vterm_set_size(vt, 5, 40);
  std::string query = "\x1bP$qr\x1b\\";  // DECRQSS: report the scroll region
  vterm_input_write(vt, query.data(), query.size());
  EXPECT_NE(out.find("10;5r"), std::string::npos) << out;  // top 10 > bottom 5
  vterm_free(vt);  // (feeding "\x1b[T" now would corrupt memory)
}

TEST(Guard8, ResizeResetsTheScrollRegion) {
  Screen s(opts(20, 40));
  std::string out;
  s.on_output = [&](std::string_view b) { out.append(b); };
  s.feed("line1\r\nline2\x1b[10;15r\x1b[2;3H");
  s.resize(5, 40);
  EXPECT_EQ(s.cursor().row, 1);  // the cursor stays where it was
  EXPECT_EQ(s.cursor().col, 2);
  s.feed("\x1bP$qr\x1b\\");
  EXPECT_NE(out.find("1;5r"), std::string::npos) << out;
  // Scrolls of all kinds, each undone by the next: the text is intact.
  s.feed("\x1b[T\x1b[S\x1b[L\x1b[M\x1b[2@\x1b[2P\x1bM\x1b" "D");
  EXPECT_EQ(row_text(s, 0), "line1");
  EXPECT_EQ(row_text(s, 1), "line2");
  s.feed("\x1b[5;1H\n");  // full-screen scroll at the new bottom
  EXPECT_EQ(row_text(s, 0), "line2");
  EXPECT_EQ(s.scrollback_size(), 2u);  // the blank row "CSI S" pushed, and line1
}

// Guard 6: the TITLE property points into a stack buffer inside libvterm.
TEST(Guard6, TitleSurvivesTheFeed) {
  Screen s(opts(5, 40));
  s.feed("\x1b]2;my precious title\x07");
  // Reuse the stack: more OSC strings, long text, another property.
  std::string junk = "\x1b]1;" + std::string(3000, 'j') + "\x07";
  for (int i = 0; i < 20; ++i) junk += std::string(5000, char('a' + i)) + "\x1b]9999;zzz\x07";
  s.feed(junk);
  EXPECT_EQ(s.title(), "my precious title");
  EXPECT_EQ(s.icon_name(), std::string(1024, 'j'));  // capped
}

// Guard 9, why: libvterm 0.1.4 keeps CSI parameters in an array of 16 and
// writes past it for a 17th. A bare libvterm crashes (checked in a child so
// the test binary survives); the Screen passes the first 16 through.
namespace {
// In a child that crashes on purpose: a sanitized build's report goes to
// the child's stderr (which the death test reads) instead of the report
// files a sanitized run counts as failures.
void quiet_sanitizer_reports() {
#if defined(__SANITIZE_ADDRESS__)
  __sanitizer_set_report_path("stderr");
#endif
}
// How a crashing child ends: killed by SIGSEGV, or, in a sanitized build,
// exit status 1 after the sanitizer's SEGV report.
#if defined(__SANITIZE_ADDRESS__)
const auto kCrashed = ::testing::ExitedWithCode(1);
const char* const kCrashMessage = "SEGV";
#else
const auto kCrashed = ::testing::KilledBySignal(SIGSEGV);
const char* const kCrashMessage = "";
#endif
std::string csi_with_args(int n, char final_byte) {
  std::string q = "\x1b[";
  for (int i = 0; i < n; ++i) q += (i ? ";" : "") + std::string("1");
  return q + final_byte;
}
}  // namespace

TEST(Guard9, BareLibvtermCrashesOnSeventeenArgs) {
  EXPECT_EXIT(
      {
        quiet_sanitizer_reports();  // this crash is the point
        VTerm* vt = vterm_new(24, 80);
        vterm_set_utf8(vt, 1);
        VTermState* st = vterm_obtain_state(vt);
        vterm_state_reset(st, 1);
        std::string in = csi_with_args(40, 'm') + "x";
        for (int i = 0; i < 50; ++i) vterm_input_write(vt, in.data(), in.size());
        vterm_free(vt);
        std::exit(0);
      },
      kCrashed, kCrashMessage);
}

TEST(Guard9, ScreenSurvivesManyArgs) {
  Screen s(opts(24, 80));
  for (int n : {16, 17, 18, 40, 300}) s.feed(csi_with_args(n, 'm') + "x");
  // Split across feeds, with sub-parameters.
  std::string big = "\x1b[38:2:1:2:3;" + std::string(200, ';') + "1mY";
  for (char ch : big) s.feed(std::string(1, ch));
  s.feed("\x1b[0m\r\nok");
  EXPECT_EQ(row_text(s, 0), "xxxxxY");
  EXPECT_EQ(row_text(s, 1), "ok");
  // 16 parameters still apply: the 16th here is bold.
  s.feed("\x1b[2J\x1b[H" + std::string("\x1b[0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;1mB"));
  EXPECT_TRUE(s.cell(0, 0).attrs & kBold) << "16th parameter dropped";
}

// Found by fuzz_screen: libvterm executes a C0 control inside an escape
// sequence and goes on with it, so "ESC VT [" (or ESC NUL [, ESC DEL [,
// ESC 0xEF [: a byte from 0x80 on is ignored there too) is a CSI too; the guard took ESC + VT as a finished sequence and let 40
// parameters through, and libvterm crashed (in a child here, so a
// regression fails the test, not the binary).
// libvterm 0.1.4 takes '[' after an ESC and its intermediates as a CSI
// ("ESC + [" is not the escape "+["): the guard must count its parameters
// (fuzz_screen: 20 of them overran libvterm's array and crashed it;
// tests/fuzz/corpus/screen/crash-csi-args-after-esc-intermediate).
TEST(Guard9, IntermediateBeforeTheBracket) {
  std::string many;
  for (int i = 0; i < 40; ++i) many += "1;";
  for (const std::string lead : {"\x1b+[", "\x1b$)[", "\x1b+[\x04\x1d"}) {
    CsiGuard g;
    std::string out;
    ASSERT_TRUE(g.filter(";1X" + lead + many + "\xfd;", out)) << lead;
    size_t seps = 0;
    for (char c : out.substr(3 + lead.size())) seps += c == ';';
    EXPECT_LT(seps, size_t(CsiGuard::kMaxArgs)) << lead;
  }
}

TEST(Guard9, ControlsInsideTheSequence) {
  std::string many;
  for (int i = 0; i < 40; ++i) many += "1;";
  for (const std::string& lead : {std::string("\x1b\x0b["), std::string("\x1b\x04\x1d["),
                                 std::string("\x1b\x7f["), std::string("\x1b\x00[", 4),
                                 std::string("\x1b\xef["), std::string("\x1b+["), std::string("\x1b+[\x04\x1d"),
                                 std::string("\x1b+\x04\x1d["), std::string("\x1b$)[")}) {
    EXPECT_EXIT(
        {
          Screen s(opts(24, 80));
          for (int i = 0; i < 20; ++i) s.feed(lead + many + "1\x0b;1mx");
          std::exit(0);
        },
        ::testing::ExitedWithCode(0), "");
  }
  Screen s(opts(24, 80));
  s.feed("\x1b\x0b[" + many + "1mok");
  EXPECT_EQ(row_text(s, 1), "ok");  // the VT moved down a row
}

// Guard 10, why: libvterm 0.1.4's REP (CSI n b) repeats the last glyph by
// stepping the cursor by its width; with no glyph printed yet, or a
// zero-width one, the loop never ends. A bare libvterm hangs (checked in a
// child with an alarm); the Screen drops such a REP and keeps the others.
namespace {
void bare_write_with_alarm(const std::string& in) {
  alarm(2);
  VTerm* vt = vterm_new(24, 80);
  vterm_set_utf8(vt, 1);
  VTermState* st = vterm_obtain_state(vt);
  vterm_state_reset(st, 1);
  vterm_input_write(vt, in.data(), in.size());
  vterm_free(vt);
  std::exit(0);
}
}  // namespace

TEST(Guard10, BareLibvtermHangsOnRepFirst) {
  EXPECT_EXIT(bare_write_with_alarm("\x1b[b"), ::testing::KilledBySignal(SIGALRM), "");
}

TEST(Guard10, BareLibvtermHangsOnRepAfterZeroWidth) {
  // U+200B right after 'a' combines with it; after a cursor move it is a
  // glyph of its own, of width 0.
  EXPECT_EXIT(bare_write_with_alarm("a\x1b[5G\xe2\x80\x8b\x1b[3b"), ::testing::KilledBySignal(SIGALRM), "");
}

TEST(Guard10, ScreenDropsRepWithNothingToRepeat) {
  Screen s(opts(5, 40));
  s.feed("\x1b[b");
  s.feed("\x1b[5bok");
  EXPECT_EQ(row_text(s, 0), "ok");
  // After a zero-width glyph, whole and split across feeds.
  s.feed("\r\nA\x1b[3G\xe2\x80\x8b\x1b[3bz");
  s.feed("\r\nB\x1b[3G\xe2\x80\x8b\x1b[");
  s.feed("3");
  s.feed("bz");
  EXPECT_EQ(row_text(s, 1).substr(0, 1), "A");
  EXPECT_EQ(row_text(s, 1).back(), 'z');
  EXPECT_EQ(row_text(s, 2).back(), 'z');
  EXPECT_EQ(s.cursor().col, 3);
  // U+200B right after a glyph combines with it: REP repeats the pair.
  s.feed("\r\nC\xe2\x80\x8b\x1b[2b.");
  EXPECT_EQ(s.cursor().col, 4);
}

TEST(Guard10, RepStillRepeatsAPrintedGlyph) {
  Screen s(opts(5, 40));
  s.feed("ab\x1b[3bc");
  EXPECT_EQ(row_text(s, 0), "abbbbc");
  s.feed("\r\nx\x1b[");
  s.feed("2");
  s.feed("b|");
  EXPECT_EQ(row_text(s, 1), "xxx|");
  // libvterm 0.1.4 counts REP in columns (a wide glyph twice as few
  // times); REP stops at the right edge.
  s.feed("\r\n\xe4\xbd\xa0\x1b[4b\r\n-\x1b[999b");
  EXPECT_EQ(row_text(s, 2), "\xe4\xbd\xa0\xe4\xbd\xa0\xe4\xbd\xa0");
  EXPECT_EQ(row_text(s, 3), std::string(40, '-'));
  // CSI ? b and CSI 1 $ b are not REP: no cut, no repeat.
  s.feed("\r\n\x1b[2J\x1b[Hq\x1b[?3bQ\x1b[1$bW");
  EXPECT_EQ(row_text(s, 0), "qQW");
}

// Guard 11, why: libvterm 0.1.4 keeps nothing of an OSC string from one
// write to the next, and a write that starts with the '\' of an ESC '\'
// terminator hands the OSC callback a length of (size_t)-1.
namespace {
struct OscSeen {
  std::vector<size_t> lens;
  std::string last;
};
int bare_osc(const char* cmd, size_t len, void* u) {
  auto* seen = static_cast<OscSeen*>(u);
  seen->lens.push_back(len);
  if (len < 4096) seen->last.assign(cmd, len);
  return 1;
}
}  // namespace

TEST(Guard11, BareLibvtermLosesSplitOscAndReportsMinusOne) {
  VTerm* vt = vterm_new(5, 40);
  vterm_set_utf8(vt, 1);
  VTermState* st = vterm_obtain_state(vt);
  vterm_state_reset(st, 1);
  OscSeen seen;
  VTermParserCallbacks cbs{};
  cbs.osc = &bare_osc;
  vterm_state_set_unrecognised_fallbacks(st, &cbs, &seen);
  vterm_input_write(vt, "\x1b]9;first ", 10);
  vterm_input_write(vt, "second\x07", 7);
  ASSERT_EQ(seen.lens.size(), 1u);
  EXPECT_EQ(seen.last, "second");  // the start is gone
  vterm_input_write(vt, "\x1b]9;abc\x1b", 8);
  vterm_input_write(vt, "\\", 1);
  ASSERT_EQ(seen.lens.size(), 2u);
  EXPECT_EQ(seen.lens[1], size_t(-1));
  vterm_free(vt);
}

TEST(Guard11, ScreenHoldsAnOpenStringUntilItEnds) {
  Screen s(opts(5, 40));
  std::vector<Notification> notes;
  s.on_notification = [&](const Notification& n) { notes.push_back(n); };
  s.feed("x\x1b]2;hello");
  EXPECT_EQ(row_text(s, 0), "x");
  s.feed(" wor");
  s.feed("ld\x1b");
  s.feed("\\after");
  EXPECT_EQ(s.title(), "hello world");
  EXPECT_EQ(row_text(s, 0), "xafter");
  // The terminator cut between ESC and '\' (libvterm's -1 length).
  s.feed("\x1b]9;build done\x1b");
  s.feed("\\!");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].body, "build done");
  // Byte by byte, BEL-terminated.
  std::string osc = "\x1b]777;notify;T;body text\x07.";
  for (char ch : osc) s.feed(std::string(1, ch));
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[1].title, "T");
  EXPECT_EQ(notes[1].body, "body text");
  EXPECT_EQ(row_text(s, 0), "xafter!.");
  // A string abandoned by another escape is not held: the CSI after it runs.
  s.feed("\x1b]2;zzz\x1b[2;1H");
  s.feed("y");
  EXPECT_EQ(row_text(s, 1), "y");
  EXPECT_EQ(s.title(), "hello world");
}

TEST(Guard11, LongStringGoesThroughWithoutMinusOne) {
  Screen s(opts(5, 40));
  std::vector<Notification> notes;
  s.on_notification = [&](const Notification& n) { notes.push_back(n); };
  // Longer than kMaxHeldString and cut right after the terminator's ESC.
  s.feed("\x1b]9;" + std::string(kMaxHeldString + 100, 'n'));
  s.feed(std::string(50, 'n') + "\x1b");
  s.feed("\\ok");
  EXPECT_EQ(row_text(s, 0), "ok");
  s.feed("\x1b]9;fine\x07");
  ASSERT_FALSE(notes.empty());
  EXPECT_EQ(notes.back().body, "fine");
}

// `terminated` (a string and its ESC … \\) fed cut at every place, then
// `after`: no answer carries `after`, which lands on row 0 at column 0.
static void expect_string_ends_cleanly(const std::string& terminated, const std::string& what) {
  const std::string after = "AFTER-THE-STRING", buf = terminated + after;
  for (size_t cut = 0; cut <= terminated.size(); ++cut) {
    Screen s(opts(5, 40));
    std::string out;
    s.on_output = [&](std::string_view b) { out.append(b); };
    std::string_view v(buf);
    s.feed(v.substr(0, cut));
    s.feed(v.substr(cut, terminated.size() - cut));
    EXPECT_EQ(out.find("AFTER"), std::string::npos) << what << " cut " << cut << ": " << out;
    s.feed(after);
    EXPECT_EQ(row_text(s, 0).substr(0, after.size()), after) << what << " cut " << cut;
    EXPECT_EQ(s.cursor().row, 0) << what << " cut " << cut;
  }
}

// Guard 15 (found by fuzz_screen: tests/fuzz/corpus/screen/
// crash-decrqss-nul-before-st): NUL or DEL between a string's ESC and its
// backslash, the string cut between writes. libvterm 0.1.4 then answers a
// DECRQSS from a fragment of length -1, reading past the end of the write
// (here into the text that follows in the same buffer, which the answer
// then carries; ASan: a heap read past the input). The Screen drops NUL and
// DEL inside a string and answers the request whole.
TEST(Guard15, NulInsideAStringTerminator) {
  expect_string_ends_cleanly(std::string("\x1bP$q=\x1b\0\0\x7f\\", 11), "NUL NUL DEL");
}

// The same with any C0 control between the ESC and the \ (fuzz_screen:
// ESC SOH \ ending an OSC 99), in a DCS and an OSC: the control is dropped
// inside the string (tmux ignores it there), so a line feed in the string
// does not move the cursor either.
TEST(Guard15, C0ControlInsideAStringTerminator) {
  for (char ctl : {'\x01', '\n', '\r', '\b', '\x1f', '\x0e'})
    for (const std::string& open : {std::string("\x1bP$q="), std::string("\x1b]99;i=1:p=title;x")})
      expect_string_ends_cleanly(open + "\x1b" + std::string(1, ctl) + "\\", "control " + std::to_string(int(ctl)));
}

// libvterm 0.1.4 applies only the first DECSET/DECRST parameter; xterm and
// tmux apply them all. The Screen hands libvterm the rest one by one.
TEST(DecsetParams, EveryParameterApplies) {
  Screen s(opts(5, 40));
  s.feed("main");
  s.feed("\x1b[?1;1049h");
  EXPECT_TRUE(s.alt_screen());
  EXPECT_TRUE(s.modes().app_cursor);
  s.feed("alt");
  s.feed("\x1b[?1049;1l");
  EXPECT_FALSE(s.alt_screen());
  EXPECT_FALSE(s.modes().app_cursor);
  EXPECT_EQ(row_text(s, 0), "main");
  s.feed("\x1b[?1000;");
  s.feed("1006;2004h");
  EXPECT_EQ(s.modes().mouse, 1000);
  EXPECT_EQ(s.modes().mouse_encoding, 1006);
  EXPECT_TRUE(s.modes().bracketed_paste);
  // A missing first parameter does not stop the others.
  s.feed("\x1b[?;25;1049h");
  EXPECT_TRUE(s.alt_screen());
}
