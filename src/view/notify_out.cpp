// notify_out.cpp — see notify_out.h.
#include "view/notify_out.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "mux/sys/run_command.h"
#include "pty/fork_exec.h"
#include "render/safe_text.h"

namespace amux::view {

namespace {
std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size()) s.replace(p, from.size(), to);
  return s;
}
}  // namespace

std::string attention_text(const AttentionCall& c) {
  std::string name = render::sanitize(c.name.empty() ? c.id : c.name);
  if (c.state == "blocked") return name + " needs input";
  if (c.state == "failed") return name + " failed";
  return name + " is done";
}

std::string notification_bytes(const std::string& mode, const AttentionCall& c) {
  // sanitize() drops every control character (ESC, BEL), so nothing in the
  // text can end the sequence early; OSC 777 separates fields with ';'.
  if (mode == "osc9") return "\033]9;amux: " + attention_text(c) + "\a";
  if (mode == "osc777") return "\033]777;notify;amux;" + replace_all(attention_text(c), ";", ",") + "\a";
  if (mode == "bell") return "\a";
  return "";
}

std::string run_notify_command(const std::vector<std::string>& command, const AttentionCall& c) {
  if (command.empty()) return "";
  std::vector<std::string> argv;
  for (auto& a : command)
    argv.push_back(replace_all(replace_all(replace_all(a, "{name}", c.name), "{state}", c.state), "{id}", c.id));
  std::string path = mux::find_executable(argv[0]);
  if (path.empty()) return "notify_command: " + argv[0] + " not found";
  auto cargv = pty::c_strings(argv);
  // Twice forked: the command is nobody's child here, so nothing waits on it.
  pid_t pid = fork();
  if (pid < 0) return "notify_command: cannot fork";
  if (pid == 0) {
    setsid();
    if (fork() != 0) _exit(0);
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
      dup2(null, 0);
      dup2(null, 1);
      dup2(null, 2);
    }
    execv(path.c_str(), cargv.data());
    _exit(127);
  }
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  return "";
}

}  // namespace amux::view
