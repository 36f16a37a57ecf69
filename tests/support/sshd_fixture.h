// sshd_fixture.h — a real OpenSSH server for the hosts tests: /usr/sbin/sshd
// as the current user on 127.0.0.1 and a free port, with a host key, a user
// key, authorized_keys and an ssh_config in a temp dir of its own.
//
// Why: amux reaches other machines through OpenSSH; the tests use the real
// server and client (no mock), with a second amux instance as "the remote".
// stop() kills the listener and every connection it accepted (a host that
// went away, not just one that stopped listening); start() brings it back
// on the same port with the same keys.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

namespace amux::test {

class AmuxEnv;

class Sshd {
 public:
  Sshd();   // fails the test (ADD_FAILURE) when it cannot start
  ~Sshd();  // stops it and removes the dir
  Sshd(const Sshd&) = delete;
  Sshd& operator=(const Sshd&) = delete;

  void start();
  void stop();
  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }

  // The Host alias of the generated ssh_config and the arguments that use it.
  std::string destination() const { return "amuxtest"; }
  std::vector<std::string> ssh_args() const { return {"-F", dir_ + "/ssh_config"}; }
  // A config.toml [hosts.NAME] table whose remote amux is `remote` (another
  // instance on this machine, reached through ssh).
  std::string host_toml(const std::string& name, const AmuxEnv& remote) const;

 private:
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace amux::test
