// test_mux_record.cpp — session records, atomic files, ids, name resolution
// and the config/socket paths.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <regex>
#include <set>
#include <string>

#include "mux/store/atomic_file.h"
#include "mux/store/paths.h"
#include "mux/store/session_id.h"
#include "mux/store/session_record.h"

using namespace amux::mux;
namespace fs = std::filesystem;

namespace {

// A fresh temp dir, removed afterwards.
struct TempDir {
  std::string path;
  explicit TempDir(const char* tmpl = "/tmp/amux-rec-XXXXXX") {
    std::string t = tmpl;
    path = ::mkdtemp(t.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// Sets an environment variable for one scope, restoring the old value.
struct ScopedEnv {
  std::string name;
  std::optional<std::string> old;
  ScopedEnv(const char* n, const char* value) : name(n) {
    if (const char* o = std::getenv(n)) old = o;
    if (value) ::setenv(n, value, 1);
    else ::unsetenv(n);
  }
  ~ScopedEnv() {
    if (old) ::setenv(name.c_str(), old->c_str(), 1);
    else ::unsetenv(name.c_str());
  }
};

mode_t mode_of(const std::string& p) {
  struct stat st;
  EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

std::set<std::string> list_dir(const std::string& d) {
  std::set<std::string> out;
  for (auto& e : fs::directory_iterator(d)) out.insert(e.path().filename().string());
  return out;
}

SessionRecord rec(const std::string& id, const std::string& name, int64_t created = 1) {
  SessionRecord r;
  r.id = id;
  r.name = name;
  r.created_at = created;
  return r;
}

Paths temp_paths(const TempDir& t) {
  Paths p;
  p.config_dir = t.path + "/cfg";
  p.socket_dir = t.path + "/sock/h";
  return p;
}

}  // namespace

TEST(MuxRecord, StateNamesAndLabels) {
  EXPECT_STREQ(state_label(SessionState::Working), "Working");
  EXPECT_STREQ(state_label(SessionState::Blocked), "Needs input");
  EXPECT_STREQ(state_label(SessionState::Idle), "Idle");
  EXPECT_STREQ(state_label(SessionState::Done), "Completed");
  EXPECT_STREQ(state_label(SessionState::Failed), "Failed");
  EXPECT_STREQ(state_label(SessionState::Stopped), "Stopped");
  EXPECT_STREQ(state_label(SessionState::Starting), "Starting");
  for (auto s : {SessionState::Starting, SessionState::Working, SessionState::Blocked,
                 SessionState::Idle, SessionState::Done, SessionState::Failed,
                 SessionState::Stopped})
    EXPECT_EQ(parse_state(state_name(s)), s);
  EXPECT_EQ(parse_state("blocked"), SessionState::Blocked);
  EXPECT_FALSE(parse_state("sleeping"));
  EXPECT_TRUE(state_is_live(SessionState::Blocked));
  EXPECT_FALSE(state_is_live(SessionState::Done));
}

TEST(MuxRecord, JsonRoundTripKeepsUnknownFields) {
  SessionRecord r;
  r.id = "0123abcd";
  r.name = "fix-tests";
  r.name_source = "user";
  r.kind = "agent";
  r.agent = "claude";
  r.prompt = "fix the flaky test";
  r.argv = {"claude", "-p", "x y"};
  r.resume_argv = {"claude", "--resume", "u"};
  r.cwd = "/src/repo";
  r.env = {"A=1", "B=two words"};
  r.session_uuid = new_uuid();
  r.worktree = "/src/repo/.amux/worktrees/fix-tests";
  r.state = SessionState::Blocked;
  r.detail = "Allow edit?";
  r.waiting_for = "permission";
  r.pid = 4242;
  r.host_pid = 4241;
  r.host_start_time = 123456789012ull;
  r.socket = "/run/amux/x/0123abcd.sock";
  r.rows = 40;
  r.cols = 120;
  r.created_at = 1700000000000;
  r.updated_at = 1700000000500;
  r.started_at = 1700000000100;
  r.finished_at = 1700000000900;
  r.exit_code = 3;
  r.signal = 9;
  r.had_work = true;

  nlohmann::json j = r.to_json();
  EXPECT_EQ(j["nameSource"], "user");
  EXPECT_EQ(j["resumeArgv"][1], "--resume");
  EXPECT_EQ(j["sessionId"], r.session_uuid);
  EXPECT_EQ(j["waitingFor"], "permission");
  EXPECT_EQ(j["hostStartTime"], 123456789012ull);
  EXPECT_EQ(j["state"], "blocked");
  EXPECT_EQ(j["exitCode"], 3);
  EXPECT_EQ(j["hadWork"], true);

  // A newer amux added fields: they survive a load/save by this one.
  j["pinnedAt"] = 17;
  j["future"] = {{"nested", {1, 2, 3}}};
  SessionRecord back = SessionRecord::from_json(j);
  EXPECT_EQ(back.to_json(), j);
  EXPECT_EQ(back.extra["future"]["nested"][2], 3);
  EXPECT_EQ(back.argv, r.argv);
  EXPECT_EQ(back.env, r.env);
  EXPECT_EQ(back.state, SessionState::Blocked);
  EXPECT_EQ(back.exit_code, 3);
  EXPECT_EQ(back.signal, 9);
  EXPECT_EQ(back.host_start_time, r.host_start_time);
}

TEST(MuxRecord, OptionalFieldsAreOmitted) {
  SessionRecord r = rec("0000abcd", "n");
  nlohmann::json j = r.to_json();
  for (const char* k : {"pid", "hostPid", "hostStartTime", "exitCode", "signal", "detail",
                        "waitingFor", "worktree", "sessionId", "resumeArgv", "env", "socket",
                        "startedAt", "finishedAt", "prompt"})
    EXPECT_FALSE(j.contains(k)) << k;
  for (const char* k : {"id", "name", "nameSource", "kind", "agent", "argv", "state", "rows",
                        "cols", "createdAt", "updatedAt", "hadWork"})
    EXPECT_TRUE(j.contains(k)) << k;
  SessionRecord back = SessionRecord::from_json(j);
  EXPECT_EQ(back.pid, 0);
  EXPECT_FALSE(back.exit_code);
  EXPECT_EQ(back.state, SessionState::Starting);
}

TEST(MuxRecord, WrongTypesThrow) {
  EXPECT_THROW(SessionRecord::from_json(nlohmann::json::array()), std::exception);
  EXPECT_THROW(SessionRecord::from_json({{"id", "x"}, {"pid", "notanumber"}}), std::exception);
  EXPECT_THROW(SessionRecord::from_json({{"id", "x"}, {"argv", "sh"}}), std::exception);
  EXPECT_THROW(SessionRecord::from_json({{"id", "x"}, {"state", "sleeping"}}), std::exception);
}

TEST(MuxRecord, SaveAndLoad) {
  TempDir t;
  Paths p = temp_paths(t);
  SessionRecord r = rec("deadbeef", "job");
  r.argv = {"sh", "-c", "echo hi"};
  r.extra["kept"] = "yes";
  ASSERT_EQ(save_record(p, r), 0);
  EXPECT_GT(r.updated_at, 0);
  EXPECT_EQ(mode_of(p.job_dir("deadbeef")), 0700u);
  EXPECT_EQ(mode_of(p.job_dir("deadbeef") + "/tmp"), 0700u);
  EXPECT_EQ(mode_of(p.state_file("deadbeef")), 0600u);

  std::string err;
  auto back = load_record(p, "deadbeef", &err);
  ASSERT_TRUE(back) << err;
  EXPECT_EQ(back->argv, r.argv);
  EXPECT_EQ(back->extra["kept"], "yes");

  // Rewrites leave no temp files behind.
  for (int i = 0; i < 20; ++i) {
    back->detail = "round " + std::to_string(i);
    ASSERT_EQ(save_record(p, *back), 0);
  }
  EXPECT_EQ(list_dir(p.job_dir("deadbeef")), (std::set<std::string>{"state.json", "tmp"}));
  EXPECT_EQ(load_record(p, "deadbeef")->detail, "round 19");

  EXPECT_FALSE(load_record(p, "00000000", &err));
  EXPECT_NE(err.find("00000000"), std::string::npos);
}

TEST(MuxRecord, LoadAllSkipsBadRecordsAndSorts) {
  TempDir t;
  Paths p = temp_paths(t);
  SessionRecord a = rec("aaaaaaaa", "later", 200), b = rec("bbbbbbbb", "earlier", 100);
  ASSERT_EQ(save_record(p, a), 0);
  ASSERT_EQ(save_record(p, b), 0);
  ASSERT_EQ(make_dirs(p.job_dir("cccccccc")), 0);
  ASSERT_EQ(write_file_atomic(p.state_file("cccccccc"), "{ this is not json"), 0);
  ASSERT_EQ(make_dirs(p.job_dir("dddddddd")), 0);  // no state.json at all
  ASSERT_EQ(write_file_atomic(p.pins_file(), "[]"), 0);
  auto all = load_all_records(p);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, "bbbbbbbb");
  EXPECT_EQ(all[1].id, "aaaaaaaa");
  std::string err;
  EXPECT_FALSE(load_record(p, "cccccccc", &err));
  EXPECT_NE(err.find("bad session record"), std::string::npos) << err;
}

TEST(MuxRecord, AtomicWriteReplacesWholeFile) {
  TempDir t;
  std::string f = t.path + "/x.json";
  ASSERT_EQ(write_file_atomic(f, std::string(100000, 'a')), 0);
  ASSERT_EQ(write_file_atomic(f, "short", 0640), 0);
  EXPECT_EQ(read_file(f), "short");
  EXPECT_EQ(mode_of(f), 0640u);
  EXPECT_EQ(list_dir(t.path), (std::set<std::string>{"x.json"}));
  EXPECT_LT(write_file_atomic(t.path + "/missing/dir/x", "y"), 0);
  EXPECT_EQ(list_dir(t.path), (std::set<std::string>{"x.json"}));
  EXPECT_FALSE(read_file(t.path + "/nope"));
}

TEST(MuxRecord, MakeDirs) {
  TempDir t;
  std::string d = t.path + "/a/b/c";
  ASSERT_EQ(make_dirs(d, 0700), 0);
  EXPECT_TRUE(fs::is_directory(d));
  EXPECT_EQ(mode_of(t.path + "/a"), 0700u);
  EXPECT_EQ(make_dirs(d), 0);  // exists: fine
  ASSERT_EQ(write_file_atomic(t.path + "/file", "x"), 0);
  EXPECT_EQ(make_dirs(t.path + "/file/sub"), -ENOTDIR);
}

TEST(MuxRecord, IdsAndUuids) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string id = new_session_id();
    EXPECT_TRUE(is_session_id(id)) << id;
    seen.insert(id);
  }
  EXPECT_GT(seen.size(), 195u);
  EXPECT_FALSE(is_session_id("0123abcg"));
  EXPECT_FALSE(is_session_id("0123abc"));
  EXPECT_FALSE(is_session_id("0123ABCD"));
  std::regex v4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  for (int i = 0; i < 50; ++i) {
    std::string u = new_uuid();
    EXPECT_TRUE(std::regex_match(u, v4)) << u;
  }
}

TEST(MuxRecord, ResolveSession) {
  std::vector<SessionRecord> all = {
      rec("7c5dcf5d", "flaky-test-fix"), rec("7c5d0000", "docs"),
      rec("a1b2c3d4", "Refactor-Parser"), rec("a9999999", "refactor-lexer"),
      rec("fe000000", "7c5d"),  // a name that looks like an id prefix
  };
  auto r = resolve_session(all, "7c5dcf5d");
  EXPECT_EQ(r.id, "7c5dcf5d");
  EXPECT_EQ(r.error, "");

  r = resolve_session(all, "7c5dc");  // unique prefix
  EXPECT_EQ(r.id, "7c5dcf5d");

  r = resolve_session(all, "7c");  // ambiguous prefix, no name matches
  EXPECT_EQ(r.id, "");
  EXPECT_EQ(r.error, "'7c' matches 2 sessions:");
  EXPECT_EQ(r.candidates,
            (std::vector<std::string>{"7c5dcf5d  flaky-test-fix", "7c5d0000  docs"}));

  r = resolve_session(all, "7c5d");  // ambiguous prefix, but an exact name
  EXPECT_EQ(r.id, "fe000000");

  r = resolve_session(all, "docs");  // exact name
  EXPECT_EQ(r.id, "7c5d0000");

  r = resolve_session(all, "PARSER");  // case-insensitive substring
  EXPECT_EQ(r.id, "a1b2c3d4");

  r = resolve_session(all, "flaky");
  EXPECT_EQ(r.id, "7c5dcf5d");

  r = resolve_session(all, "refactor");  // ambiguous substring
  EXPECT_EQ(r.id, "");
  EXPECT_EQ(r.error, "'refactor' matches 2 sessions:");
  EXPECT_EQ(r.candidates.size(), 2u);

  r = resolve_session(all, "nothing");
  EXPECT_EQ(r.id, "");
  EXPECT_EQ(r.error, "no session matches 'nothing'");
  EXPECT_TRUE(r.candidates.empty());

  EXPECT_EQ(resolve_session({}, "x").error, "no session matches 'x'");
  EXPECT_EQ(resolve_session(all, "").id, "");
}

TEST(MuxPaths, FromEnv) {
  TempDir t("/tmp/amuxp-XXXXXX");
  std::string xdg = t.path + "/run";
  ASSERT_EQ(make_dirs(xdg), 0);
  {
    ScopedEnv c("AMUX_CONFIG_DIR", (t.path + "/cfg/").c_str());
    ScopedEnv x("XDG_RUNTIME_DIR", xdg.c_str());
    Paths p = Paths::from_env();
    EXPECT_EQ(p.config_dir, t.path + "/cfg");
    std::regex re("^" + xdg + "/amux/[0-9a-f]{8}$");
    EXPECT_TRUE(std::regex_match(p.socket_dir, re)) << p.socket_dir;
    EXPECT_EQ(p.state_file("abcd0123"), t.path + "/cfg/jobs/abcd0123/state.json");
    EXPECT_EQ(p.host_socket("abcd0123"), p.socket_dir + "/abcd0123.sock");
    EXPECT_EQ(p.control_socket(), p.socket_dir + "/control.sock");

    // Same dir spelled differently: same instance. Another dir: another hash.
    ScopedEnv c2("AMUX_CONFIG_DIR", (t.path + "/./cfg").c_str());
    EXPECT_EQ(Paths::from_env().socket_dir, p.socket_dir);
    ScopedEnv c3("AMUX_CONFIG_DIR", (t.path + "/cfg2").c_str());
    EXPECT_NE(Paths::from_env().socket_dir, p.socket_dir);
  }
  {
    // Relative config dirs are made absolute.
    std::string old = fs::current_path();
    fs::current_path(t.path);
    ScopedEnv c("AMUX_CONFIG_DIR", "rel");
    Paths p = Paths::from_env();
    fs::current_path(old);
    EXPECT_EQ(p.config_dir, t.path + "/rel");
  }
  {
    ScopedEnv c("AMUX_CONFIG_DIR", nullptr);
    ScopedEnv h("HOME", (t.path + "/home").c_str());
    ScopedEnv x("XDG_RUNTIME_DIR", (t.path + "/no-such-dir").c_str());
    Paths p = Paths::from_env();
    EXPECT_EQ(p.config_dir, t.path + "/home/.amux");
    std::regex re("^/tmp/amux-" + std::to_string(::getuid()) + "/[0-9a-f]{8}$");
    EXPECT_TRUE(std::regex_match(p.socket_dir, re)) << p.socket_dir;
  }
  EXPECT_EQ(max_socket_path(), 107u);
}

TEST(MuxPaths, EnsureCreatesPrivateDirsAndRefusesOpenOnes) {
  TempDir t("/tmp/amuxp-XXXXXX");
  ScopedEnv c("AMUX_CONFIG_DIR", (t.path + "/cfg").c_str());
  ScopedEnv x("XDG_RUNTIME_DIR", t.path.c_str());
  Paths p = Paths::from_env();
  ASSERT_EQ(p.ensure(), "");
  EXPECT_TRUE(fs::is_directory(p.config_dir));
  EXPECT_EQ(mode_of(p.socket_dir), 0700u);
  EXPECT_EQ(mode_of(t.path + "/amux"), 0700u);
  EXPECT_EQ(p.ensure(), "");  // again: fine

  ASSERT_EQ(::chmod(p.socket_dir.c_str(), 0755), 0);
  std::string err = p.ensure();
  EXPECT_NE(err.find("mode 0755"), std::string::npos) << err;
  EXPECT_EQ(err.find('\n'), std::string::npos);
  ASSERT_EQ(::chmod(p.socket_dir.c_str(), 0700), 0);

  ASSERT_EQ(::chmod((t.path + "/amux").c_str(), 0777), 0);
  EXPECT_NE(p.ensure(), "");  // the parent is checked too
  ASSERT_EQ(::chmod((t.path + "/amux").c_str(), 0700), 0);

  // A symlink in place of the socket dir is refused (lstat).
  fs::remove(p.socket_dir);
  fs::create_directory_symlink(t.path, p.socket_dir);
  EXPECT_NE(p.ensure(), "");
}

TEST(MuxPaths, EnsureRefusesTooLongSocketDir) {
  TempDir t("/tmp/amuxp-XXXXXX");
  std::string deep = t.path + "/" + std::string(100, 'd');
  ASSERT_EQ(make_dirs(deep), 0);
  ScopedEnv c("AMUX_CONFIG_DIR", (t.path + "/cfg").c_str());
  ScopedEnv x("XDG_RUNTIME_DIR", deep.c_str());
  Paths p = Paths::from_env();
  std::string err = p.ensure();
  EXPECT_NE(err.find("too long"), std::string::npos) << err;
}
