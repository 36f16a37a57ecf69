// host_follow.cpp — `amux logs -f`: streaming lines as they complete.
//
// Why: a follower gets the last lines at once, then every line completed
// since (rows scrolled into scrollback and rows above the cursor), never the
// line still being typed; at exit it gets the rest and an exited event.
// Lines lost to the scrollback ring are skipped; a slow follower catches up.
#include <algorithm>

#include "mux/host/host_impl.h"

namespace amux::mux {

using namespace host_detail;

// Absolute index of the first line still held (scrollback start).
uint64_t SessionHost::Impl::first_line() const {
  return uint64_t(screen->total_lines_scrolled() - screen->scrollback_size());
}

uint64_t SessionHost::Impl::cursor_line() const {
  return uint64_t(screen->total_lines_scrolled()) + uint64_t(std::max(0, screen->cursor().row));
}

// One past the last non-blank screen row (absolute).
uint64_t SessionHost::Impl::end_of_content() const {
  int last = -1;
  for (int r = 0; r < screen->rows(); ++r)
    if (!cells_text(*screen, screen->row(r).cells).empty()) last = r;
  return std::max<uint64_t>(uint64_t(screen->total_lines_scrolled()) + uint64_t(last + 1),
                            cursor_line());
}

// Lines [from, to) as text; soft-wrapped rows continue without a newline.
std::string SessionHost::Impl::lines_text(uint64_t from, uint64_t to) const {
  std::string out;
  const uint64_t scrolled = screen->total_lines_scrolled();
  const uint64_t first = first_line();
  for (uint64_t l = std::max(from, first); l < to; ++l) {
    bool wrapped = false;
    if (l < scrolled) {
      auto sl = screen->scrollback_line(size_t(l - first));
      out += cells_text(*screen, sl.cells);
      wrapped = sl.wrapped;
    } else {
      const uint64_t r = l - scrolled;
      if (r >= uint64_t(screen->rows())) break;
      const auto& row = screen->row(int(r));
      out += cells_text(*screen, row.cells);
      wrapped = row.wrapped;
    }
    if (!wrapped || l + 1 == to) out.push_back('\n');
  }
  return out;
}

json SessionHost::Impl::start_follow(Conn* c, int64_t lines) {
  const uint64_t end = finished ? end_of_content() : cursor_line();
  uint64_t from = first_line();
  if (lines > 0 && end > uint64_t(lines)) from = std::max(from, end - uint64_t(lines));
  respond(c, {{"ok", true}, {"text", fit_text(lines_text(from, end))}});
  if (finished) {
    json ev = exit_summary();
    ev["exited"] = true;
    send_json(c, MsgType::Event, ev);
    close_conn(c, true);
    return nullptr;
  }
  c->following = true;
  c->follow_next = end;
  return nullptr;
}

// Send the lines completed since the last event. at_exit: everything.
void SessionHost::Impl::follow_emit(Conn* c, bool at_exit) {
  if (!at_exit && (screen->alt_screen() || queue_size(c) > opts.client_queue_limit)) {
    c->behind = !screen->alt_screen();
    return;
  }
  c->behind = false;
  const uint64_t end = at_exit ? end_of_content() : cursor_line();
  if (c->follow_next < first_line()) c->follow_next = first_line();  // lost to the ring
  if (end <= c->follow_next) return;
  std::string text = lines_text(c->follow_next, end);
  c->follow_next = end;
  if (!text.empty()) send_json(c, MsgType::Event, {{"text", fit_text(std::move(text))}});
}

}  // namespace amux::mux
