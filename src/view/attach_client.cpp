// attach_client.cpp — the interactive attach client on libuv (see attach_client.h).
//
// Flow: connect + handshake (blocking, short), then one loop with the host
// socket, the terminal's input (raw mode), SIGWINCH and termination signals.
// Input passes through a ChordMatcher so the detach key and C-b chords never
// reach the session.
//
// Output: like tmux's client, this one hands the host a file descriptor of
// its terminal (a description of its own, opened from ttyname, so the host
// may make it non-blocking without touching the shell's) with the Attach
// frame, and the host writes its frames there itself: a key's echo then
// crosses two processes fewer. On leaving, the client waits until the host
// says it let go of the terminal before it restores the modes, so no frame
// lands after that. When the fd cannot be passed, frames come as Output
// messages and are written here. What the client asks of and writes to the
// terminal itself (its size, the enter and leave sequences, the Attach
// request) is in attach_terminal.cpp.
#include "view/attach_client.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <uv.h>

#include "keymap/chord.h"
#include "mux/wire/host_client.h"
#include "mux/wire/ops.h"
#include "mux/wire/protocol.h"
#include "pty/unique_fd.h"
#include "render/safe_text.h"
#include "view/attach_notices.h"
#include "view/attach_terminal.h"
#include "view/term_caps.h"

namespace amux::view {
namespace {

AttachEnd leave_end(const std::string& action);

struct WriteReq {
  uv_write_t req{};
  std::string data;
};

struct Client {
  uv_loop_t loop{};
  uv_pipe_t sock{};
  uv_tty_t tty{};
  uv_signal_t winch{}, term{}, hup{}, intr{};
  mux::FrameDecoder dec;
  std::unique_ptr<keymap::ChordMatcher> chords;
  AttachResult result;
  bool finished = false;
  bool exited = false;       // the session ended; waiting for a key
  bool tty_raw = false;
  bool direct = false;        // the host writes frames to our terminal itself
  bool host_reads = false;    // the host reads our keys too (until told otherwise)
  bool reading = false;       // we read our terminal
  bool awaiting_ack = false;  // left; waiting for the host to let go of the terminal
  bool closed = false;
  uv_timer_t ack_timer{};
  uv_timer_t esc_timer{};
  uv_timer_t notice_timer{};
  std::unique_ptr<AttachNotices> notices;  // other sessions that need the person
  int escape_time_ms = 20;
  bool sync = false;  // wrap what this client draws in mode 2026
  int rows = 24, cols = 80;

  void send(mux::MsgType t, std::string_view payload) {
    auto w = std::make_unique<WriteReq>();
    w->data = mux::encode_frame(t, payload);
    auto* st = reinterpret_cast<uv_stream_t*>(&sock);
    if (uv_stream_get_write_queue_size(st) == 0) {  // write at once, no POLLOUT dance
      uv_buf_t now = uv_buf_init(w->data.data(), unsigned(w->data.size()));
      int n = uv_try_write(st, &now, 1);
      if (n == int(w->data.size())) return;
      if (n > 0) w->data.erase(0, size_t(n));
    }
    uv_buf_t b = uv_buf_init(w->data.data(), unsigned(w->data.size()));
    w->req.data = w.get();
    if (uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&sock), &b, 1, [](uv_write_t* r, int) {
          std::unique_ptr<WriteReq> owned(static_cast<WriteReq*>(r->data));
        }) == 0)
      (void)w.release();
  }

  void finish(AttachEnd e, const std::string& err = "") {
    if (finished) return;
    finished = true;
    result.end = e;
    result.error = err;
    const bool leaving = e == AttachEnd::Detached || e == AttachEnd::Next ||
                         e == AttachEnd::Previous || e == AttachEnd::Back;
    if (leaving) send(mux::MsgType::Detach, "");
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&tty));
    if (leaving && direct) {
      // The host answers Detach once it has closed our terminal.
      awaiting_ack = true;
      uv_timer_start(&ack_timer, [](uv_timer_t* t) { static_cast<Client*>(t->data)->close_all(); },
                     1000, 0);
      return;
    }
    close_all();
  }

  void close_all() {
    if (closed) return;
    closed = true;
    notices.reset();  // its connection closes the proper way before the walk
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&sock));
    uv_walk(&loop, [](uv_handle_t* h, void*) {
      if (!uv_is_closing(h)) uv_close(h, nullptr);
    }, nullptr);
  }

  // Read the terminal here (no direct input, or the host gave it back).
  void start_reading();

  // Handle every whole frame decoded so far.
  void pump_frames() {
    try {
      while (!closed) {
        auto f = dec.next();
        if (!f) break;
        on_frame(*f);
      }
    } catch (const std::exception& e) {
      if (finished) close_all();
      else finish(AttachEnd::Lost, std::string("bad data from the host: ") + e.what());
    }
  }

  // The host ended the attach because a binding was typed on our terminal
  // (direct input); it has let go of the terminal already.
  void on_leave(const mux::Frame& f) {
    std::string action;
    try { action = f.json().value("action", std::string()); } catch (...) {}
    finished = true;
    result.end = leave_end(action);
    close_all();
  }

  void on_frame(const mux::Frame& f) {
    if (finished) {
      if (awaiting_ack && f.type == mux::MsgType::Response) {
        bool ack = false;
        try { ack = f.json().value("detached", false); } catch (...) {}
        if (ack) close_all();
      }
      if (f.type == mux::MsgType::Leave) close_all();  // the host let go as well
      return;
    }
    switch (f.type) {
      case mux::MsgType::Response: {  // to Attach: does the host read our keys?
        bool input = false;
        try { input = f.json().value("input", false); } catch (...) {}
        host_reads = input;
        if (!input) start_reading();
        break;
      }
      case mux::MsgType::Leave:
        on_leave(f);
        break;
      case mux::MsgType::Output:
        if (!exited) write_all_fd(STDOUT_FILENO, f.payload);
        break;
      case mux::MsgType::Exited: {
        std::string detail;
        try {
          auto j = f.json();
          detail = j.value("state", std::string("exited"));
          std::string d = j.value("detail", std::string());
          if (!d.empty()) detail += " · " + d;
        } catch (...) {
          detail = "exited";
        }
        exited = true;
        host_reads = false;
        start_reading();  // the host stopped reading our keys: "press any key"
        write_all_fd(STDOUT_FILENO, exited_notice(rows, detail, sync));
        break;
      }
      case mux::MsgType::Error: {
        std::string e = "host error";
        try { e = f.json().value("error", e); } catch (...) {}
        finish(AttachEnd::Lost, e);
        break;
      }
      default:
        break;
    }
  }

  void on_input(std::string_view bytes) {
    if (exited) { finish(AttachEnd::Exited); return; }
    on_keys(chords->feed(bytes));
    if (finished) return;
    // The start of a key's escape sequence (a lone ESC) goes to the program
    // if nothing follows within the escape time; a prefix key waits.
    if (!chords->expiring()) {
      uv_timer_stop(&esc_timer);
    } else if (!uv_is_active(reinterpret_cast<uv_handle_t*>(&esc_timer))) {
      uv_timer_start(&esc_timer, [](uv_timer_t* t) {
        auto* c = static_cast<Client*>(t->data);
        if (!c->finished && !c->exited) c->on_keys(c->chords->flush());
      }, uint64_t(escape_time_ms), 0);
    }
  }

  void on_keys(const std::vector<keymap::ChordMatcher::Event>& events);

  void send_input(std::string_view bytes) {
    for (size_t i = 0; i < bytes.size(); i += mux::kMaxInputFrame)
      send(mux::MsgType::Input, bytes.substr(i, mux::kMaxInputFrame));
  }

  void on_resize() {
    int r, c;
    terminal_size(&r, &c);
    if (r == rows && c == cols) return;
    rows = r;
    cols = c;
    nlohmann::json j = {{"rows", rows}, {"cols", cols}};
    send(mux::MsgType::Resize, j.dump());
  }
};


// What each [attach] action does. Every action but send-prefix and copy-mode leaves the
// session; how it ends tells the caller where to go next.
struct AttachAction {
  const char* name;
  void (*run)(Client&);
};
const AttachAction kAttachActions[] = {
    {"detach", [](Client& c) { c.finish(AttachEnd::Detached); }},
    {"next", [](Client& c) { c.finish(AttachEnd::Next); }},
    {"previous", [](Client& c) { c.finish(AttachEnd::Previous); }},
    {"back", [](Client& c) { c.finish(AttachEnd::Back); }},
    {"send-prefix", [](Client& c) { c.send_input(c.chords->prefix()); }},
    {"copy-mode", [](Client& c) {
       c.send(mux::MsgType::Request, nlohmann::json{{"op", mux::op_name(mux::Op::CopyMode)}}.dump());
     }},
};

// The host tells which leaving action it matched (direct input).
AttachEnd leave_end(const std::string& action) {
  static const std::pair<const char*, AttachEnd> kEnds[] = {
      {"next", AttachEnd::Next}, {"previous", AttachEnd::Previous}, {"back", AttachEnd::Back}};
  for (const auto& [name, end] : kEnds)
    if (action == name) return end;
  return AttachEnd::Detached;
}

void Client::on_keys(const std::vector<keymap::ChordMatcher::Event>& events) {
  for (auto& ev : events) {
    if (ev.kind == keymap::ChordMatcher::Event::Passthrough) {
      send_input(ev.data);
      continue;
    }
    for (const auto& a : kAttachActions)
      if (ev.data == a.name) {
        a.run(*this);
        break;
      }
    if (finished) return;
  }
}

void Client::start_reading() {
  if (reading || finished) return;
  reading = true;
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&tty),
      [](uv_handle_t*, size_t, uv_buf_t* b) {
        static char buf[16384];
        *b = uv_buf_init(buf, sizeof buf);
      },
      [](uv_stream_t* s, ssize_t n, const uv_buf_t* b) {
        auto* c = static_cast<Client*>(s->data);
        if (n < 0) { c->finish(AttachEnd::Detached); return; }
        if (n > 0) c->on_input(std::string_view(b->base, size_t(n)));
      });
}

}  // namespace

AttachOptions attach_options(const mux::Config& config) {
  AttachOptions o;
  o.escape_time_ms = config.escape_time_ms;
  o.sync_output = config.sync_output;
  o.clipboard = config.clipboard;
  o.wheel = config.mouse;
  return o;
}

AttachResult run_attach(const mux::Paths& paths, const keymap::KeymapTable& keys,
                        const mux::SessionRecord& rec, bool announce, const AttachOptions& opts) {
  const int escape_time_ms = opts.escape_time_ms;
  AttachResult res;
  if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
    res.end = AttachEnd::Lost;
    res.error = "attach needs a terminal (stdin and stdout must be a tty)";
    return res;
  }
  auto cl = std::make_unique<Client>();
  try {
    cl->chords = std::make_unique<keymap::ChordMatcher>(keys.bindings("attach"));
  } catch (const std::exception& e) {
    res.end = AttachEnd::Lost;
    res.error = std::string("bad key binding: ") + e.what();
    return res;
  }
  // The terminal goes raw before the host can draw: a key typed as soon as
  // the session shows (the detach key, C-\) must reach the host or this
  // client, not the line discipline (which would make it SIGQUIT).
  uv_loop_init(&cl->loop);
  cl->loop.data = cl.get();
  if (uv_tty_init(&cl->loop, &cl->tty, STDIN_FILENO, 1) != 0) {
    uv_loop_close(&cl->loop);
    res.end = AttachEnd::Lost;
    res.error = "cannot use this terminal";
    return res;
  }
  cl->tty.data = cl.get();
  uv_tty_set_mode(&cl->tty, UV_TTY_MODE_RAW);
  cl->tty_raw = true;
  // What Attach says; with a terminal descriptor to pass (direct output) it
  // goes right behind Hello, without waiting for Welcome.
  int rows = 24, cols = 80;
  terminal_size(&rows, &cols);
  pty::UniqueFd out_fd;  // a description of this terminal of the host's own
  // AMUX_ATTACH_RELAY=1: frames and keys go through this client (the path
  // taken when the terminal cannot be passed), for terminals or setups where
  // the host should not touch the terminal itself.
  const char* relay = getenv("AMUX_ATTACH_RELAY");
  const bool relay_only = relay && *relay && std::strcmp(relay, "0") != 0;
  if (const char* tn = relay_only ? nullptr : ttyname(STDOUT_FILENO))
    out_fd.reset(::open(tn, O_RDWR | O_NOCTTY | O_CLOEXEC));
  bool sync = false;
  const nlohmann::json att = attach_request(rows, cols, opts, keys, bool(out_fd), &sync);
  bool direct = false;
  bool entered = false;
  mux::HostClient hc;
  std::string err;
  std::string sock = rec.socket.empty() ? paths.host_socket(rec.id) : rec.socket;
  err = hc.connect(sock, 3000, [&]() -> std::string {
    if (!out_fd) return "";
    // Enter (save title, alternate screen, clear) before the host can draw.
    write_all_fd(STDOUT_FILENO, enter_sequence());
    entered = true;
    direct = hc.send(mux::MsgType::Attach, att.dump(), out_fd.get()).empty();
    return "";
  });
  out_fd.reset();
  if (!err.empty() && entered) write_all_fd(STDOUT_FILENO, term_caps().alt_leave + term_caps().title_restore);
  int fd = err.empty() ? dup(hc.fd()) : -1;  // the loop's own descriptor of the socket
  if (fd < 0) {
    res.end = AttachEnd::Lost;
    res.error = "session " + rec.id + " is not running (" + (err.empty() ? strerror(errno) : err) + ")";
    uv_tty_reset_mode();
    uv_close(reinterpret_cast<uv_handle_t*>(&cl->tty), nullptr);
    uv_run(&cl->loop, UV_RUN_DEFAULT);
    uv_loop_close(&cl->loop);
    return res;
  }

  uv_pipe_init(&cl->loop, &cl->sock, 0);
  uv_pipe_open(&cl->sock, fd);
  cl->sock.data = cl.get();
  cl->rows = rows;
  cl->cols = cols;
  uv_timer_init(&cl->loop, &cl->ack_timer);
  cl->ack_timer.data = cl.get();
  uv_timer_init(&cl->loop, &cl->esc_timer);
  cl->esc_timer.data = cl.get();
  cl->escape_time_ms = escape_time_ms;
  uv_timer_init(&cl->loop, &cl->notice_timer);
  cl->notices = std::make_unique<AttachNotices>(&cl->loop, &cl->notice_timer, paths, rec.id,
                                                [c = cl.get()](const std::string& bytes) {
                                                  if (!c->finished && !c->exited) write_all_fd(STDOUT_FILENO, bytes);
                                                });
  cl->sync = sync;
  cl->direct = direct;
  cl->host_reads = direct;  // until the host's answer to Attach says otherwise
  cl->dec.append(hc.take_buffered());  // what came right behind Welcome
  hc.close();  // the loop has its own descriptor
  if (!entered) write_all_fd(STDOUT_FILENO, enter_sequence());
  if (!cl->direct) cl->send(mux::MsgType::Attach, att.dump());

  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&cl->sock),
      [](uv_handle_t*, size_t, uv_buf_t* b) {
        static char buf[65536];
        *b = uv_buf_init(buf, sizeof buf);
      },
      [](uv_stream_t* s, ssize_t n, const uv_buf_t* b) {
        auto* c = static_cast<Client*>(s->data);
        if (n < 0) {
          if (c->finished) c->close_all();
          else if (c->exited) c->finish(AttachEnd::Exited);
          else c->finish(AttachEnd::Lost, "lost connection to the session host");
          return;
        }
        c->dec.append(std::string_view(b->base, size_t(n)));
        c->pump_frames();
      });
  if (!cl->host_reads) cl->start_reading();
  auto sig = [](uv_signal_t* h, int signum) {
    auto* c = static_cast<Client*>(h->data);
    if (signum == SIGWINCH) c->on_resize();
    else c->finish(AttachEnd::Detached);
  };
  for (auto [h, s] : {std::pair{&cl->winch, SIGWINCH}, {&cl->term, SIGTERM}, {&cl->hup, SIGHUP},
                      {&cl->intr, SIGINT}}) {
    uv_signal_init(&cl->loop, h);
    h->data = cl.get();
    uv_signal_start(h, sig, s);
  }
  // Frames that came right behind Welcome (Exited, for a session already
  // over) are not waiting on the socket any more: handle them now.
  cl->pump_frames();
  uv_run(&cl->loop, UV_RUN_DEFAULT);
  uv_tty_reset_mode();
  write_all_fd(STDOUT_FILENO, leave_sequence());
  uv_loop_close(&cl->loop);

  res = cl->result;
  if (announce) {
    if (res.end == AttachEnd::Detached)
      std::printf("[detached from %s · %s]\n", render::sanitize(rec.id).c_str(), render::sanitize(rec.name).c_str());
    else if (res.end == AttachEnd::Exited)
      std::printf("[session %s has exited]\n", render::sanitize(rec.id).c_str());
    std::fflush(stdout);
  }
  return res;
}

}  // namespace amux::view
