// worktree_diff.cpp — see worktree_diff.h.
#include "mux/agents/worktree_diff.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "mux/sys/run_command.h"
#include "mux/sys/text.h"
#include "pty/fork_exec.h"

extern char** environ;

namespace amux::mux {

namespace fs = std::filesystem;

namespace {

RunResult git(const std::string& dir, std::vector<std::string> args, std::vector<std::string> env = {}) {
  args.insert(args.begin(), {"git", "-C", dir});
  RunOptions o;
  o.env = std::move(env);
  return run_command(args, o);
}

std::string first_line(const std::string& s) { return trim(s.substr(0, s.find('\n'))); }

// A private copy of the worktree's index, removed with this object.
struct TempIndex {
  std::string path;
  ~TempIndex() {
    std::error_code ec;
    if (!path.empty()) fs::remove(path, ec);
  }
};

}  // namespace

std::string worktree_start_commit(const SessionRecord& r) {
  if (!r.worktree_base.empty()) return r.worktree_base;
  // Sessions made before the start commit was recorded: the oldest entry
  // of the branch's reflog is where `git worktree add -b` created it.
  auto head = git(r.worktree, {"symbolic-ref", "--quiet", "HEAD"});
  if (!head.ok()) return "";
  auto log = git(r.worktree, {"reflog", "show", "--format=%H", first_line(head.out), "--"});
  if (!log.ok()) return "";
  std::string out = trim(log.out);
  auto nl = out.rfind('\n');
  return nl == std::string::npos ? out : out.substr(nl + 1);
}

int run_worktree_diff(const SessionRecord& r, std::string* error) {
  auto fail = [&](std::string msg) {
    if (error) *error = std::move(msg);
    return -1;
  };
  if (r.worktree.empty()) return fail("session " + r.id + " has no worktree (it runs in " + r.cwd + ")");
  std::error_code ec;
  if (!fs::is_directory(r.worktree, ec)) return fail("the worktree of session " + r.id + " is gone: " + r.worktree);
  const std::string base = worktree_start_commit(r);
  if (base.empty()) return fail("cannot tell which commit the worktree of session " + r.id + " started from");
  // New files count: they go into a copy of the index (intent to add).
  auto index = git(r.worktree, {"rev-parse", "--path-format=absolute", "--git-path", "index"});
  if (!index.ok()) return fail("git cannot read the worktree " + r.worktree + ": " + first_line(index.err + index.error));
  TempIndex tmp;
  tmp.path = first_line(index.out) + ".amux-diff." + std::to_string(getpid());
  fs::copy_file(first_line(index.out), tmp.path, fs::copy_options::overwrite_existing, ec);
  if (ec) return fail("cannot copy the index of " + r.worktree + ": " + ec.message());
  const std::string env = "GIT_INDEX_FILE=" + tmp.path;
  auto add = git(r.worktree, {"add", "--intent-to-add", "--all", "."}, {env});
  if (!add.ok()) return fail("git add --intent-to-add failed: " + first_line(add.err + add.error));

  // git diff on this terminal: its pager and colours as the person set them.
  std::vector<std::string> argv = {"git", "-C", r.worktree, "diff", base};
  auto cargv = pty::c_strings(argv);
  std::vector<std::string> envs;  // built before fork: the child must not allocate
  for (char** e = environ; *e; ++e)
    if (std::string_view(*e).rfind("GIT_INDEX_FILE=", 0) != 0) envs.push_back(*e);
  envs.push_back(env);
  auto cenv = pty::c_strings(envs);
  struct sigaction ign {}, old_int {}, old_quit {};
  ign.sa_handler = SIG_IGN;
  sigaction(SIGINT, &ign, &old_int);  // C-c in the pager is the pager's
  sigaction(SIGQUIT, &ign, &old_quit);
  pid_t pid = fork();
  if (pid == 0) {
    signal(SIGINT, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    execvpe("git", cargv.data(), cenv.data());
    _exit(127);
  }
  int st = 0;
  if (pid > 0)
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGQUIT, &old_quit, nullptr);
  if (pid < 0) return fail("cannot start git");
  if (WIFEXITED(st) && WEXITSTATUS(st) == 127) return fail("cannot run git");
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

}  // namespace amux::mux
