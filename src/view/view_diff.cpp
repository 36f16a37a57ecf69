// view_diff.cpp — the agent view leaves the screen for a session's worktree
// diff (`amux diff`), and comes back.
//
// Why: reviewing what an agent changed is the step before attaching or
// removing it. git runs on the terminal with the person's pager; when it
// is done (or printed a short diff without a pager) the view waits for a
// key, so the diff is not wiped at once, then repaints. A session without
// a worktree just says so in the status line.
#include <fcntl.h>
#include <ncurses.h>
#include <sys/ioctl.h>
#include <termios.h>

#include <cerrno>
#include <unistd.h>

#include "mux/agents/worktree_diff.h"
#include "view/text_util.h"
#include "view/view_app.h"

namespace amux::view {

namespace {
// One key, in raw mode, from the terminal.
void wait_key() {
  termios old {};
  if (tcgetattr(STDIN_FILENO, &old) != 0) return;
  termios raw = old;
  raw.c_lflag &= ~tcflag_t(ICANON | ECHO);
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;
  tcsetattr(STDIN_FILENO, TCSANOW, &raw);
  char c;
  while (::read(STDIN_FILENO, &c, 1) < 0 && errno == EINTR) {
  }
  tcsetattr(STDIN_FILENO, TCSANOW, &old);
}
// The terminal in blocking mode while git, its pager and the key wait use it
// (the view's loop may have left it non-blocking); restored on destruction.
struct BlockingTerminal {
  int flags[3] = {-1, -1, -1};
  BlockingTerminal() {
    for (int fd = 0; fd < 3; ++fd) {
      flags[fd] = fcntl(fd, F_GETFL);
      if (flags[fd] >= 0 && (flags[fd] & O_NONBLOCK)) fcntl(fd, F_SETFL, flags[fd] & ~O_NONBLOCK);
    }
  }
  ~BlockingTerminal() {
    for (int fd = 0; fd < 3; ++fd)
      if (flags[fd] >= 0) fcntl(fd, F_SETFL, flags[fd]);
  }
};
}  // namespace

void App::show_diff(const std::string& id) {
  int64_t now = mux::now_ms();
  auto rec = mux::load_record(paths, id);
  if (!rec) { ctl->set_status("session " + id + " is gone", true, now); request_frame(); return; }
  if (rec->worktree.empty()) {
    ctl->set_status(sanitize(rec->name) + " has no worktree: it runs in " + sanitize(rec->cwd), true, now);
    request_frame();
    return;
  }
  feeds.clear();  // nothing streams while the view is away
  leave_screen();
  std::string error;
  int rc;
  {
    BlockingTerminal blocking;
    rc = mux::run_worktree_diff(*rec, &error);
    if (rc >= 0) {
      write_out("\r\n[diff of " + sanitize(rec->name) + " · press any key to return]");
      wait_key();
    }
  }
  return_to_screen();
  if (rc < 0) ctl->set_status(sanitize(error), true, now);
}

}  // namespace amux::view
