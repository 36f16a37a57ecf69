// test_attach_terminal.cpp — what `amux attach` does to its terminal before
// the host may draw on it.
//
// Why: the host draws the session on the client's terminal as soon as
// Attach arrives, and a person answers what they see at once (the detach
// key C-\ is ^\, which a terminal still in cooked mode turns into SIGQUIT).
// Here the test plays the session host on a socket of its own and holds the
// Welcome back, so the client's terminal can be looked at, deterministically,
// at the moment its Attach arrives.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "mux/store/paths.h"
#include "mux/store/session_record.h"
#include "mux/sys/process_info.h"
#include "mux/wire/protocol.h"
#include "support/amux_env.h"

extern char** environ;

using namespace amux::test;
using amux::mux::MsgType;

namespace {

// Reads frames (and a passed descriptor) from a connected socket until one
// of type `want` came; its descriptor, when it carried one, in *fd.
bool read_until(int sock, MsgType want, int* fd, int timeout_ms) {
  amux::mux::FrameDecoder dec;
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < end) {
    pollfd p{sock, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buf[65536];
    char ctl[CMSG_SPACE(sizeof(int))];
    iovec iov{buf, sizeof buf};
    msghdr m{};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = ctl;
    m.msg_controllen = sizeof ctl;
    ssize_t n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
    if (n <= 0) return false;
    for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) std::memcpy(fd, CMSG_DATA(c), sizeof(int));
    dec.append(std::string_view(buf, size_t(n)));
    while (auto f = dec.next())
      if (f->type == want) return true;
  }
  return false;
}

}  // namespace

TEST(AttachTerminal, TerminalIsRawBeforeTheHostCanDraw) {
  AmuxEnv env;
  // A session record whose host is this process, listening on a socket of
  // the test's own.
  const std::string sock_path = env.config_dir() + "/fake-host.sock";
  int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, sock_path.c_str(), sizeof a.sun_path - 1);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << strerror(errno);
  ASSERT_EQ(listen(listener, 4), 0);
  amux::mux::Paths paths;
  paths.config_dir = env.config_dir();
  amux::mux::SessionRecord rec;
  rec.id = "0badcafe";
  rec.name = "fake";
  rec.state = amux::mux::SessionState::Working;
  rec.host_pid = getpid();
  rec.host_start_time = amux::mux::process_start_time(getpid());
  rec.socket = sock_path;
  rec.cwd = "/";
  // The record goes before AmuxEnv's cleanup, which signals every host pid
  // it finds in the records (this one is the test's own).
  struct Forget {
    std::string dir;
    ~Forget() { std::filesystem::remove_all(dir); }
  } forget{paths.job_dir(rec.id)};
  std::filesystem::create_directories(paths.job_dir(rec.id));
  ASSERT_EQ(amux::mux::save_record(paths, rec), 0);

  // `amux attach` on a terminal of the test's own, in cooked mode as a shell leaves it.
  int master = -1, slave = -1;
  ASSERT_EQ(openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
  termios cooked{};
  ASSERT_EQ(tcgetattr(slave, &cooked), 0);
  ASSERT_TRUE(cooked.c_lflag & ICANON);
  ASSERT_TRUE(cooked.c_lflag & ISIG);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  for (int i = 0; i < 3; i++) posix_spawn_file_actions_adddup2(&fa, slave, i);
  std::vector<std::string> envs;
  for (char** e = environ; *e; e++) envs.emplace_back(*e);
  for (auto& [k, v] : env.env()) envs.push_back(k + "=" + v);
  envs.push_back("TERM=xterm-256color");
  std::vector<char*> cenv;
  for (auto& e : envs) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  std::string bin = amux_bin();
  std::vector<char*> argv = {bin.data(), const_cast<char*>("attach"), rec.id.data(), nullptr};
  pid_t pid = -1;
  ASSERT_EQ(posix_spawn(&pid, bin.c_str(), &fa, nullptr, argv.data(), cenv.data()), 0);
  posix_spawn_file_actions_destroy(&fa);
  close(slave);

  // The client's Attach, with its terminal; no Welcome is sent back yet.
  pollfd p{listener, POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 30000), 1) << "amux attach never connected";
  int conn = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  ASSERT_GE(conn, 0);
  int tty = -1;
  ASSERT_TRUE(read_until(conn, MsgType::Attach, &tty, 30000)) << "no Attach came";
  ASSERT_GE(tty, 0) << "Attach came without the terminal";
  EXPECT_TRUE(isatty(tty));
  // Anything the host writes to this terminal from now on can be answered
  // by a key: the line discipline must not take the keys any more.
  termios now{};
  ASSERT_EQ(tcgetattr(tty, &now), 0);
  EXPECT_FALSE(now.c_lflag & ICANON) << "the terminal is still line-buffered when the host may draw";
  EXPECT_FALSE(now.c_lflag & ISIG) << "C-\\ would still be SIGQUIT when the host may draw";
  EXPECT_FALSE(now.c_lflag & ECHO);

  // No Welcome ever comes: the client gives up with one line, and the
  // terminal is cooked again.
  close(conn);
  close(tty);
  std::string out;
  int st = 0;
  bool ended = wait_until([&] {
    char buf[4096];
    pollfd q{master, POLLIN, 0};
    while (poll(&q, 1, 0) > 0) {
      ssize_t n = read(master, buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, size_t(n));
    }
    return waitpid(pid, &st, WNOHANG) == pid;
  }, 30000);
  if (!ended) {
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
  }
  ASSERT_TRUE(ended) << out;
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 1) << st << " " << out;
  EXPECT_NE(out.find("is not running"), std::string::npos) << out;
  termios after{};
  ASSERT_EQ(tcgetattr(master, &after), 0);
  EXPECT_TRUE(after.c_lflag & ICANON);
  EXPECT_TRUE(after.c_lflag & ISIG);
  close(master);
  close(listener);
}
