// host_copy.cpp — copy mode for an attached client (copy_mode.h): entering
// and leaving, its keys, its frames, and where the copied text goes.
//
// Why: the host owns the session's history, so copy mode runs here. While a
// client is in it, that client is drawn the copy-mode picture instead of
// the live screen (through render::redraw_lines, the same care for
// untrusted text as every frame); output that arrives meanwhile goes on
// into the Screen, and leaving gives the client a full redraw of the live
// screen. Copied text is written to the amux buffer (a 0600 file in the
// config dir that `amux show-buffer` prints) and, when the client asked for
// it (clipboard = "osc52"), to its terminal's clipboard as OSC 52.
#include "mux/host/host_impl.h"
#include "mux/store/atomic_file.h"

#include <cstring>

namespace amux::mux {

using namespace host_detail;

namespace {

std::string base64(std::string_view in) {
  static const char* kAbc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t v = uint32_t(static_cast<unsigned char>(in[i])) << 16;
    if (i + 1 < in.size()) v |= uint32_t(static_cast<unsigned char>(in[i + 1])) << 8;
    if (i + 2 < in.size()) v |= uint32_t(static_cast<unsigned char>(in[i + 2]));
    out += kAbc[(v >> 18) & 63];
    out += kAbc[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAbc[(v >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kAbc[v & 63] : '=';
  }
  return out;
}

constexpr int kWheelLines = 3;  // lines one wheel step scrolls

// Terminals cap what one OSC 52 may carry (xterm: about 100 kB decoded).
constexpr size_t kMaxClipboard = 74 * 1024;

}  // namespace

void SessionHost::Impl::enter_copy(Conn* c, int scroll) {
  if (!c->attached || c->closing) return;
  if (!c->copy) c->copy = std::make_unique<CopyMode>(*screen, c->rows, c->cols);
  if (scroll) c->copy->scroll(scroll);
  c->copy_drawn.clear();
  draw_copy(c);
}

void SessionHost::Impl::leave_copy(Conn* c) {
  if (!c->copy) return;
  c->copy.reset();
  c->copy_drawn.clear();
  c->needs_full = true;
  send_frame(c, true);
}

// Keys a client typed, from its terminal or relayed: to copy mode while the
// client is in it, else to the program, but for the mouse reports its
// terminal sends for amux alone (the wheel enters copy mode).
void SessionHost::Impl::client_keys(Conn* c, std::string_view bytes) {
  if (c->copy) {
    copy_input(c, bytes);
    return;
  }
  std::string rest;
  int wheel_up = 0;
  if (c->ro.wheel && screen->modes().mouse == 0 && bytes.find("\x1b[<") != std::string_view::npos) {
    rest = take_mouse_reports(bytes, &wheel_up);
    bytes = rest;
  }
  if (!bytes.empty()) {
    on_person_input();
    write_pty(bytes);
  }
  if (wheel_up > 0) enter_copy(c, kWheelLines * wheel_up);
}

// The client read the copy-mode key itself (keys relayed over the socket).
json SessionHost::Impl::op_copy_mode(Conn* c, const json&) {
  if (!c->attached) return {{"ok", false}, {"error", "not attached"}};
  enter_copy(c);
  return {{"ok", true}, {"copy", true}};
}

// Keys a client in copy mode typed.
void SessionHost::Impl::copy_input(Conn* c, std::string_view bytes) {
  switch (c->copy->input(bytes)) {
    case CopyMode::Result::Nothing:
      return;
    case CopyMode::Result::Redraw:
      draw_copy(c);
      return;
    case CopyMode::Result::CopyAndLeave:
      store_copied(c, c->copy->copied());
      [[fallthrough]];
    case CopyMode::Result::Leave:
      leave_copy(c);
      return;
  }
}

// The amux buffer, and the client's clipboard when it asked for OSC 52.
void SessionHost::Impl::store_copied(Conn* c, const std::string& text) {
  if (int rc = write_file_atomic(opts.paths.buffer_file(), text, 0600); rc < 0)
    log(std::string("copy mode: cannot write the buffer: ") + std::strerror(-rc));
  if (c->clipboard != "osc52" || text.size() > kMaxClipboard) return;
  std::string osc = "\x1b]52;c;" + base64(text) + "\x1b\\";
  write_client(c, std::move(osc));
}

// Draws the copy-mode picture when it differs from the one last drawn.
void SessionHost::Impl::draw_copy(Conn* c) {
  if (!c->copy || c->closing || c->exited_sent) return;
  if (out_queue_size(c) > opts.client_queue_limit) {
    c->behind = true;
    return;
  }
  c->copy->resize(c->rows, c->cols);
  render::Cursor cur;
  auto lines = c->copy->lines(&cur);
  std::string out = render::redraw_lines(*screen, lines, c->cols, cur, c->ro);
  if (out.empty() || out == c->copy_drawn) return;
  c->copy_drawn = out;
  if (c->sync) out = std::string(kSyncBegin).append(out).append(kSyncEnd);
  write_client(c, std::move(out));
}

// Bytes for a client's terminal: straight to it, or as Output frames.
void SessionHost::Impl::write_client(Conn* c, std::string out) {
  if (c->tty_open) {
    write_stream(reinterpret_cast<uv_stream_t*>(&c->tty), std::move(out), c);
    return;
  }
  for (size_t i = 0; i < out.size(); i += kOutputChunk)
    send(c, MsgType::Output, std::string_view(out).substr(i, kOutputChunk));
}

}  // namespace amux::mux
