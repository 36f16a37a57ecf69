// worktree.cpp — git worktrees for agent sessions, through the git binary
// (see worktree.h).
#include "mux/agents/worktree.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <vector>

#include "mux/store/atomic_file.h"
#include "mux/sys/run_command.h"
#include "mux/sys/text.h"

namespace amux::mux {
namespace {

namespace fs = std::filesystem;

const char* const kWorktreesDir = ".amux/worktrees";
const char* const kBranchPrefix = "amux/";

// git in `dir`, unaffected by a caller that is itself inside a git hook
// (GIT_DIR and friends) and never waiting for a password.
RunResult git(const std::string& dir, std::vector<std::string> args) {
  args.insert(args.begin(), {"git", "-C", dir});
  RunOptions o;
  o.unset_env = {"GIT_DIR",          "GIT_WORK_TREE",        "GIT_INDEX_FILE",
                 "GIT_COMMON_DIR",   "GIT_PREFIX",           "GIT_OBJECT_DIRECTORY",
                 "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES"};
  o.env = {"GIT_TERMINAL_PROMPT=0", "GIT_OPTIONAL_LOCKS=0", "LC_ALL=C"};
  o.timeout_ms = 120000;
  return run_command(args, o);
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

std::string canon(const std::string& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(fs::absolute(p, ec), ec);
  std::string s = (ec ? fs::path(p).lexically_normal() : c).string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

// A name git accepts as the last part of a branch and a directory.
std::string branch_safe(const std::string& name) {
  std::string s;
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    bool ok = (u < 0x80 && std::isalnum(u)) || c == '-' || c == '_' || c == '.';
    if (!ok) c = '-';
    if (c == '-' && !s.empty() && s.back() == '-') continue;
    if (c == '.' && !s.empty() && s.back() == '.') continue;
    s += c;
  }
  while (!s.empty() && (s.front() == '-' || s.front() == '.')) s.erase(s.begin());
  if (s.size() > 48) s.resize(48);
  while (!s.empty() && (s.back() == '-' || s.back() == '.')) s.pop_back();
  if (s.size() >= 5 && s.compare(s.size() - 5, 5, ".lock") == 0) s.resize(s.size() - 5);
  return s.empty() ? "session" : s;
}

bool branch_exists(const std::string& repo, const std::string& branch) {
  return git(repo, {"show-ref", "--verify", "--quiet", "refs/heads/" + branch}).ok();
}

// Make sure the repository's info/exclude hides .amux/worktrees/ (only that:
// .amux/config.toml and .amux/agents.toml are project files worth committing).
void exclude_amux_dir(const std::string& repo) {
  RunResult r = git(repo, {"rev-parse", "--path-format=absolute", "--git-path", "info/exclude"});
  if (!r.ok()) throw WorktreeError("cannot find " + repo + "'s info/exclude: " + r.failure());
  std::string path = trim(r.out);
  std::string text = read_file(path).value_or("");
  for (auto& l : lines(text)) {
    std::string t = trim(l);
    if (t == ".amux/" || t == "/.amux/" || t == ".amux" || t == "/.amux" || t == "/.amux/worktrees/" ||
        t == ".amux/worktrees/" || t == "/.amux/worktrees")
      return;
  }
  if (!text.empty() && text.back() != '\n') text += '\n';
  text += "# amux: agent session worktrees\n/.amux/worktrees/\n";
  make_dirs(fs::path(path).parent_path().string(), 0755);
  if (int rc = write_file_atomic(path, text, 0644); rc < 0)
    throw WorktreeError("cannot write " + path + ": " + std::strerror(-rc));
}

struct ListedWorktree {
  std::string path, branch;  // branch: full ref, "" when detached
  bool prunable = false;
};

std::vector<ListedWorktree> list_worktrees(const std::string& repo) {
  std::vector<ListedWorktree> out;
  RunResult r = git(repo, {"worktree", "list", "--porcelain"});
  if (!r.ok()) return out;
  for (auto& l : lines(r.out)) {
    if (l.rfind("worktree ", 0) == 0) out.push_back({canon(l.substr(9)), "", false});
    else if (out.empty()) continue;
    else if (l.rfind("branch ", 0) == 0) out.back().branch = l.substr(7);
    else if (l.rfind("prunable", 0) == 0) out.back().prunable = true;
  }
  return out;
}

std::string plural(int n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string git_toplevel(const std::string& dir) {
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir, ec)) return "";
  RunResult r = git(dir, {"rev-parse", "--show-toplevel"});
  if (!r.ok()) return "";
  return canon(trim(r.out));
}

bool is_linked_worktree(const std::string& dir) {
  RunResult r = git(dir, {"rev-parse", "--path-format=absolute", "--git-dir", "--git-common-dir"});
  if (!r.ok()) return false;
  auto l = lines(r.out);
  return l.size() == 2 && canon(l[0]) != canon(l[1]);
}

std::string isolation_repo(const std::string& dir, const Config& user_config) {
  std::string top = git_toplevel(dir);
  if (top.empty() || is_linked_worktree(dir)) return "";
  Config c = load_config(top + "/.amux/config.toml", user_config);
  if (c.bg_isolation == "none") return "";
  if (!git(top, {"rev-parse", "--verify", "--quiet", "HEAD"}).ok()) return "";  // no commit yet
  return top;
}

std::string path_in_worktree(const WorktreeInfo& wt, const std::string& dir) {
  fs::path rel = fs::path(canon(dir)).lexically_relative(wt.repo);
  if (rel.empty() || rel == "." || *rel.begin() == "..") return wt.path;
  return (fs::path(wt.path) / rel).string();
}

WorktreeInfo create_worktree(const std::string& repo_root, const std::string& name) {
  std::string top = git_toplevel(repo_root);
  if (top.empty()) throw WorktreeError("not inside a git repository: " + repo_root);
  if (!git(top, {"rev-parse", "--verify", "--quiet", "HEAD"}).ok())
    throw WorktreeError("the repository " + top + " has no commit yet, so it cannot have a worktree");
  exclude_amux_dir(top);
  // The start commit, named once: the worktree is made from it and `amux
  // diff` compares against it.
  RunResult head = git(top, {"rev-parse", "--verify", "HEAD^{commit}"});
  const std::string start = head.ok() ? head.out.substr(0, head.out.find('\n')) : "HEAD";
  const std::string base = branch_safe(name);
  std::string last_error;
  for (int i = 1; i <= 100; ++i) {
    std::string cand = i == 1 ? base : base + "-" + std::to_string(i);
    std::string path = top + "/" + kWorktreesDir + "/" + cand;
    std::string branch = kBranchPrefix + cand;
    std::error_code ec;
    if (fs::exists(path, ec) || branch_exists(top, branch)) continue;
    if (!git(top, {"check-ref-format", "--branch", branch}).ok())
      throw WorktreeError("'" + name + "' cannot be made into a branch name");
    RunResult r = git(top, {"worktree", "add", "--quiet", "-b", branch, path, start});
    if (r.ok()) return {top, canon(path), branch, start == "HEAD" ? "" : start};
    last_error = r.failure();
    // Lost a race with another dispatch for the same name: try the next one.
    if (fs::exists(path, ec) || branch_exists(top, branch)) continue;
    throw WorktreeError("git worktree add failed: " + last_error);
  }
  throw WorktreeError("no free worktree name for '" + name + "' under " + top + "/" + kWorktreesDir);
}

std::optional<WorktreeInfo> amux_worktree_at(const std::string& path_in) {
  if (path_in.empty()) return std::nullopt;
  fs::path path = canon(path_in);
  fs::path wts = path.parent_path();
  if (path.filename().empty() || wts.filename() != "worktrees" ||
      wts.parent_path().filename() != ".amux")
    return std::nullopt;
  std::string repo = wts.parent_path().parent_path().string();
  std::error_code ec;
  if (!fs::is_directory(repo, ec)) return std::nullopt;
  auto listed = list_worktrees(repo);
  if (listed.empty() || listed.front().path != canon(repo)) return std::nullopt;  // not the main worktree
  for (auto& w : listed) {
    if (w.path != path.string()) continue;
    const std::string prefix = std::string("refs/heads/") + kBranchPrefix;
    if (w.branch.rfind(prefix, 0) != 0) return std::nullopt;
    return WorktreeInfo{canon(repo), path.string(), w.branch.substr(11)};
  }
  return std::nullopt;
}

WorktreeStatus worktree_status(const WorktreeInfo& wt) {
  WorktreeStatus st;
  auto found = amux_worktree_at(wt.path);
  st.owned = found && found->repo == canon(wt.repo) && found->branch == wt.branch;
  if (!st.owned) {
    st.summary = "not a worktree amux made";
    return st;
  }
  std::error_code ec;
  st.exists = fs::is_directory(wt.path, ec);
  std::vector<std::string> parts;
  if (st.exists) {
    RunResult r = git(wt.path, {"status", "--porcelain", "--untracked-files=all"});
    if (!r.ok()) {
      // Unknown state counts as dirty: never delete what we cannot inspect.
      st.dirty = true;
      parts.push_back("status unknown (" + r.failure() + ")");
    } else if (int n = int(lines(r.out).size()); n > 0) {
      st.dirty = true;
      parts.push_back(plural(n, "uncommitted change", "uncommitted changes"));
    }
  }
  RunResult c = git(wt.repo, {"rev-list", "--count", "refs/heads/" + wt.branch, "--not",
                              "--exclude=" + wt.branch, "--branches", "--tags", "--remotes"});
  if (!c.ok()) {
    st.unique_commits = INT32_MAX;  // cannot tell: keep it
    parts.push_back("commits unknown (" + c.failure() + ")");
  } else {
    st.unique_commits = std::atoi(c.out.c_str());
    if (st.unique_commits > 0)
      parts.push_back(plural(st.unique_commits, "commit on no other branch", "commits on no other branch"));
  }
  st.summary = parts.empty() ? "clean" : parts.front();
  for (size_t i = 1; i < parts.size(); ++i) st.summary += ", " + parts[i];
  return st;
}

RemoveResult remove_worktree(const WorktreeInfo& wt, bool discard) {
  RemoveResult res;
  WorktreeStatus st = worktree_status(wt);
  if (!st.owned) {
    res.message = "left " + wt.path + " alone: not a worktree amux made";
    return res;
  }
  if (!discard && (st.dirty || st.unique_commits > 0)) {
    res.kept_path = wt.path;
    res.discard_command = "git -C " + shell_quote(wt.repo) + " worktree remove --force " +
                          shell_quote(wt.path) + " && git -C " + shell_quote(wt.repo) +
                          " branch -D " + shell_quote(wt.branch);
    res.message = "kept worktree " + wt.path + " (" + st.summary + ")";
    return res;
  }
  if (st.exists) {
    std::vector<std::string> args = {"worktree", "remove"};
    if (discard) args.insert(args.end(), {"--force", "--force"});
    args.push_back(wt.path);
    RunResult r = git(wt.repo, args);
    if (!r.ok()) {
      res.kept_path = wt.path;
      res.message = "could not remove worktree " + wt.path + ": " + r.failure();
      return res;
    }
  } else {
    git(wt.repo, {"worktree", "prune"});
  }
  RunResult b = git(wt.repo, {"branch", "-D", wt.branch});
  res.removed = true;
  res.message = "removed worktree " + wt.path +
                (b.ok() ? " and branch " + wt.branch : " (branch " + wt.branch + " kept: " + b.failure() + ")");
  std::error_code ec;
  fs::remove(fs::path(wt.repo) / kWorktreesDir, ec);  // only when empty
  return res;
}

}  // namespace amux::mux
