// Terminal tests, driven in a private tmux like a person would:
// - a project's committed .amux/agents.toml runs nothing of its own until
//   `amux trust` was answered y on a terminal, and again after it changes;
// - attach's detach line prints a hostile session name inert (the pane's
//   raw bytes, recorded with pipe-pane, hold no escape from the name, and the
//   title is not the one the name tried to set).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/amux_env.h"

using namespace amux::test;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/amux-trust-proj-XXXXXX";
    path = fs::canonical(mkdtemp(tmpl));
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// How many lines of `s` contain `needle`.
int lines_with(const std::string& s, const std::string& needle) {
  std::istringstream in(s);
  std::string l;
  int n = 0;
  while (std::getline(in, l)) n += l.find(needle) != std::string::npos;
  return n;
}

}  // namespace

TEST(Trust, ProjectFileRunsNothingUntilTrustedInATerminal) {
  AmuxEnv env;
  TempDir proj;
  const fs::path user_mark = proj.path / "USERMARK", marker = proj.path / "MARKER",
                 marker2 = proj.path / "MARKER2";
  // The user's own profile: what runs while the project is not trusted.
  std::ofstream(env.config_dir() + "/agents.toml")
      << "[fake]\nbinary = \"sh\"\nstart = [\"-c\", \"touch '" << user_mark.string()
      << "'; sleep 60\"]\n";
  // The committed project file would run its own command.
  fs::create_directories(proj.path / ".amux");
  auto write_project = [&](const fs::path& mark) {
    std::ofstream(proj.path / ".amux/agents.toml")
        << "[fake]\nstart = [\"-c\", \"touch '" << mark.string() << "'; sleep 60\"]\n"
        << "[evil]\nbinary = \"sh\"\nstart = [\"-c\", \"touch '" << mark.string() << "'\"]\n";
  };
  write_project(marker);
  const std::vector<std::string> dispatch = {"--bg", "--agent", "fake", "--cwd", proj.path.string(), "go"};

  // Untrusted: the user's profile runs, one line says what was ignored.
  RunResult r = env.amux(dispatch);
  ASSERT_EQ(r.rc, 0) << r.err;
  ASSERT_TRUE(wait_until([&] { return fs::exists(user_mark); }, 20000)) << r.out << r.err;
  EXPECT_FALSE(fs::exists(marker));
  EXPECT_EQ(lines_with(r.err, "amux trust " + proj.path.string()), 1) << r.err;
  EXPECT_NE(r.err.find("fake.start"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("profile 'evil'"), std::string::npos) << r.err;
  // A profile the project adds does not exist for it.
  r = env.amux({"--bg", "--agent", "evil", "--cwd", proj.path.string(), "go"});
  EXPECT_NE(r.rc, 0);
  EXPECT_NE(r.err.find("unknown agent 'evil'"), std::string::npos) << r.err;

  // Without a terminal, trust refuses (unless --yes) and stores nothing.
  r = env.amux({"trust", proj.path.string()});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("--yes"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(env.config_dir() + "/trusted.json"));

  // In a terminal: "n" trusts nothing, "y" does.
  Tmux t(120, 30, "env PS1='$ ' TERM=tmux-256color bash --norc --noprofile");
  ASSERT_TRUE(t.wait_for("$"));
  const std::string cmd = env.env_prefix() + amux_bin() + " trust " + proj.path.string() + "; echo RC=$?";
  t.send_text(cmd);
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("[y/N]")) << t.capture();
  t.send_text("n");
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("RC=1")) << t.capture();
  EXPECT_FALSE(fs::exists(env.config_dir() + "/trusted.json"));
  t.send_text("clear");
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_gone("[y/N]")) << t.capture();
  t.send_text(cmd);
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("[y/N]")) << t.capture();
  EXPECT_NE(t.capture().find("fake.start"), std::string::npos) << t.capture();
  t.send_text("y");
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("RC=0")) << t.capture();
  struct stat st;
  ASSERT_EQ(stat((env.config_dir() + "/trusted.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // Trusted: the project's command runs, nothing is said.
  r = env.amux(dispatch);
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(wait_until([&] { return fs::exists(marker); }, 20000)) << r.out << r.err;
  EXPECT_EQ(r.err.find("amux trust"), std::string::npos) << r.err;

  // Edited: ignored again until trusted again.
  fs::remove(user_mark);
  write_project(marker2);
  r = env.amux(dispatch);
  ASSERT_EQ(r.rc, 0) << r.err;
  ASSERT_TRUE(wait_until([&] { return fs::exists(user_mark); }, 20000)) << r.out << r.err;
  EXPECT_FALSE(fs::exists(marker2));
  EXPECT_EQ(lines_with(r.err, "amux trust " + proj.path.string()), 1) << r.err;

  // --yes trusts without a terminal.
  r = env.amux({"trust", "--yes", proj.path.string()});
  EXPECT_EQ(r.rc, 0) << r.err;
  r = env.amux(dispatch);
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(wait_until([&] { return fs::exists(marker2); }, 20000)) << r.out << r.err;
}

TEST(SafeOutput, DetachLinePrintsAHostileNameInert) {
  AmuxEnv env;
  const std::string hostile = "x\x1b]52;c;aGVsbG8=\a\x1b]0;PWNED\a\xc2\x9b" "2J\xe2\x80\xae" "evil";
  RunResult r = env.amux({"--bg", "--exec", "echo READY-FOR-ATTACH; sleep 60", "--name", hostile});
  ASSERT_EQ(r.rc, 0) << r.err;
  const std::string id = dispatched_id(r);
  ASSERT_TRUE(env.wait_capture(id, "READY-FOR-ATTACH", 20000));

  TempDir d;
  const fs::path raw = d.path / "pane.raw";
  Tmux t(100, 30, "env PS1='$ ' TERM=tmux-256color bash --norc --noprofile");
  ASSERT_TRUE(t.wait_for("$"));
  t.send_text(env.env_prefix() + amux_bin() + " attach " + id);
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("READY-FOR-ATTACH")) << t.capture();
  // Record what reaches the pane from here on, then detach.
  ASSERT_EQ(t.tmux({"pipe-pane", "-o", "-t", "0", "cat >> '" + raw.string() + "'"}).rc, 0);
  t.send_keys({"C-b", "d"});
  ASSERT_TRUE(t.wait_for("[detached from " + id)) << t.capture();
  std::string bytes;
  ASSERT_TRUE(wait_until([&] {
    bytes = read_text(raw);
    return bytes.find("evil]") != std::string::npos;
  }, 10000)) << bytes;
  const size_t at = bytes.find("[detached from " + id);
  ASSERT_NE(at, std::string::npos) << bytes;
  const std::string line = bytes.substr(at, bytes.find(']', bytes.find("evil", at)) - at + 1);
  EXPECT_EQ(line.find('\x1b'), std::string::npos) << line;
  EXPECT_EQ(line.find('\a'), std::string::npos) << line;
  EXPECT_EQ(line.find("\xc2\x9b"), std::string::npos) << line;
  EXPECT_EQ(line.find("\xe2\x80\xae"), std::string::npos) << line;
  EXPECT_NE(line.find("]52;c;aGVsbG8="), std::string::npos) << line;  // the rest, inert
  EXPECT_NE(t.tmux({"display-message", "-p", "-t", "0", "#{pane_title}"}).out, "PWNED\n");
}

TEST(Trust, TheViewSaysOnceWhatAnUntrustedProjectAskedFor) {
  AmuxEnv env;
  TempDir proj;
  const fs::path user_mark = proj.path / "USERMARK", marker = proj.path / "MARKER";
  std::ofstream(env.config_dir() + "/agents.toml")
      << "[fake]\nbinary = \"sh\"\nstart = [\"-c\", \"touch '" << user_mark.string() << "'; sleep 60\"]\n";
  fs::create_directories(proj.path / ".amux");
  std::ofstream(proj.path / ".amux/agents.toml")
      << "[fake]\nstart = [\"-c\", \"touch '" << marker.string() << "'; sleep 60\"]\n";

  Tmux t(240, 30, "cd '" + proj.path.string() + "' && env PS1='$ ' TERM=tmux-256color bash --norc --noprofile");
  ASSERT_TRUE(t.wait_for("$"));
  t.send_text(env.env_prefix() + amux_bin() + " agents --agent fake");
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("describe a task", 15000)) << t.capture();
  t.send_text("first task for the fake agent");
  t.send_keys({"Enter"});
  ASSERT_TRUE(t.wait_for("amux trust " + proj.path.string(), 15000)) << t.capture();
  EXPECT_NE(t.capture().find("fake.start"), std::string::npos) << t.capture();
  ASSERT_TRUE(wait_until([&] { return fs::exists(user_mark); }, 20000));
  EXPECT_FALSE(fs::exists(marker));

  // The second dispatch is not told again: the status says it started.
  fs::remove(user_mark);
  t.send_text("second task for the fake agent");
  t.send_keys({"Enter"});
  ASSERT_TRUE(wait_until([&] { return fs::exists(user_mark); }, 20000)) << t.capture();
  ASSERT_TRUE(t.wait_for("started second", 15000)) << t.capture();
  EXPECT_EQ(t.capture().find("amux trust"), std::string::npos) << t.capture();
  EXPECT_FALSE(fs::exists(marker));
  t.send_keys({"Escape"});
}
