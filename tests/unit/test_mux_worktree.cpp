// Tests for session worktrees (src/mux/agents/worktree.cpp) against real git
// repositories made in a temp dir.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "mux/sys/run_command.h"
#include "mux/agents/worktree.h"

using namespace amux::mux;
namespace fs = std::filesystem;

namespace {

class Worktree : public ::testing::Test {
 protected:
  fs::path root, repo;

  void SetUp() override {
    // A CI machine has no git identity and may have any global config.
    setenv("GIT_AUTHOR_NAME", "amux test", 1);
    setenv("GIT_AUTHOR_EMAIL", "amux@example.invalid", 1);
    setenv("GIT_COMMITTER_NAME", "amux test", 1);
    setenv("GIT_COMMITTER_EMAIL", "amux@example.invalid", 1);
    setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
    setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
    char tmpl[] = "/tmp/amux-wt-XXXXXX";
    root = fs::canonical(mkdtemp(tmpl));
    repo = root / "repo";
    fs::create_directories(repo / "src");
    git(repo, {"init", "-q", "-b", "main"});
    write(repo / "README", "hello\n");
    write(repo / "src" / "a.c", "int a;\n");
    git(repo, {"add", "."});
    git(repo, {"commit", "-q", "-m", "first"});
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root, ec);
  }

  static std::string git(const fs::path& dir, std::vector<std::string> args) {
    args.insert(args.begin(), {"git", "-C", dir.string()});
    RunResult r = run_command(args);
    EXPECT_TRUE(r.ok()) << args[3] << ": " << r.failure();
    return r.out;
  }
  static void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }
  bool branch_exists(const std::string& b) const {
    return run_command({"git", "-C", repo.string(), "show-ref", "--verify", "--quiet", "refs/heads/" + b}).ok();
  }
  std::string status(const fs::path& dir) const { return git(dir, {"status", "--porcelain", "--untracked-files=all"}); }
};

}  // namespace

TEST_F(Worktree, CreateMakesAWorktreeOnAnAmuxBranch) {
  WorktreeInfo wt = create_worktree(repo.string(), "Fix the bug!");
  EXPECT_EQ(wt.repo, repo.string());
  EXPECT_EQ(wt.path, (repo / ".amux/worktrees/Fix-the-bug").string());
  EXPECT_EQ(wt.branch, "amux/Fix-the-bug");
  EXPECT_TRUE(fs::exists(fs::path(wt.path) / "src" / "a.c"));
  EXPECT_EQ(git(wt.path, {"rev-parse", "--abbrev-ref", "HEAD"}), "amux/Fix-the-bug\n");
  EXPECT_EQ(git(wt.path, {"rev-parse", "HEAD"}), git(repo, {"rev-parse", "main"}));
  // The main checkout stays clean: .amux/ is excluded, not committed.
  EXPECT_EQ(status(repo), "");
  EXPECT_EQ(git(repo, {"diff", "--name-only", "HEAD"}), "");
  EXPECT_TRUE(is_linked_worktree(wt.path));
  EXPECT_TRUE(is_linked_worktree(wt.path + "/src"));
  EXPECT_FALSE(is_linked_worktree(repo.string()));
  EXPECT_FALSE(is_linked_worktree(root.string()));
  EXPECT_EQ(git_toplevel((repo / "src").string()), repo.string());
  EXPECT_EQ(git_toplevel(wt.path + "/src"), wt.path);
  EXPECT_EQ(git_toplevel(root.string()), "");
  auto found = amux_worktree_at(wt.path);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->branch, wt.branch);
  EXPECT_EQ(found->repo, wt.repo);
  // Excluding twice does not add a second line.
  create_worktree(repo.string(), "other");
  std::ifstream in(repo / ".git/info/exclude");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(text.find("/.amux/worktrees/"), std::string::npos) << text;
  EXPECT_EQ(text.find("/.amux/worktrees/"), text.rfind("/.amux/worktrees/")) << text;
}

TEST_F(Worktree, TakenNamesGetASuffix) {
  WorktreeInfo a = create_worktree(repo.string(), "job");
  WorktreeInfo b = create_worktree(repo.string(), "job");
  git(repo, {"branch", "amux/job-3"});  // a branch alone also makes the name taken
  WorktreeInfo c = create_worktree(repo.string(), "job");
  EXPECT_EQ(fs::path(a.path).filename(), "job");
  EXPECT_EQ(fs::path(b.path).filename(), "job-2");
  EXPECT_EQ(c.branch, "amux/job-4");
  EXPECT_EQ(create_worktree((repo / "src").string(), "from a subdir").repo, repo.string());
  EXPECT_THROW(create_worktree(root.string(), "x"), WorktreeError);
}

TEST_F(Worktree, RemoveCleanDeletesItAndItsBranch) {
  WorktreeInfo wt = create_worktree(repo.string(), "clean");
  WorktreeStatus st = worktree_status(wt);
  EXPECT_TRUE(st.owned && st.exists);
  EXPECT_FALSE(st.dirty);
  EXPECT_EQ(st.unique_commits, 0);
  RemoveResult r = remove_worktree(wt, false);
  EXPECT_TRUE(r.removed) << r.message;
  EXPECT_FALSE(fs::exists(wt.path));
  EXPECT_FALSE(branch_exists("amux/clean"));
  EXPECT_EQ(git(repo, {"worktree", "list", "--porcelain"}).find("clean"), std::string::npos);
  EXPECT_EQ(status(repo), "");
}

TEST_F(Worktree, DirtyIsKeptWithPathAndDiscardCommand) {
  WorktreeInfo wt = create_worktree(repo.string(), "dirty");
  write(fs::path(wt.path) / "src" / "a.c", "int a = 1;\n");
  write(fs::path(wt.path) / "new.txt", "untracked\n");
  WorktreeStatus st = worktree_status(wt);
  EXPECT_TRUE(st.dirty);
  EXPECT_NE(st.summary.find("2 uncommitted changes"), std::string::npos) << st.summary;
  RemoveResult r = remove_worktree(wt, false);
  EXPECT_FALSE(r.removed);
  EXPECT_EQ(r.kept_path, wt.path);
  EXPECT_NE(r.message.find(wt.path), std::string::npos) << r.message;
  EXPECT_NE(r.discard_command.find(wt.path), std::string::npos) << r.discard_command;
  EXPECT_TRUE(fs::exists(fs::path(wt.path) / "new.txt"));
  EXPECT_TRUE(branch_exists("amux/dirty"));
  // The printed command really discards it.
  RunResult d = run_command({"sh", "-c", r.discard_command});
  EXPECT_TRUE(d.ok()) << d.failure();
  EXPECT_FALSE(fs::exists(wt.path));
  EXPECT_FALSE(branch_exists("amux/dirty"));
}

TEST_F(Worktree, DiscardRemovesItWithItsChanges) {
  WorktreeInfo wt = create_worktree(repo.string(), "gone");
  write(fs::path(wt.path) / "README", "changed\n");
  write(fs::path(wt.path) / "scratch", "x\n");
  RemoveResult r = remove_worktree(wt, true);
  EXPECT_TRUE(r.removed) << r.message;
  EXPECT_FALSE(fs::exists(wt.path));
  EXPECT_FALSE(branch_exists("amux/gone"));
  EXPECT_EQ(git(repo, {"show", "HEAD:README"}), "hello\n");  // the main checkout is untouched
}

TEST_F(Worktree, CommitsOnNoOtherBranchAreKeptUntilMerged) {
  WorktreeInfo wt = create_worktree(repo.string(), "work");
  write(fs::path(wt.path) / "feature.c", "int f;\n");
  git(wt.path, {"add", "feature.c"});
  git(wt.path, {"commit", "-q", "-m", "feature"});
  WorktreeStatus st = worktree_status(wt);
  EXPECT_FALSE(st.dirty);
  EXPECT_EQ(st.unique_commits, 1);
  RemoveResult r = remove_worktree(wt, false);
  EXPECT_FALSE(r.removed);
  EXPECT_EQ(r.kept_path, wt.path);
  EXPECT_NE(r.message.find("1 commit on no other branch"), std::string::npos) << r.message;
  EXPECT_TRUE(branch_exists("amux/work"));
  // Once another branch has the commit, nothing would be lost.
  git(repo, {"merge", "-q", "--ff-only", "amux/work"});
  EXPECT_EQ(worktree_status(wt).unique_commits, 0);
  r = remove_worktree(wt, false);
  EXPECT_TRUE(r.removed) << r.message;
  EXPECT_FALSE(branch_exists("amux/work"));
  EXPECT_TRUE(fs::exists(repo / "feature.c"));
}

TEST_F(Worktree, WorktreesAmuxDidNotMakeAreNeverTouched) {
  // A user's worktree elsewhere.
  fs::path other = root / "other";
  git(repo, {"worktree", "add", "-q", "-b", "feature", other.string()});
  RemoveResult r = remove_worktree({repo.string(), other.string(), "feature"}, true);
  EXPECT_FALSE(r.removed);
  EXPECT_TRUE(fs::exists(other / "README"));
  EXPECT_TRUE(branch_exists("feature"));
  EXPECT_FALSE(amux_worktree_at(other.string()));
  // One under .amux/worktrees but on a branch that is not amux/...
  fs::path manual = repo / ".amux/worktrees/manual";
  git(repo, {"worktree", "add", "-q", "-b", "manual", manual.string()});
  r = remove_worktree({repo.string(), manual.string(), "amux/manual"}, true);
  EXPECT_FALSE(r.removed);
  EXPECT_TRUE(fs::exists(manual / "README"));
  EXPECT_FALSE(worktree_status({repo.string(), manual.string(), "manual"}).owned);
  // ... a plain directory there that git does not know ...
  fs::create_directories(repo / ".amux/worktrees/plain");
  write(repo / ".amux/worktrees/plain/keep.txt", "mine\n");
  r = remove_worktree({repo.string(), (repo / ".amux/worktrees/plain").string(), "amux/plain"}, true);
  EXPECT_FALSE(r.removed);
  EXPECT_TRUE(fs::exists(repo / ".amux/worktrees/plain/keep.txt"));
  // ... and an amux worktree named with the wrong branch.
  WorktreeInfo wt = create_worktree(repo.string(), "mine");
  r = remove_worktree({wt.repo, wt.path, "feature"}, true);
  EXPECT_FALSE(r.removed);
  EXPECT_TRUE(fs::exists(wt.path));
  EXPECT_TRUE(branch_exists("feature"));
}

TEST_F(Worktree, AWorktreeDeletedByHandIsCleanedUp) {
  WorktreeInfo wt = create_worktree(repo.string(), "vanished");
  fs::remove_all(wt.path);
  RemoveResult r = remove_worktree(wt, false);
  EXPECT_TRUE(r.removed) << r.message;
  EXPECT_FALSE(branch_exists("amux/vanished"));
}

TEST_F(Worktree, IsolationDecision) {
  Config user;
  EXPECT_EQ(isolation_repo(repo.string(), user), repo.string());
  EXPECT_EQ(isolation_repo((repo / "src").string(), user), repo.string());
  EXPECT_EQ(isolation_repo(root.string(), user), "");  // not a repository
  WorktreeInfo wt = create_worktree(repo.string(), "iso");
  EXPECT_EQ(isolation_repo(wt.path, user), "");  // already a linked worktree
  EXPECT_EQ(path_in_worktree(wt, (repo / "src").string()), wt.path + "/src");
  EXPECT_EQ(path_in_worktree(wt, repo.string()), wt.path);
  EXPECT_EQ(path_in_worktree(wt, root.string()), wt.path);

  Config none;
  none.bg_isolation = "none";
  EXPECT_EQ(isolation_repo(repo.string(), none), "");
  // The project's .amux/config.toml overrides the user's setting.
  fs::create_directories(repo / ".amux");
  write(repo / ".amux/config.toml", "[worktree]\nbg_isolation = \"none\"\n");
  EXPECT_EQ(isolation_repo(repo.string(), user), "");
  write(repo / ".amux/config.toml", "[worktree]\nbg_isolation = \"worktree\"\n");
  EXPECT_EQ(isolation_repo(repo.string(), none), repo.string());
  // The project's settings stay visible to git (worth committing); only the
  // worktrees are excluded.
  EXPECT_EQ(status(repo), "?? .amux/config.toml\n");

  // A repository without a commit has nothing to branch from: run in place.
  fs::path empty = root / "empty";
  fs::create_directories(empty);
  git(empty, {"init", "-q"});
  EXPECT_EQ(isolation_repo(empty.string(), user), "");
  EXPECT_THROW(create_worktree(empty.string(), "x"), WorktreeError);
}
