// view_attach.cpp — the agent view leaves the screen: to attach a session
// (and come back to the same row), or to be suspended (C-z).
//
// Why: an attach gives the terminal to the attach client; the view stops
// reading keys and streaming tiles meanwhile, restarts a session whose host
// is gone when it can, follows next/previous through the list, and repaints
// everything when it returns (sizes may have changed).
#include <ncurses.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "mux/wire/daemon_client.h"
#include "mux/wire/ops.h"
#include "mux/sys/process_info.h"
#include "view/attach_client.h"
#include "view/text_util.h"
#include "view/view_app.h"

namespace amux::view {

// Leave ncurses, put the session on the terminal, come back to the same row.
void App::attach(std::string id) {
  int64_t now = mux::now_ms();
  feeds.clear();  // nothing streams while the view is away
  leave_screen();
  std::string error;
  for (int hops = 0; hops < 1000 && !id.empty(); hops++) {
    auto rec = mux::load_record(paths, id);
    if (!rec) { error = "session " + id + " is gone"; break; }
    if (!(rec->host_pid > 0 && mux::process_alive(rec->host_pid, rec->host_start_time))) {
      bool restartable = mux::state_is_live(rec->state) || rec->state == mux::SessionState::Starting ||
                         (rec->state == mux::SessionState::Failed && rec->detail.rfind("host lost", 0) == 0) ||
                         rec->kind != "shell";
      if (!restartable) {
        error = sanitize(rec->name) + " has ended and its output is gone — 'amux respawn " + id +
                "' runs it again";
        break;
      }
      auto r = mux::supervisor_request(paths, {{"op", mux::op_name(mux::Op::Ensure)}, {"id", id}}, true, 30000);
      if (!r.value("ok", false)) { error = sanitize(r.value("error", std::string("could not restart ") + id)); break; }
      rec = mux::load_record(paths, id);
      if (!rec) { error = "session " + id + " is gone"; break; }
    }
    model.select(id);
    AttachResult res = run_attach(paths, keys, *rec, false, attach_options(config));
    if (res.end == AttachEnd::Lost) { error = sanitize(res.error); break; }
    if (res.end != AttachEnd::Next && res.end != AttachEnd::Previous) break;
    const auto& order = model.order();
    if (order.empty()) break;
    int i = model.selected_index();
    int n = int(order.size());
    i = res.end == AttachEnd::Next ? (i + 1) % n : (i - 1 + n) % n;
    id = order[size_t(i)];
  }
  return_to_screen();
  ctl->set_returned(true);
  if (!error.empty()) ctl->set_status(error, true, now);
}

void App::leave_screen() {
  stop_stdin();
  write_out(kModesOff);
  def_prog_mode();
  endwin();
}

void App::return_to_screen() {
  reset_prog_mode();
  write_out(kModesOn);
  full_repaint = true;
  // Sizes may have changed while the terminal was away.
  struct winsize ws {};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0 &&
      (ws.ws_row != LINES || ws.ws_col != COLS))
    resizeterm(ws.ws_row, ws.ws_col);
  dec = InputDecoder();
  start_stdin();
  request_frame();
}

void App::suspend() {
  write_out(kModesOff);
  def_prog_mode();
  endwin();
  kill(getpid(), SIGSTOP);
  reset_prog_mode();
  write_out(kModesOn);
  full_repaint = true;
  request_frame();
}

}  // namespace amux::view
