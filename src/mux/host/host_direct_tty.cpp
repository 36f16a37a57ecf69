// host_direct_tty.cpp — an attached client's own terminal, written and read here.
//
// Why: as tmux's server does, the attach client may pass its terminal's fd
// with Attach; frames are then written to it straight away (one process hop
// less between a key and its echo), and with "input" the host reads the keys
// from it too, matching the client's bindings itself (keymap::ChordMatcher)
// with an escape-time timer for a lone ESC. A typed binding lets go of the
// terminal and tells the client (Leave).
#include <fcntl.h>
#include <unistd.h>

#include "mux/host/host_impl.h"
#include "mux/wire/messages.h"

namespace amux::mux {

using namespace host_detail;

// Takes the terminal fd that came with Attach. Anything but a tty stays
// pending (and fails the connection).
void SessionHost::Impl::take_tty(Conn* c) {
  if (c->tty_open || uv_pipe_pending_count(&c->pipe) == 0) return;
  if (uv_pipe_pending_type(&c->pipe) != UV_TTY) return;
  uv_pipe_init(loop, &c->tty, 0);
  c->tty.data = c;
  ++c->handles;
  ++open_handles;
  c->tty_open = true;
  uv_os_fd_t fd = -1;
  if (uv_accept(reinterpret_cast<uv_stream_t*>(&c->pipe), reinterpret_cast<uv_stream_t*>(&c->tty)) < 0 ||
      uv_fileno(reinterpret_cast<uv_handle_t*>(&c->tty), &fd) < 0 || !::isatty(fd)) {
    close_tty(c);
    return;
  }
  // The client opened this description for us alone: never block on it.
  int fl = ::fcntl(fd, F_GETFL);
  if (fl < 0 || ::fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) close_tty(c);
}

void SessionHost::Impl::close_tty(Conn* c) {
  c->tty_reading = false;
  if (!c->tty_open) return;
  c->tty_open = false;
  c->exited_pending = false;
  uv_close(reinterpret_cast<uv_handle_t*>(&c->tty), on_conn_closed);  // drops queued frames
}

// Bytes waiting to reach an attached client's terminal.
size_t SessionHost::Impl::out_queue_size(Conn* c) const {
  if (!c->tty_open) return queue_size(c);
  return uv_stream_get_write_queue_size(reinterpret_cast<const uv_stream_t*>(&c->tty));
}

// Exited goes through the socket; with direct output it waits until the
// frames before it are on the terminal, and no frame follows it.
void SessionHost::Impl::send_exited(Conn* c, const json& ex) {
  stop_tty_input(c);  // "press any key": the client reads its keys again
  if (c->tty_open) {
    c->exited_sent = true;
    if (out_queue_size(c) > 0) {
      c->exited_pending = true;
      return;
    }
  }
  send_json(c, MsgType::Exited, ex);
}

// Reads the keys from the client's terminal (direct input). Any problem
// with the bindings leaves the reading to the client, which then sends
// Input as without a terminal.
void SessionHost::Impl::start_tty_input(Conn* c, const json& j) {
  std::vector<keymap::Binding> bindings;
  try {
    bindings = read_bindings(j);
    c->chords = std::make_unique<keymap::ChordMatcher>(bindings);
  } catch (const std::exception& e) {
    log(std::string("attach: not reading the terminal: ") + e.what());
    return;
  }
  if (finished) return;  // the session is over: the client reads its keys
  if (uv_read_start(reinterpret_cast<uv_stream_t*>(&c->tty), on_conn_alloc, on_tty_read) == 0)
    c->tty_reading = true;
}

void SessionHost::Impl::stop_tty_input(Conn* c) {
  if (!c->tty_reading) return;
  c->tty_reading = false;
  if (c->tty_open) uv_read_stop(reinterpret_cast<uv_stream_t*>(&c->tty));
}

void SessionHost::Impl::on_tty_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
  Conn* c = static_cast<Conn*>(s->data);
  Impl* h = c->host;
  if (n < 0) {  // the terminal is gone
    h->close_conn(c, false);
    return;
  }
  if (n == 0 || c->closing || !c->tty_reading) return;
  if (!h->on_tty_keys(c, c->chords->feed(std::string_view(buf->base, size_t(n))))) return;
  // The start of a key's escape sequence (a lone ESC) goes to the program
  // if nothing follows within the escape time; a prefix key waits.
  if (!c->chords->expiring()) {
    c->esc_due = 0;
  } else if (c->esc_due == 0) {
    c->esc_due = uv_now(h->loop) + uint64_t(h->opts.escape_time_ms);
    h->arm_esc_timer();
  }
}

// Keys matched on a client's terminal. False when the client left.
bool SessionHost::Impl::on_tty_keys(Conn* c, const std::vector<keymap::ChordMatcher::Event>& events) {
  for (auto& ev : events) {
    if (ev.kind == keymap::ChordMatcher::Event::Passthrough) {
      client_keys(c, ev.data);
    } else if (ev.data == "copy-mode") {
      enter_copy(c);
    } else if (ev.data == "send-prefix") {
      if (c->copy) continue;
      on_person_input();
      write_pty(c->chords->prefix());
    } else {
      c->esc_due = 0;
      leave(c, ev.data);
      return false;
    }
  }
  return true;
}

// One timer serves every client reading keys: it fires at the earliest due.
void SessionHost::Impl::arm_esc_timer() {
  if (closed_all) return;
  uint64_t due = 0;
  for (auto& c : conns)
    if (c->esc_due && !c->closing && (due == 0 || c->esc_due < due)) due = c->esc_due;
  if (due == 0) {
    uv_timer_stop(&esc_timer);
    return;
  }
  const uint64_t now = uv_now(loop);
  uv_timer_start(&esc_timer, [](uv_timer_t* t) { self(t)->on_esc_time(); }, due > now ? due - now : 0, 0);
}

void SessionHost::Impl::on_esc_time() {
  const uint64_t now = uv_now(loop);
  std::vector<Conn*> due;
  for (auto& c : conns)
    if (c->esc_due && c->esc_due <= now) due.push_back(c.get());
  for (Conn* c : due) {
    c->esc_due = 0;
    if (c->closing || !c->tty_reading || !c->chords) continue;
    on_tty_keys(c, c->chords->flush());
  }
  arm_esc_timer();
}

// A binding was typed on a terminal the host reads: let go of it and tell
// the client what to do.
void SessionHost::Impl::leave(Conn* c, const std::string& action) {
  stop_tty_input(c);
  if (c->attached) detach(c);
  close_tty(c);
  send_json(c, MsgType::Leave, {{"action", action}});
}

}  // namespace amux::mux
