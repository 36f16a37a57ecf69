// sshd_fixture.cpp — see sshd_fixture.h.
#include "support/sshd_fixture.h"

#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "support/amux_env.h"

namespace amux::test {
namespace fs = std::filesystem;

namespace {
int free_port() {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  close(s);
  return port;
}

std::string user_name() {
  passwd* pw = getpwuid(getuid());
  return pw ? pw->pw_name : "root";
}

// Direct children of pid (the per-connection sshd processes of a listener).
std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (auto& e : fs::directory_iterator("/proc", ec)) {
    std::string n = e.path().filename();
    if (n.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream st(e.path() / "stat");
    std::string line;
    std::getline(st, line);
    size_t rp = line.rfind(')');
    if (rp == std::string::npos) continue;
    std::istringstream rest(line.substr(rp + 2));
    std::string state;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == pid) out.push_back(pid_t(std::stoi(n)));
  }
  return out;
}
}  // namespace

Sshd::Sshd() {
  std::string t = "/tmp/amux-sshd.XXXXXX";
  if (!mkdtemp(t.data())) {
    ADD_FAILURE() << "mkdtemp failed";
    return;
  }
  dir_ = t;
  chmod(dir_.c_str(), 0700);
  port_ = free_port();
  for (const char* k : {"host_key", "user_key"}) {
    auto r = run_process({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "amux-test", "-f", dir_ + "/" + k});
    EXPECT_EQ(r.rc, 0) << "ssh-keygen: " << r.err;
  }
  fs::copy_file(dir_ + "/user_key.pub", dir_ + "/authorized_keys");
  std::ofstream(dir_ + "/sshd_config") << "ListenAddress 127.0.0.1\n"
                                       << "Port " << port_ << "\n"
                                       << "HostKey " << dir_ << "/host_key\n"
                                       << "AuthorizedKeysFile " << dir_ << "/authorized_keys\n"
                                       << "PidFile " << dir_ << "/sshd.pid\n"
                                       << "UsePAM no\nStrictModes no\nPermitRootLogin yes\n"
                                       << "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
                                       << "PubkeyAuthentication yes\nAllowUsers " << user_name() << "\n"
                                       << "MaxStartups 100\nMaxSessions 100\nLogLevel VERBOSE\n";
  std::ofstream(dir_ + "/ssh_config") << "Host amuxtest\n"
                                      << "  HostName 127.0.0.1\n"
                                      << "  Port " << port_ << "\n"
                                      << "  User " << user_name() << "\n"
                                      << "  IdentityFile " << dir_ << "/user_key\n"
                                      << "  IdentitiesOnly yes\n"
                                      << "  UserKnownHostsFile " << dir_ << "/known_hosts\n"
                                      << "  StrictHostKeyChecking accept-new\n";
  mkdir("/run/sshd", 0755);  // sshd's privilege separation directory
  start();
}

void Sshd::start() {
  if (pid_ > 0 || dir_.empty()) return;
  std::string log = dir_ + "/sshd.log";
  pid_t pid = fork();
  if (pid == 0) {
    setsid();
    execl("/usr/sbin/sshd", "/usr/sbin/sshd", "-D", "-f", (dir_ + "/sshd_config").c_str(), "-E", log.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  pid_ = pid;
  // Listening once a plain connection succeeds.
  bool up = wait_until([&] {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(port_));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(s);
    return ok;
  }, 15000);
  if (!up) {
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    ADD_FAILURE() << "sshd did not start on port " << port_ << ": " << ss.str();
  }
}

void Sshd::stop() {
  if (pid_ <= 0) return;
  // The listener frozen first (no new connection), then it and every
  // process of every connection it had accepted, so the clients' master
  // connections see the host go away. (The remote amux's supervisor and
  // session hosts detach from the connection when they start, so they are
  // not in this tree and keep running, as on a machine whose network went.)
  kill(pid_, SIGSTOP);
  std::vector<pid_t> tree{pid_};
  for (size_t i = 0; i < tree.size(); i++)
    for (pid_t c : children_of(tree[i])) tree.push_back(c);
  for (pid_t p : tree) kill(p, SIGKILL);
  int st;
  waitpid(pid_, &st, 0);
  pid_ = -1;
}

Sshd::~Sshd() {
  stop();
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

std::string Sshd::host_toml(const std::string& name, const AmuxEnv& remote) const {
  std::string args;
  for (auto& a : ssh_args()) args += (args.empty() ? "" : ", ") + std::string("\"") + a + "\"";
  return "[hosts." + name + "]\nssh = \"" + destination() + "\"\nssh_args = [" + args + "]\namux = \"" +
         remote.env_prefix() + amux_bin() + "\"\n";
}

}  // namespace amux::test
