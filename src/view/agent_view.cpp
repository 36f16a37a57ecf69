// agent_view.cpp — see agent_view.h: the view's entry point and its loop.
//
// Why: run_agent_view() checks the view may run, takes the terminal over and
// runs App (view_app.h) on libuv until the person quits. This file holds the
// loop's own handles: terminal input, signals, quitting. Frames, the
// supervisor link, effects and attach live in their own files.
#include "view/agent_view.h"

#include <locale.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "mux/wire/daemon_client.h"
#include "mux/wire/ops.h"
#include "view/term_caps.h"
#include "view/text_util.h"
#include "view/view_app.h"
#include "view/view_prefs.h"

namespace amux::view {

void write_out(std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(STDOUT_FILENO, s.data(), s.size());
    if (n > 0) { s.remove_prefix(size_t(n)); continue; }
    if (n < 0 && errno == EINTR) continue;
    return;
  }
}

void App::init_handles() {
  uv_loop_init(&loop);
  for (uv_timer_t* t : {&frame_timer, &anim_timer, &esc_timer, &deadline_timer, &reconnect_timer, &attention_timer}) {
    uv_timer_init(&loop, t);
    t->data = this;
  }
  auto sig = [](uv_signal_t* h, int signum) { of(h)->on_signal(signum); };
  for (auto [h, s] : {std::pair{&sig_winch, SIGWINCH}, {&sig_term, SIGTERM}, {&sig_hup, SIGHUP},
                      {&sig_int, SIGINT}, {&sig_cont, SIGCONT}}) {
    uv_signal_init(&loop, h);
    h->data = this;
    uv_signal_start(h, sig, s);
  }
  uv_poll_init(&loop, &stdin_poll, STDIN_FILENO);
  stdin_poll.data = this;
  start_stdin();
}

void App::start_stdin() {
  if (stdin_polling) return;
  stdin_polling = true;
  uv_poll_start(&stdin_poll, UV_READABLE, [](uv_poll_t* h, int status, int) {
    App* a = of(h);
    if (status < 0) { a->quit(); return; }
    a->on_readable();
  });
}

void App::stop_stdin() {
  if (!stdin_polling) return;
  stdin_polling = false;
  uv_poll_stop(&stdin_poll);
}

void App::on_readable() {
  char buf[4096];
  ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
  if (n == 0) { quit(); return; }
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return;
    quit();
    return;
  }
  handle_events(dec.feed(std::string_view(buf, size_t(n))));
  if (dec.pending()) {
    uv_timer_start(&esc_timer, [](uv_timer_t* t) {
      App* a = of(t);
      a->handle_events(a->dec.flush());
    }, uint64_t(config.escape_time_ms), 0);  // a lone ESC is a key after this pause
  } else {
    uv_timer_stop(&esc_timer);
  }
}

void App::handle_events(const std::vector<InputEvent>& evs) {
  int64_t now = mux::now_ms();
  for (const auto& ev : evs) {
    if (quitting) return;
    std::vector<Effect> effects;
    if (ev.kind == InputEvent::Mouse) {
      if (ev.button == 64 || ev.button == 65) {
        ctl->on_wheel(ev.button == 64 ? -1 : 1);
      } else if (ev.press && (ev.button & ~(4 | 8 | 16)) == 0) {
        for (auto& h : hits)
          if (h.r.contains(ev.y, ev.x)) {
            effects = ctl->on_click(h.id, now);
            break;
          }
      } else {
        continue;
      }
    } else {
      effects = ctl->on_input(ev, now);
    }
    for (auto& e : effects) run_effect(e);
    request_frame();
  }
}

void App::on_signal(int signum) {
  if (signum == SIGWINCH) {
    struct winsize ws {};
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
      resizeterm(ws.ws_row, ws.ws_col);
    full_repaint = true;
    request_frame();
  } else if (signum == SIGCONT) {
    full_repaint = true;
    request_frame();
  } else {
    quit();
  }
}

void App::quit() {
  if (quitting) return;
  quitting = true;
  feeds.clear();
  sup.reset();
  remote_hosts.clear();
  remote_calls.clear();
  uv_walk(&loop, [](uv_handle_t* h, void*) {
    if (!uv_is_closing(h)) uv_close(h, nullptr);
  }, nullptr);
}

int run_agent_view(const mux::Paths& paths, const mux::Config& config, const keymap::KeymapTable& keys,
                   const ViewDefaults& defaults) {
  std::string off = agent_view_disabled(config);
  if (!off.empty()) {
    std::fprintf(stderr,
                 "amux: the agent view is turned off (%s).\n"
                 "  amux agents --json    list sessions\n"
                 "  amux attach <id>      open one in this terminal\n",
                 off.c_str());
    return 1;
  }
  if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
    std::fprintf(stderr, "amux: the agent view needs a terminal; 'amux agents --json' lists sessions\n");
    return 1;
  }
  // The supervisor, started on demand before the screen is taken over (so
  // "Starting background service…" shows on the normal screen).
  auto st = mux::supervisor_request(paths, {{"op", mux::op_name(mux::Op::Status)}}, true, 10000);
  if (!st.value("ok", false)) {
    std::fprintf(stderr, "amux: %s\n", sanitize(st.value("error", std::string("the background service did not answer"))).c_str());
    return 1;
  }
  ViewDefaults d = defaults;
  for (auto& h : config.hosts) d.hosts.push_back(h.name);
  auto app = std::make_unique<App>(paths, config, keys, d);
  try {
    app->ctl = std::make_unique<Controller>(app->model, keys, d, [](const std::string& p) {
      std::error_code ec;
      return std::filesystem::is_directory(p, ec);
    });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "amux: bad key binding in [view]: %s\n", sanitize(e.what()).c_str());
    return 1;
  }
  std::string home = defaults.cwd;
  if (home.empty()) {
    std::error_code ec;
    home = std::filesystem::current_path(ec).string();
  }
  app->model.set_home_dir(home);
  app->model.set_group_by(load_view_prefs(paths.config_dir).group_by);
  app->defaults_text = defaults_line(defaults, config);

  setlocale(LC_ALL, "");
  // Signals first: ncurses then leaves SIGWINCH to us (libuv owns it).
  app->init_handles();
  SCREEN* scr = newterm(nullptr, stdout, stdin);
  if (!scr) {
    std::fprintf(stderr, "amux: cannot use this terminal (TERM=%s)\n", sanitize(getenv("TERM") ? getenv("TERM") : "").c_str());
    app->quit();
    uv_run(&app->loop, UV_RUN_DEFAULT);
    uv_loop_close(&app->loop);
    return 1;
  }
  raw();
  noecho();
  nonl();
  intrflush(stdscr, FALSE);
  keypad(stdscr, FALSE);
  const char* nc = getenv("NO_COLOR");
  app->pal.init(nc && *nc);
  write_out(term_caps().title_save);
  write_out(kModesOn);
  app->connect_supervisor();
  app->follow_hosts();
  app->request_frame();
  uv_run(&app->loop, UV_RUN_DEFAULT);
  // Leave: modes off, screen back, title back.
  write_out(kModesOff);
  endwin();
  delscreen(scr);
  write_out(term_caps().title_restore);
  uv_loop_close(&app->loop);
  return 0;
}

}  // namespace amux::view
