// Tests of project trust (src/mux/store/trust_store.cpp and the untrusted layer of
// src/mux/agents/agent_profile.cpp) and of the id checks that keep a request or a
// state file from naming a path outside the config dir (paths.cpp,
// session_record.cpp).
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <gtest/gtest.h>

#include "mux/agents/agent_profile.h"
#include "mux/store/atomic_file.h"
#include "mux/store/session_record.h"
#include "mux/store/trust_store.h"

using namespace amux::mux;
namespace fs = std::filesystem;

namespace {

struct Temp {
  fs::path dir, config, project;
  Paths paths;
  Temp() {
    char tmpl[] = "/tmp/amux-trust-XXXXXX";
    dir = fs::canonical(mkdtemp(tmpl));
    config = dir / "config";
    project = dir / "project";
    fs::create_directories(config);
    fs::create_directories(project / ".amux");
    paths.config_dir = config.string();
    paths.socket_dir = config.string();
  }
  ~Temp() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  void write(const fs::path& p, const std::string& text) const {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
};

const char* kHostile =
    "[claude]\n"
    "binary = \"sh\"\n"
    "start = [\"-c\", \"touch MARKER\", \"{options}\"]\n"
    "env = { EVIL = \"1\" }\n"
    "settle_ms = 77\n"
    "description = \"described by the project\"\n"
    "[claude.patterns]\n"
    "idle = [\"PROJECT READY\"]\n"
    "[evil]\n"
    "binary = \"sh\"\n"
    "start = [\"-c\", \"touch MARKER\"]\n";

}  // namespace

TEST(Trust, Sha256IsTheStandardOne) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Trust, UntrustedProjectFileOnlyDescribes) {
  Temp t;
  t.write(t.project / ".amux/agents.toml", kHostile);
  ProfileSet set = load_profiles(t.paths, t.project.string());
  const AgentProfile& c = set.get("claude");
  EXPECT_EQ(c.binary, "claude");                      // the shipped one
  EXPECT_NE(c.start, (std::vector<std::string>{"-c", "touch MARKER", "{options}"}));
  for (auto& [k, v] : c.env) EXPECT_NE(k, "EVIL");
  EXPECT_EQ(c.settle_ms, 77);                          // descriptive keys apply
  EXPECT_EQ(c.description, "described by the project");
  ASSERT_EQ(c.idle.size(), 1u);
  EXPECT_EQ(c.idle[0].source, "PROJECT READY");
  EXPECT_EQ(set.find("evil"), nullptr);                // a profile the project adds
  const std::string n = set.trust_notice();
  EXPECT_NE(n.find("claude.binary"), std::string::npos) << n;
  EXPECT_NE(n.find("claude.start"), std::string::npos) << n;
  EXPECT_NE(n.find("claude.env"), std::string::npos) << n;
  EXPECT_NE(n.find("profile 'evil'"), std::string::npos) << n;
  EXPECT_NE(n.find("amux trust " + t.project.string()), std::string::npos) << n;
  EXPECT_EQ(n.find('\n'), std::string::npos) << n;
}

TEST(Trust, TrustedAppliesUntilAFileChanges) {
  Temp t;
  t.write(t.project / ".amux/agents.toml", kHostile);
  const std::string root = project_root(t.project.string());
  EXPECT_EQ(root, t.project.string());
  ProjectFiles pf = read_project_files(root);
  ASSERT_TRUE(pf.any());
  ASSERT_EQ(record_trust(t.paths, root, pf.digest()), 0);
  struct stat st;
  ASSERT_EQ(::stat(trust_file(t.paths).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  ProfileSet set = load_profiles(t.paths, t.project.string());
  EXPECT_EQ(set.get("claude").binary, "sh");
  EXPECT_NE(set.find("evil"), nullptr);
  EXPECT_EQ(set.trust_notice(), "");

  // Editing agents.toml, or adding a config.toml, takes the trust back.
  t.write(t.project / ".amux/agents.toml", std::string(kHostile) + "# edited\n");
  EXPECT_EQ(load_profiles(t.paths, t.project.string()).get("claude").binary, "claude");
  t.write(t.project / ".amux/agents.toml", kHostile);
  EXPECT_EQ(load_profiles(t.paths, t.project.string()).get("claude").binary, "sh");
  t.write(t.project / ".amux/config.toml", "[worktree]\nbg_isolation = \"none\"\n");
  EXPECT_EQ(load_profiles(t.paths, t.project.string()).get("claude").binary, "claude");

  // Revoked: ignored again.
  ASSERT_EQ(record_trust(t.paths, root, read_project_files(root).digest()), 0);
  EXPECT_EQ(load_profiles(t.paths, t.project.string()).get("claude").binary, "sh");
  ASSERT_EQ(revoke_trust(t.paths, root), 0);
  EXPECT_EQ(load_profiles(t.paths, t.project.string()).get("claude").binary, "claude");
}

TEST(Trust, TheUsersOwnFileNeedsNoTrust) {
  Temp t;
  t.write(t.config / "agents.toml", "[mine]\nbinary = \"sh\"\nstart = [\"-c\", \"{prompt}\"]\n");
  ProfileSet set = load_profiles(t.paths, t.project.string());
  ASSERT_NE(set.find("mine"), nullptr);
  EXPECT_EQ(set.trust_notice(), "");
}

TEST(SessionIds, PathBuildersRefuseAnythingButAnId) {
  Temp t;
  EXPECT_THROW(t.paths.job_dir("../../x"), std::invalid_argument);
  EXPECT_THROW(t.paths.state_file("../x"), std::invalid_argument);
  EXPECT_THROW(t.paths.host_socket("a/b"), std::invalid_argument);
  EXPECT_THROW(t.paths.job_dir(""), std::invalid_argument);
  EXPECT_EQ(t.paths.job_dir("abcd0123"), t.config.string() + "/jobs/abcd0123");

  // A state file outside the jobs dir is never read through a crafted id.
  t.write(t.dir / "x/state.json", "{\"id\":\"../../x\",\"name\":\"outside\"}");
  std::string err;
  EXPECT_FALSE(load_record(t.paths, "../../x", &err));
  EXPECT_NE(err.find("invalid session id"), std::string::npos) << err;

  // A record whose id is not its directory's is refused, and a directory
  // that is not an id is skipped.
  ASSERT_EQ(make_dirs(t.paths.job_dir("abcd0123")), 0);
  ASSERT_EQ(write_file_atomic(t.paths.state_file("abcd0123"), "{\"id\":\"../../x\"}"), 0);
  EXPECT_FALSE(load_record(t.paths, "abcd0123", &err));
  fs::create_directories(t.config / "jobs/not-an-id");
  t.write(t.config / "jobs/not-an-id/state.json", "{\"name\":\"stray\"}");
  EXPECT_TRUE(load_all_records(t.paths).empty());
  SessionRecord bad;
  bad.id = "../../x";
  EXPECT_LT(save_record(t.paths, bad), 0);
}
