// ssh_command.cpp — see ssh_command.h.
#include "mux/remote/ssh_command.h"

#include "mux/sys/text.h"
#include "mux/wire/protocol.h"

namespace amux::mux {

std::string ssh_control_path(const Paths& p, const HostEntry& h) { return p.socket_dir + "/ssh-" + h.name; }

std::string remote_command(const HostEntry& h, const std::vector<std::string>& args) {
  std::string cmd = h.amux + " hello --expect " + std::to_string(kProtocolVersion) + " --from " +
                    shell_quote(AMUX_VERSION) + " || exit " + std::to_string(kRemoteHelloFailed) + "; " + h.amux;
  for (auto& a : args) cmd += " " + shell_quote(a);
  return cmd;
}

std::vector<std::string> ssh_argv_raw(const Paths& p, const HostEntry& h, const std::string& remote_cmd,
                                      const SshOptions& o) {
  std::vector<std::string> v{"ssh"};
  // The person's own arguments first: for each option ssh keeps the first
  // value it is given, so theirs win over amux's defaults below.
  v.insert(v.end(), h.ssh_args.begin(), h.ssh_args.end());
  auto opt = [&v](const std::string& kv) {
    v.push_back("-o");
    v.push_back(kv);
  };
  if (o.master) {
    opt("ControlMaster=auto");
    opt("ControlPath=" + ssh_control_path(p, h));
    opt("ControlPersist=600");
  } else {
    opt("ControlMaster=no");
    opt("ControlPath=none");
  }
  opt("ConnectTimeout=" + std::to_string(o.connect_timeout_s));
  opt("BatchMode=yes");
  opt("ServerAliveInterval=5");
  opt("ServerAliveCountMax=2");
  opt("LogLevel=ERROR");
  if (o.tty) {
    v.push_back("-t");
    v.push_back("-e");
    v.push_back("none");
  } else {
    v.push_back("-T");
  }
  v.push_back("--");
  v.push_back(h.ssh);
  v.push_back(remote_cmd);
  return v;
}

std::vector<std::string> ssh_argv(const Paths& p, const HostEntry& h, const std::vector<std::string>& args,
                                  const SshOptions& o) {
  return ssh_argv_raw(p, h, remote_command(h, args), o);
}

std::string last_error_line(const std::string& text) {
  std::string last;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string line = trim(text.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (!line.empty()) last = line;
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  for (const char* p : {"ssh: ", "amux: "})
    if (last.rfind(p, 0) == 0) last = last.substr(std::string(p).size());
  return last;
}

std::string ssh_failure(const HostEntry& h, int exit_code, const std::string& err) {
  std::string why = last_error_line(err);
  if (exit_code == kSshFailed)
    return "cannot reach host '" + h.name + "': " + (why.empty() ? "ssh failed" : why);
  if (exit_code == kRemoteHelloFailed) {
    if (why.find("protocol") != std::string::npos) return "host '" + h.name + "': " + why;
    return "host '" + h.name + "': the remote amux is missing or too old (" + (why.empty() ? "no answer" : why) + ")";
  }
  return "";
}

}  // namespace amux::mux
