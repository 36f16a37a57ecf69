// ssh_command.h — the ssh command lines amux runs to reach another machine.
//
// Why: OpenSSH is the transport (authentication, encryption, multiplexing);
// amux runs unchanged on the other side. Every call to a host rides one
// master connection per host (ControlMaster=auto, its socket in amux's
// private runtime dir, kept by ControlPersist), with a bounded connect time
// and no questions asked (BatchMode), so a dead host fails fast and a live
// one answers after one round trip. The remote command first checks that
// the remote amux speaks this protocol; that check's failure has an exit
// status of its own, so it is told apart from the command's own failure.
#pragma once

#include <string>
#include <vector>

#include "mux/store/config.h"
#include "mux/store/paths.h"

namespace amux::mux {

// The remote shell exits with this when the remote amux is missing, too old
// or speaks another protocol (its stderr says which).
inline constexpr int kRemoteHelloFailed = 97;
// ssh itself exits with this when it could not connect or authenticate.
inline constexpr int kSshFailed = 255;

struct SshOptions {
  bool tty = false;             // -t (attach): a terminal on the remote side, no escape character
  int connect_timeout_s = 5;    // ConnectTimeout
  bool master = true;           // use (or become) the host's master connection
};

// The control socket of a host's master connection: <socket dir>/ssh-<name>.
std::string ssh_control_path(const Paths& p, const HostEntry& h);

// The remote command line: "<amux> hello --expect N --from V || exit 97; <amux> <args…>",
// each argument shell-quoted for the remote shell.
std::string remote_command(const HostEntry& h, const std::vector<std::string>& args);

// ssh argv: ssh <host's ssh_args> <amux's -o options> [-t|-T] <destination> <remote command>.
std::vector<std::string> ssh_argv(const Paths& p, const HostEntry& h, const std::vector<std::string>& args,
                                  const SshOptions& o = {});
// The same with a remote command line of the caller's (used by tests and
// the bench to compare with plain ssh).
std::vector<std::string> ssh_argv_raw(const Paths& p, const HostEntry& h, const std::string& remote_cmd,
                                      const SshOptions& o = {});

// A one-line reason for a failed remote call, or "" when `exit_code` is the
// remote command's own: ssh's failure ("cannot reach host 'build': Connection
// refused") or the version check's ("host 'build': …").
std::string ssh_failure(const HostEntry& h, int exit_code, const std::string& stderr_text);

// The last non-empty line of a program's stderr, without "ssh: " / "amux: ".
std::string last_error_line(const std::string& stderr_text);

}  // namespace amux::mux
