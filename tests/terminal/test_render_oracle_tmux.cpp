// Render fidelity with tmux 3.3a as the oracle: real full-screen programs
// (vim, less, man, nano, mc, dialog, ncdu, emacs, git in a pager, alternate
// screens, scroll regions) scripted key by key, and a corpus of escape
// sequence edge cases (tests/fixtures/render_corpus), each run in an amux
// session and in a plain tmux pane of the same size and TERM. What amux
// holds (`amux capture -e`) and what its attached client draws must equal
// tmux's pane — text, colours, attributes, cursor and title — except for
// the cases docs/render-differences.md names (where tmux is wrong); an
// exception that no longer differs fails too, so the list stays true.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>

#include "support/oracle_rig.h"

using namespace amux::test;
namespace fs = std::filesystem;

namespace {

// The cases docs/render-differences.md names: lines "- `case-name` ...".
std::set<std::string> documented_differences() {
  std::set<std::string> out;
  std::ifstream in(source_dir() + "/docs/render-differences.md");
  static const std::regex item(R"(^[-*] `([A-Za-z0-9_-]+)`)");
  std::string line;
  std::smatch m;
  while (std::getline(in, line))
    if (std::regex_search(line, m, item)) out.insert(m[1]);
  return out;
}

// Every case's diff counts, printed at the end of the run.
std::map<std::string, OracleResult>& results() {
  static std::map<std::string, OracleResult> r;
  return r;
}

OracleRig* g_rig = nullptr;

void write_file(const fs::path& p, const std::string& data) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << data;
}

// The files the programs show, made the same way on every run.
void make_files(const OracleRig& rig) {
  const fs::path f = rig.files(), h = rig.home();
  write_file(h / ".vimrc",
             "set nocompatible\nsyntax on\nset number ruler laststatus=2 hlsearch incsearch showcmd\n"
             "set title noswapfile nobackup viminfo= shortmess+=I belloff=all\n"
             // No terminal queries: the answers would differ, not the drawing.
             "set t_RV= t_u7= t_RB= t_RF= t_SH= t_RC= t_RS=\n");
  write_file(h / ".config/mc/ini",
             "[Midnight-Commander]\nuse_internal_edit=true\nconfirm_exit=false\nauto_save_setup=false\n"
             "[Layout]\nmessage_visible=false\nkeybar_visible=true\n");
  std::string c = "/* sample.c: a small program to look at */\n#include <stdio.h>\n\n";
  for (int i = 0; i < 60; i++)
    c += "static int value_" + std::to_string(i) + "(int x) { return x * " + std::to_string(i) +
         "; /* search me */ }\n";
  c += "\nint main(void) {\n  printf(\"hello %d\\n\", value_7(6));\n  return 0;\n}\n";
  write_file(f / "sample.c", c);
  std::string colors;
  for (int i = 0; i < 120; i++)
    colors += "line " + std::to_string(i) + " \x1b[3" + std::to_string(i % 8) + "mcolour " +
              std::to_string(i % 8) + "\x1b[0m \x1b[1mbold\x1b[0m \x1b[4munder\x1b[0m \x1b[7mrev\x1b[0m" +
              (i % 10 == 3 ? " needle" : "") + " \x1b[38;5;" + std::to_string(100 + i) + "m256\x1b[0m" +
              " \x1b[48;2;10;20;" + std::to_string(i) + "mrgb\x1b[0m\n";
  write_file(f / "colors.txt", colors);
  std::string text;
  for (int i = 0; i < 80; i++)
    text += "Paragraph " + std::to_string(i) + ": the quick brown fox jumps over the lazy dog; "
            "tabs\there\tand unicode caf\u00e9 \u4e2d\u6587 end.\n";
  write_file(f / "notes.txt", text);
  std::string man = ".TH ORACLE 1 \"2024-01-01\" \"oracle 1.0\" \"Oracle Manual\"\n.SH NAME\noracle \\- a page to render\n"
                    ".SH SYNOPSIS\n.B oracle\n[\\fB\\-v\\fR]\n[\\fIfile\\fR ...]\n.SH DESCRIPTION\n";
  for (int i = 0; i < 30; i++)
    man += ".PP\nParagraph " + std::to_string(i) + " of the description, with \\fBbold words\\fR and "
           "\\fIitalic words\\fR, long enough that it wraps across the width of the terminal at least once.\n";
  man += ".SH OPTIONS\n.TP\n.B \\-v\nBe verbose.\n.TP\n.B \\-q\nBe quiet.\n.SH SEE ALSO\n.BR less (1)\n";
  write_file(f / "oracle.1", man);
  for (int d = 0; d < 4; d++)
    for (int i = 0; i <= d * 3; i++)
      write_file(f / "tree" / ("dir" + std::to_string(d)) / ("file" + std::to_string(i) + ".dat"),
                 std::string(size_t(1000 * (i + 1) * (d + 1)), 'x'));
  // A git repository with fixed names and dates.
  const std::string git =
      "cd repo && export GIT_AUTHOR_NAME=Ada GIT_AUTHOR_EMAIL=ada@example.org GIT_COMMITTER_NAME=Ada "
      "GIT_COMMITTER_EMAIL=ada@example.org GIT_AUTHOR_DATE='2024-01-01T10:00:00Z' "
      "GIT_COMMITTER_DATE='2024-01-01T10:00:00Z' HOME=" + h.string() + " && git init -q -b main . && "
      "cp ../sample.c . && git add . && git commit -qm 'first: sample' && "
      "sed -i 's/search me/found you/' sample.c && git commit -qam 'second: rename comments' && "
      "printf 'new file\\n' > added.txt && git add added.txt && git commit -qm 'third: add a file' && "
      "sed -i 's/return 0/return 1/; s/value_3/value_three/' sample.c";
  fs::create_directories(f / "repo");
  auto r = run_process({"sh", "-c", "cd " + f.string() + " && " + git});
  EXPECT_EQ(r.rc, 0) << r.err;
  // Fixed times: mc shows them.
  run_process({"sh", "-c", "find " + f.string() + " -exec touch -h -d '2024-01-02 03:04:05' {} +"});
}

class RigEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    rig_ = std::make_unique<OracleRig>();
    g_rig = rig_.get();
    make_files(*rig_);
  }
  void TearDown() override {
    std::printf("\nrender oracle: diff counts (rows of capture / rows of attach / cursor / title)\n");
    for (auto& [name, r] : results())
      std::printf("  %-34s %d / %d / %d / %d%s\n", name.c_str(), r.capture_rows, r.attach_rows, r.cursor,
                  r.title, documented_differences().count(name) ? "  (documented difference)" : "");
    g_rig = nullptr;
    rig_.reset();
  }

 private:
  std::unique_ptr<OracleRig> rig_;
};

const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new RigEnvironment);

// Records the case's result and checks it against the documented list.
// AMUX_ORACLE_SHOW=1 prints every screen compared.
void judge(const std::string& name, const OracleResult& r) {
  results()[name] = r;
  if (getenv("AMUX_ORACLE_SHOW")) std::printf("--- %s (tmux)\n%s", name.c_str(), r.screen.c_str());
  if (documented_differences().count(name)) {
    EXPECT_GT(r.total(), 0) << name << " is listed in docs/render-differences.md but amux and tmux "
                            << "now agree: take it off the list";
    return;
  }
  EXPECT_EQ(r.total(), 0) << name << ": amux differs from tmux 3.3a\n" << r.report;
}

}  // namespace

// ---------------------------------------------------------------- programs

namespace {

struct Step {
  std::vector<std::string> keys;  // tmux key names
  std::string literal;            // or literal text
  std::string wait;               // shown by both before the next step
};

struct Program {
  std::string name;
  std::string command;
  std::string ready;  // shown once the program is up
  std::vector<Step> steps;
};

void PrintTo(const Program& p, std::ostream* os) { *os << p.name; }

std::vector<Program> programs() {
  return {
      {"vim-splits-visual-search",
       "exec vim sample.c",
       "sample.c",
       {{{}, ":split", ""},
        {{"Enter"}, "", ""},
        {{}, ":vsplit notes.txt", ""},
        {{"Enter"}, "", "notes.txt"},
        {{}, "/search", ""},
        {{"Enter"}, "", "search me"},
        {{"C-w", "j"}, "", ""},
        {{}, "12G", ""},
        {{"V"}, "", "-- VISUAL LINE --"},
        {{}, "jjj", ""},
        {{"Escape"}, "", ""},
        {{}, "wv3e", "-- VISUAL --"},
        {{"C-e", "C-e", "C-e"}, "", ""},
        {{"C-d"}, "", ""}}},
      {"less-R",
       "exec less -R colors.txt",
       "colour 0",
       {{{"Space"}, "", "line 29"},
        {{}, "/needle", ""},
        {{"Enter"}, "", "needle"},
        {{}, "G", "(END)"},
        {{}, "g", "line 0"}}},
      {"man",
       "export MANPAGER=less PAGER=less MANWIDTH=; exec man -l oracle.1",
       "NAME",
       {{{"Space"}, "", "Paragraph"},
        {{}, "/OPTIONS", ""},
        {{"Enter"}, "", "Be verbose"}}},
      {"nano",
       "exec nano -I notes.txt",
       "GNU nano",
       {{{}, "typed by the oracle ", "typed by the oracle"},
        {{"C-w"}, "", "Search"},
        {{}, "Paragraph 40", ""},
        {{"Enter"}, "", "Paragraph 40"},
        {{"C-k"}, "", ""},
        {{"C-g"}, "", "Main nano help text"}}},
      {"mc",
       "exec mc -u -d",
       "Left",
       {{{"Down", "Down"}, "", ""},
        {{"Tab"}, "", ""},
        {{"F9"}, "", ""},
        {{"Down"}, "", "Listing format"}}},
      {"dialog",
       "exec dialog --backtitle 'Oracle' --checklist 'Pick some fruit' 15 50 5 a Apple on b Banana off "
       "c Cherry off d Damson on",
       "Pick some fruit",
       {{{"Down"}, "", ""},
        {{"Space"}, "", ""},
        {{"Down", "Down", "Space"}, "", ""},
        {{"Tab"}, "", ""}}},
      {"ncdu",
       "exec ncdu --color dark tree",
       "Total disk usage",
       {{{"Down"}, "", ""},
        {{"Enter"}, "", "file0.dat"},
        {{"Left"}, "", "dir0"},
        {{}, "?", "ncdu help"}}},
      {"emacs-nw",
       "exec emacs -nw -Q notes.txt",
       "notes.txt",
       {{{"C-s"}, "", "I-search"},
        // C-g drops what is typed ahead of it: wait for the search first.
        {{}, "lazy", "I-search: lazy"},
        // C-g also drops what is typed after it until emacs has taken it
        // (its "Quit"): C-x 2 sent too soon was lost under load.
        {{"C-g"}, "", "Quit"},
        {{"C-x", "2"}, "", ""},
        {{"M-<"}, "", ""},
        {{"C-v"}, "", ""}}},
      {"git-log-pager",
       "cd repo && export GIT_PAGER='less -R' && exec git log -p --stat --color=always",
       "third: add a file",
       {{{"Space"}, "", ""},
        {{}, "/found", ""},
        {{"Enter"}, "", "found you"}}},
      {"git-diff-pager",
       "cd repo && export GIT_PAGER='less -R' && exec git diff --color=always --word-diff=color HEAD~2",
       "diff --git",
       {{{"Space"}, "", ""}}},
      {"alternate-screen",
       "stty -echo; printf 'primary %s\\n' 1 2 3; printf '\\033[?1049h\\033[H\\033[7malternate\\033[0m\\033[5;5Hbox'; "
       "read x; printf '\\033[?1049lback on the primary\\n'; exec cat",
       "box",
       {{{"Enter"}, "", "back on the primary"}}},
      {"titles",
       "stty -echo; printf '\\033]0;first title\\007titled\\n'; read x; "
       "printf '\\033]2;second title \\342\\234\\223 caf\\303\\251\\033\\\\retitled\\n'; exec cat",
       "titled",
       {{{"Enter"}, "", "retitled"}}},
      {"scroll-region",
       "stty -echo; printf '\\033[2J\\033[Htop line\\033[30;1Hbottom line\\033[5;20r\\033[20;1H'; "
       "i=0; while [ $i -lt 40 ]; do i=$((i+1)); printf 'scrolled %s\\n' $i; done; "
       "printf '\\033[5;1H\\033M\\033M\\033[1mreverse index\\033[0m\\033[2S\\033[1T\\033[r\\033[25;1Hdone'; "
       "read x; printf '\\033[3;28r\\033[28;1H\\n\\n\\n\\033[r\\033[12;4Hafter'; exec cat",
       "done",
       {{{"Enter"}, "", "after"}}},
  };
}

class RenderOracleProgram : public ::testing::TestWithParam<Program> {};

TEST_P(RenderOracleProgram, SameScreenAsTmux) {
  ASSERT_NE(g_rig, nullptr);
  OracleRig& rig = *g_rig;
  const Program& p = GetParam();
  const std::string program = p.command.substr(p.command.rfind("exec ") + 5);
  const std::string binary = program.substr(0, program.find(' '));
  ASSERT_EQ(run_process({"sh", "-c", "command -v " + binary}).rc, 0)
      << binary << " is not installed: `make deps` installs the programs this test runs";
  ASSERT_TRUE(rig.start(p.name, p.command));
  ASSERT_TRUE(rig.wait_both(p.name, p.ready)) << "not ready: " << p.ready << "\n" << rig.panes(p.name);
  OracleResult result;  // the last comparison, or the first that differs
  for (size_t i = 0; i < p.steps.size(); ++i) {
    const Step& s = p.steps[i];
    if (!s.keys.empty()) rig.keys(p.name, s.keys);
    if (!s.literal.empty()) rig.text(p.name, s.literal);
    if (!s.wait.empty()) {
      ASSERT_TRUE(rig.wait_both(p.name, s.wait))
          << "step " << i << ": no '" << s.wait << "'\n" << rig.panes(p.name);
    }
    // Each step is compared once both have drawn it (the last one with the
    // cursor and the title). The first step that differs is the one to
    // read, and later ones would each wait out the deadline.
    const bool last = i + 1 == p.steps.size();
    result = rig.compare(p.name, 10000, last);
    if (result.total()) {
      result.report = "after step " + std::to_string(i) + ":\n" + result.report;
      break;
    }
  }
  judge(p.name, result);
  rig.finish(p.name);
}

INSTANTIATE_TEST_SUITE_P(Programs, RenderOracleProgram, ::testing::ValuesIn(programs()),
                         [](const auto& info) {
                           std::string n = info.param.name;
                           for (auto& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace

// ------------------------------------------------------------------ corpus

namespace {

std::vector<std::string> corpus_cases() {
  std::vector<std::string> v;
  std::error_code ec;
  for (auto& e : fs::directory_iterator(source_dir() + "/tests/fixtures/render_corpus", ec))
    if (e.is_regular_file() && e.path().extension() == ".vt") v.push_back(e.path().stem().string());
  std::sort(v.begin(), v.end());
  return v;
}

// Cases are started a batch at a time, ahead of the one being checked.
constexpr size_t kBatch = 12;
std::set<std::string>& started() {
  static std::set<std::string> s;
  return s;
}

void start_batch_from(const std::string& name) {
  const std::vector<std::string> all = corpus_cases();
  auto it = std::find(all.begin(), all.end(), name);
  for (size_t n = 0; it != all.end() && n < kBatch; ++it, ++n) {
    if (started().count(*it)) continue;
    started().insert(*it);
    const std::string file = source_dir() + "/tests/fixtures/render_corpus/" + *it + ".vt";
    // Raw bytes (no output processing), then a title as the barrier after a
    // CAN that ends any sequence left open; `exec cat` keeps the screen.
    g_rig->start(*it, "stty -opost -echo; cat '" + file + "'; printf '\\030\\033]2;K-DONE\\007'; exec cat");
  }
}

class RenderOracleCorpus : public ::testing::TestWithParam<std::string> {};

TEST(RenderOracle, CorpusAndDocumentedDifferencesAreThere) {
  const auto cases = corpus_cases();
  EXPECT_GE(cases.size(), 40u);
  std::set<std::string> names(cases.begin(), cases.end());
  for (const Program& p : programs()) names.insert(p.name);
  for (const std::string& d : documented_differences()) {
    EXPECT_TRUE(names.count(d)) << "docs/render-differences.md names " << d << ", which is no case";
  }
  EXPECT_GE(documented_differences().size(), 3u);
}

TEST_P(RenderOracleCorpus, SameScreenAsTmux) {
  ASSERT_NE(g_rig, nullptr);
  const std::string name = GetParam();
  start_batch_from(name);
  // Once one case never finishes, the others fail fast (the binary's time
  // limit holds for the whole run).
  static int barrier_ms = 20000;
  if (!g_rig->wait_title(name, "K-DONE", barrier_ms)) {
    barrier_ms = 2000;
    g_rig->finish(name);
    FAIL() << "the case did not finish in both (no K-DONE title)";
  }
  // After the barrier only the attached client may still be drawing; a
  // documented difference stays different, so it needs no long wait.
  judge(name, g_rig->compare(name, documented_differences().count(name) ? 1000 : 3000));
  g_rig->finish(name);
}

INSTANTIATE_TEST_SUITE_P(Corpus, RenderOracleCorpus, ::testing::ValuesIn(corpus_cases()),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
