// Integration tests: nothing a session's name or a request carries reaches a
// person's terminal raw (every command's output with a hostile name holds no
// ESC, no C1, no bidi control; JSON stays exact), and an id from a request
// never names a path outside the config dir.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "mux/wire/daemon_client.h"
#include "mux/store/paths.h"
#include "support/amux_env.h"

using namespace amux::test;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// OSC 52 (clipboard), OSC 0 (title), a C1 CSI as UTF-8 (U+009B) with an
// erase-display, a right-to-left override and an isolate.
const std::string kHostile =
    "x\x1b]52;c;aGVsbG8=\a\x1b]0;PWNED\a\xc2\x9b" "2J\xe2\x80\xae" "evil\xe2\x81\xa6" "name";

// The first byte that must never reach a terminal, or "" when there is none.
std::string raw_control(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\n') || c == 0x7f) return "control byte " + std::to_string(c) + " at " + std::to_string(i);
    if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xa0)
      return "C1 at " + std::to_string(i);
    if (c == 0xe2 && i + 2 < s.size()) {
      unsigned char b1 = static_cast<unsigned char>(s[i + 1]), b2 = static_cast<unsigned char>(s[i + 2]);
      if ((b1 == 0x80 && b2 >= 0xaa && b2 <= 0xae) || (b1 == 0x81 && b2 >= 0xa6 && b2 <= 0xa9))
        return "bidi control at " + std::to_string(i);
    }
  }
  return "";
}

#define EXPECT_CLEAN(r, what)                                                   \
  do {                                                                          \
    EXPECT_EQ(raw_control((r).out), "") << what << " stdout: " << (r).out;      \
    EXPECT_EQ(raw_control((r).err), "") << what << " stderr: " << (r).err;      \
  } while (0)

std::string id_from(const RunResult& r) {
  auto p = r.out.find("backgrounded · ");
  return p == std::string::npos ? "" : r.out.substr(p + std::string("backgrounded · ").size(), 8);
}

}  // namespace

TEST(SafeOutput, EveryCommandPrintsAHostileNameInert) {
  AmuxEnv env;
  RunResult r = env.amux({"--bg", "--exec", "sleep 60", "--name", kHostile});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_CLEAN(r, "--bg --name");
  const std::string id = id_from(r);
  ASSERT_EQ(id.size(), 8u) << r.out;

  // JSON keeps the name exactly (escaped by the encoder).
  r = env.amux({"agents", "--json"});
  EXPECT_CLEAN(r, "agents --json");
  bool found = false;
  for (auto& e : json::parse(r.out))
    if (e.value("id", "") == id) found = e.value("name", "") == kHostile;
  EXPECT_TRUE(found) << r.out;

  r = env.amux({"agents"});  // piped: the plain table
  EXPECT_CLEAN(r, "agents");
  EXPECT_NE(r.out.find(id), std::string::npos) << r.out;

  // A second hostile session: "evil" is now ambiguous.
  RunResult r2 = env.amux({"--bg", "--exec", "sleep 60", "--name", kHostile + "2"});
  ASSERT_EQ(r2.rc, 0) << r2.err;
  const std::string id2 = id_from(r2);
  for (const char* cmd : {"attach", "logs", "stop", "rm", "pin", "unpin", "capture", "respawn", "reply"}) {
    r = std::string(cmd) == "reply" ? env.amux({cmd, "evil", "text"}) : env.amux({cmd, "evil"});
    EXPECT_NE(r.rc, 0) << cmd;
    EXPECT_NE(r.err.find("matches 2 sessions"), std::string::npos) << cmd << ": " << r.err;
    EXPECT_CLEAN(r, cmd);
  }
  r = env.amux({"rename", "evil", "other"});
  EXPECT_NE(r.err.find("matches 2 sessions"), std::string::npos) << r.err;
  EXPECT_CLEAN(r, "rename ambiguous");

  // A session reports a hostile detail about itself (as its hooks would).
  r = env.amux({"--bg", "--exec",
                amux_bin() + " notify --state blocked --detail \"$(printf 'd\\033]0;PWNED\\007\\302\\233J')\"; "
                "echo notified; sleep 60", "--name", "detail-job"});
  ASSERT_EQ(r.rc, 0) << r.err;
  const std::string id3 = id_from(r);
  ASSERT_TRUE(wait_until([&] { return env.record_field(id3, "detail").find("PWNED") != std::string::npos; }, 20000))
      << env.record_field(id3, "detail");
  r = env.amux({"agents"});
  EXPECT_NE(r.out.find("d]0;PWNEDJ"), std::string::npos) << r.out;
  EXPECT_CLEAN(r, "agents with a hostile detail");

  // Errors that quote what was typed.
  r = env.amux({"attach", kHostile + "-nomatch"});
  EXPECT_NE(r.rc, 0);
  EXPECT_NE(r.err.find("no session matches"), std::string::npos) << r.err;
  EXPECT_CLEAN(r, "attach no match");
  r = env.amux({"--bg", "--agent", kHostile, "a prompt"});
  EXPECT_NE(r.rc, 0);
  EXPECT_CLEAN(r, "--agent hostile");
  r = env.amux({kHostile});
  EXPECT_NE(r.rc, 0);
  EXPECT_CLEAN(r, "unknown command");

  // rename echoes the new name; the session renames itself the same way.
  r = env.amux({"rename", id, kHostile + "-renamed"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("renamed " + id), std::string::npos) << r.out;
  EXPECT_CLEAN(r, "rename");
  for (const std::vector<std::string>& a :
       std::vector<std::vector<std::string>>{{"pin", id}, {"unpin", id}, {"agents", "--all"},
                                             {"daemon", "logs"}, {"daemon", "status"},
                                             {"stop", id2}, {"rm", "-f", id2}}) {
    r = env.amux(a);
    EXPECT_CLEAN(r, a[0] + " " + a[1]);
  }
}

TEST(SafeOutput, ColumnsCutByDisplayCells) {
  AmuxEnv env;
  // 30 wide characters (60 cells) and emoji: the name column is 24 cells.
  std::string wide;
  for (int i = 0; i < 30; ++i) wide += "漢";
  RunResult r = env.amux({"--bg", "--exec", "sleep 60", "--name", wide});
  ASSERT_EQ(r.rc, 0) << r.err;
  const std::string id = id_from(r);
  r = env.amux({"--bg", "--exec", "sleep 60", "--name", "😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀"});
  ASSERT_EQ(r.rc, 0) << r.err;
  const std::string id2 = id_from(r);
  r = env.amux({"agents"});
  ASSERT_EQ(r.rc, 0) << r.err;
  // Each row: "<id>  <state 8> <name 24 cells> <detail 40 cells> <age>": the
  // name is cut at 23 cells plus "…", never in the middle of a character.
  std::string want1, want2;
  for (int i = 0; i < 11; ++i) want1 += "漢";
  for (int i = 0; i < 11; ++i) want2 += "😀";
  EXPECT_NE(r.out.find(want1 + "… "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(want2 + "… "), std::string::npos) << r.out;
  // Valid UTF-8 throughout (a byte cut would leave a broken sequence).
  std::string o = r.out;
  size_t bad = 0;
  for (size_t i = 0; i < o.size(); ++i)
    if (o.compare(i, 3, "\xef\xbf\xbd") == 0) ++bad;
  EXPECT_EQ(bad, 0u);
  (void)id;
  (void)id2;
}

TEST(SafeOutput, ControlSocketRefusesAPathAsAnId) {
  AmuxEnv env;
  // A directory outside the config dir that looks like a session to a
  // traversing id: <config>/jobs/../../<victim> is <config>/../<victim>.
  const fs::path victim = fs::path(env.config_dir()).parent_path() /
                          ("amux-victim-" + std::to_string(getpid()));
  fs::create_directories(victim);
  std::ofstream(victim / "state.json") << "{\"state\":\"done\",\"name\":\"victim\"}";
  const std::string traversal = "../../" + victim.filename().string();

  // The supervisor is up (started by the real binary).
  ASSERT_EQ(env.amux({"agents", "--json"}).rc, 0);
  for (auto& [k, v] : env.env()) setenv(k.c_str(), v.c_str(), 1);
  const amux::mux::Paths paths = amux::mux::Paths::from_env();
  for (const char* op : {"rm", "stop", "rename", "pin", "respawn", "ensure"}) {
    json req = {{"op", op}, {"id", traversal}, {"force", true}, {"name", "x"}};
    json resp = amux::mux::supervisor_request(paths, req, false, 10000);
    EXPECT_FALSE(resp.value("ok", true)) << op << ": " << resp.dump();
    EXPECT_NE(resp.value("error", "").find("invalid session id"), std::string::npos) << op << ": " << resp.dump();
  }
  EXPECT_TRUE(fs::exists(victim / "state.json"));
  std::ifstream in(victim / "state.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "{\"state\":\"done\",\"name\":\"victim\"}");
  std::error_code ec;
  fs::remove_all(victim, ec);
}
