// screen.cpp — the Screen's construction, its public accessors and input
// encoding (see screen.h for the why).
//
// The Screen is libvterm 0.1.4's parser and state machine (never its screen
// layer) driving amux's own row store. Its implementation is split by
// concern, around the private Impl in screen_impl.h: the row store
// (screen_rows.cpp), libvterm's state callbacks (screen_callbacks.cpp),
// feeding with the guards against libvterm 0.1.4's crashes (screen_feed.cpp),
// the plain-ASCII fast path (screen_fast_text.cpp) and resizing
// (screen_resize.cpp). The guards, numbered 1-11 in code and tests, and the
// fast path's reasoning are described in docs/libvterm.md.
//
// Callbacks to the owner (on_output, on_bell, on_title, on_notification) are
// never invoked from inside libvterm: events are queued while libvterm runs
// and delivered by flush_events() when feed(), resize() or send_*()
// returns, so a handler may call back into the Screen.
#include "render/screen_impl.h"

#include <algorithm>

#include "render/utf8.h"

namespace amux::render {

Screen::Screen(Options opts) : impl_(std::make_unique<Impl>(*this, opts)) {
  Impl& s = *impl_;
  // Setup order (docs/libvterm.md): size, UTF-8, output, state, callbacks, reset.
  s.vt.reset(vterm_new(s.rows, s.cols));
  vterm_set_utf8(s.vt.get(), 1);
  vterm_output_set_callback(s.vt.get(), &Impl::cb_output, &s);
  s.state = vterm_obtain_state(s.vt.get());
  vterm_state_set_callbacks(s.state, &Impl::kStateCallbacks, &s);
  vterm_state_set_unrecognised_fallbacks(s.state, &Impl::kFallbacks, &s);
  vterm_state_reset(s.state, 1);
  s.sync_cursor();
  s.layout_seq = s.bump();
  s.out_buf.clear();
}

Screen::~Screen() = default;

void Screen::Impl::flush_events() {
  if (!out_buf.empty()) {
    std::string out;
    out.swap(out_buf);
    if (self.on_output) self.on_output(out);
  }
  if (title_pending) {
    title_pending = false;
    if (self.on_title) self.on_title(title);
  }
  if (bell_pending) {  // coalesced: one bell per feed
    bell_pending = false;
    if (self.on_bell) self.on_bell();
  }
  if (!notes.empty()) {
    std::vector<Notification> ns;
    ns.swap(notes);
    if (self.on_notification)
      for (const Notification& n : ns) self.on_notification(n);
  }
}

int Screen::rows() const { return impl_->rows; }
int Screen::cols() const { return impl_->cols; }
const Row& Screen::row(int r) const { return impl_->cur->row(r); }

std::u32string Screen::cell_chars(const Cell& c) const {
  if (c.ch == kBlank || c.ch == kWideTail) return {};
  if (c.ch >= kClusterBase) return std::u32string(impl_->clusters.get(c.ch));
  return std::u32string(1, c.ch);
}

Pen Screen::pen_of(const Cell& c) const {
  return Pen{c.fg, c.bg, c.attrs, impl_->ul_colors.get(c.ul_index())};
}

std::string Screen::cell_text(const Cell& c) const {
  std::string out;
  if (c.ch == kBlank || c.ch == kWideTail) return out;
  if (c.ch >= kClusterBase) {
    for (char32_t cp : impl_->clusters.get(c.ch)) utf8::append(out, cp);
  } else {
    utf8::append(out, c.ch);
  }
  return out;
}

Cursor Screen::cursor() const {
  Cursor c = impl_->cursor;
  c.row = std::clamp(c.row, 0, impl_->rows - 1);
  c.col = std::clamp(c.col, 0, impl_->cols - 1);
  return c;
}

const std::string& Screen::title() const { return impl_->title; }
const std::string& Screen::icon_name() const { return impl_->icon_name; }
bool Screen::alt_screen() const { return impl_->alt_active; }
const Modes& Screen::modes() const { return impl_->modes; }

uint64_t Screen::seq() const { return impl_->seq; }
uint64_t Screen::layout_seq() const { return impl_->layout_seq; }
uint64_t Screen::meta_seq() const { return impl_->meta_seq; }

std::vector<int> Screen::rows_changed_since(uint64_t since) const {
  const Impl& s = *impl_;
  std::vector<int> out;
  bool all = since < s.layout_seq;
  for (int r = 0; r < s.rows; ++r)
    if (all || s.cur->row(r).version > since) out.push_back(r);
  return out;
}

size_t Screen::scrollback_size() const { return impl_->sb.size(); }
ScrollbackLine Screen::scrollback_line(size_t i) const { return impl_->sb.line(i); }
size_t Screen::scrollback_capacity() const { return impl_->sb.capacity(); }
size_t Screen::total_lines_scrolled() const { return impl_->sb.total_pushed(); }
size_t Screen::scrollback_bytes() const { return impl_->sb.bytes(); }

void Screen::send_text(std::string_view text) {
  Impl& s = *impl_;
  for (size_t i = 0; i < text.size();) {
    char32_t cp = utf8::decode(text, i);
    vterm_keyboard_unichar(s.vt.get(), cp, VTERM_MOD_NONE);
  }
  s.flush_events();
}

void Screen::send_paste(std::string_view text) {
  // As a terminal pastes: line ends become CR, and the end-of-paste marker
  // cannot be smuggled inside the pasted text. libvterm adds the brackets
  // only when the program enabled bracketed paste.
  Impl& s = *impl_;
  static constexpr std::string_view kEnd = "\x1b[201~";
  vterm_keyboard_start_paste(s.vt.get());
  for (size_t i = 0; i < text.size();) {
    if (text.compare(i, kEnd.size(), kEnd) == 0) {
      i += kEnd.size();
      continue;
    }
    char32_t cp = utf8::decode(text, i);
    if (cp == '\r' && i < text.size() && text[i] == '\n') ++i;
    if (cp == '\n') cp = '\r';
    vterm_keyboard_unichar(s.vt.get(), cp, VTERM_MOD_NONE);
  }
  vterm_keyboard_end_paste(s.vt.get());
  s.flush_events();
}

}  // namespace amux::render
