// screen_feed.cpp — Screen::feed: program output into libvterm, with the
// guards against libvterm 0.1.4's crashes and hangs around it.
//
// Why: libvterm 0.1.4 crashes, hangs or loses text on inputs any program
// can print (docs/libvterm.md lists them, numbered as here): feed() first
// hands the bytes to WidthFilter (well-formed UTF-8 only, guard 12, and
// stand-ins for characters libvterm's old width table sizes wrong) and to
// PenFilter (every SGR becomes a marker: the Screen keeps the pen), holds
// back an incomplete UTF-8 sequence and an open OSC/DCS string (guards 3
// and 11), drops CSI parameters past the 16th (guard 9), writes at most
// kMaxFeedChunk bytes per call (guard 3), stops after each cursor restore
// to clamp the cursor (guard 7) and restore the pen (after a save, to save
// it), turns a REP of a zero-width glyph into a CAN (guard 10) and applies
// every DECSET/DECRST parameter, and answers a DECRQSS for SGR from the
// Screen's pen.
#include "render/screen_impl.h"

#include <cstring>
#include <string>

#include "render/sgr.h"
#include "render/utf8.h"

namespace amux::render {

using namespace screen_detail;

namespace {
// How far back from a chunk's end write_chunked looks for an ESC to cut at.
constexpr size_t kPreferEscWindow = 4096;
}  // namespace

// Writes to libvterm in pieces of at most kMaxFeedChunk (guard 3).
void Screen::Impl::write_chunked(const char* p, size_t n) {
  while (n > 0) {
    size_t take = n;
    if (take > kMaxFeedChunk) {
      take = kMaxFeedChunk;
      // Never split a UTF-8 sequence.
      while (take > 0 && utf8::is_continuation(static_cast<unsigned char>(p[take]))) --take;
      // Prefer to cut just before an escape sequence.
      size_t from = take > kPreferEscWindow ? take - kPreferEscWindow : 0;
      const void* esc = memrchr(p + from, 0x1b, take - from);
      if (esc && static_cast<const char*>(esc) > p) take = size_t(static_cast<const char*>(esc) - p);
      if (take == 0) take = kMaxFeedChunk;
    }
    input(p, take);
    p += take;
    n -= take;
  }
}

// Moves the cursor into the screen if libvterm left it outside (guards 1
// and 7): its state code indexes per-row arrays with the cursor row.
void Screen::Impl::clamp_cursor() {
  VTermPos pos;
  vterm_state_get_cursorpos(state, &pos);
  if (pos.row >= 0 && pos.row < rows && pos.col >= 0 && pos.col < cols) return;
  int row = std::clamp(pos.row, 0, rows - 1), col = std::clamp(pos.col, 0, cols - 1);
  // (In origin mode the CUP is relative to the scroll region and libvterm
  // clamps it there: still inside the screen, which is what matters.)
  std::string fix = "\x1b[" + std::to_string(row + 1) + ";" + std::to_string(col + 1) + "H";
  write_plain(fix.data(), fix.size());
}

// Reads the cursor back from the state: libvterm does not always report
// its final position through movecursor (restoring a saved cursor in
// origin mode reports the saved position, then moves it silently).
void Screen::Impl::sync_cursor() {
  VTermPos pos;
  vterm_state_get_cursorpos(state, &pos);
  if (pos.row != cursor.row || pos.col != cursor.col) {
    cursor.row = pos.row;
    cursor.col = pos.col;
    bump_meta();
  }
}

void Screen::feed(std::string_view bytes) {
  Impl& s = *impl_;
  if (bytes.empty()) return;
  if (s.fast_text) {
    // The start that is only text, SGR, CR and LF goes past the filters in
    // one pass (screen_lane.cpp), with an SGR or UTF-8 sequence cut by the
    // end of the input held back for the next feed; the rest goes through
    // them.
    if (!s.lane_carry.empty()) {
      s.lane_join.assign(s.lane_carry).append(bytes);
      s.lane_carry.clear();
      bytes = s.lane_join;
    }
    if (s.lane_ready()) {
      if (size_t k = s.lane(bytes, s.lane_buf); k > 0) {
        s.write_chunked(s.lane_buf.data(), s.lane_buf.size());
        bytes.remove_prefix(k);
      }
    }
  }
  s.feed_filtered(bytes);
  s.sync_cursor();
  s.flush_events();
}

// Program output through the filters and the guards into libvterm.
void Screen::Impl::feed_filtered(std::string_view bytes) {
  Impl& s = *this;
  if (bytes.empty()) return;
  // Guard 12 and widths: libvterm gets only well-formed UTF-8, and a
  // stand-in for a character whose width its table gets wrong.
  std::string filtered;
  if (s.widths.filter(bytes, filtered)) {
    bytes = filtered;
    if (bytes.empty()) return;
  }
  // The pen is the Screen's: each SGR becomes a marker libvterm hands back
  // in its place (PenFilter, sgr.h).
  std::string& no_sgr = s.pen_buf;  // kept: most feeds hold an SGR
  if (s.pens.filter(bytes, no_sgr)) {
    bytes = no_sgr;
    if (bytes.empty()) return;
  }
  std::string joined;  // guard 11: a string held back from the last feed
  if (!s.str_carry.empty()) {
    joined.reserve(s.str_carry.size() + bytes.size());
    joined.append(s.str_carry).append(bytes);
    s.str_carry.clear();
    bytes = joined;
  }
  std::string guarded;  // guard 9: at most 16 CSI parameters
  if (s.csi_guard.filter(bytes, guarded)) bytes = guarded;
  s.cuts.clear();
  size_t open_string = ModeScanner::kNoString;
  if (s.scanner.scan(bytes, s.modes, &s.cuts, &open_string)) s.bump_meta();
  size_t end = bytes.size();
  if (open_string != ModeScanner::kNoString) {
    // Guard 11: libvterm 0.1.4 keeps no part of a string from one write to
    // the next, so hold an open string back until its end arrives. One too
    // long to hold is let through, but never with the write ending between
    // the ESC and the '\' of its terminator (libvterm then hands the OSC
    // callback a length of -1).
    if (end - open_string <= kMaxHeldString) {
      s.str_carry.assign(bytes.substr(open_string));
      end = open_string;
      s.scanner.forget_open_string();
    } else if (bytes.back() == '\x1b') {
      s.str_carry.assign("\x1b");
      end -= 1;
      s.scanner.unread_string_esc();
    }
  }
  size_t pos = 0;
  if (s.carry_len) {
    // Complete the sequence held back from the previous feed.
    size_t need = utf8::sequence_length(static_cast<unsigned char>(s.carry[0])) - s.carry_len;
    while (need > 0 && pos < end && utf8::is_continuation(static_cast<unsigned char>(bytes[pos]))) {
      s.carry[s.carry_len++] = bytes[pos++];
      --need;
    }
    if (need > 0 && pos == end && s.str_carry.empty()) return;  // still incomplete
    s.input(s.carry, s.carry_len);
    s.carry_len = 0;
  }
  size_t hold = s.str_carry.empty() ? utf8::incomplete_tail(bytes.substr(pos, end - pos)) : 0;
  std::memcpy(s.carry, bytes.data() + end - hold, hold);
  s.carry_len = hold;
  end -= hold;
  bool clamp = false;
  for (const ScanCut& cut : s.cuts) {
    if (cut.at < pos || cut.at > end) continue;
    s.write_chunked(bytes.data() + pos, cut.at - pos);
    pos = cut.at;
    switch (cut.kind) {
      case ScanCut::Kind::Restore:
        // Guard 7: clamp the cursor a restore may have put outside.
        s.clamp_cursor();
        clamp = true;
        s.restore_pen();
        break;
      case ScanCut::Kind::Save:
        s.saved_pen = s.pen;
        break;
      case ScanCut::Kind::Rep:
        // Guard 10: libvterm 0.1.4's REP loops forever repeating a glyph
        // of width 0 (none printed yet, or a zero-width one): the final
        // byte becomes a CAN, which ends the sequence and does nothing.
        if (pos < end) {
          s.write_plain(s.glyph_width > 0 ? "b" : "\x18", 1);
          pos += 1;
        }
        break;
      case ScanCut::Kind::ReportSgr:
        // DECRQSS for SGR: libvterm 0.1.4 would answer from its own pen,
        // which never sees an SGR. libvterm gets an empty DCS instead (its
        // parser ends where it would have) and the answer comes from the
        // Screen's pen, as xterm writes it.
        if (cut.at + cut.len <= end) {
          s.write_plain("\x1bP\x1b\\", 4);
          s.out_buf += "\x1bP1$r";
          append_sgr_params(s.out_buf, s.pen);
          s.out_buf += "m\x1b\\";
          pos += cut.len;
        }
        break;
      case ScanCut::Kind::Modes: {
        // libvterm 0.1.4 applies the first DECSET/DECRST parameter only.
        std::string seq;
        for (int i = 0; i < cut.nextra; ++i) {
          seq.assign("\x1b[?").append(std::to_string(cut.extra[i])).push_back(cut.set ? 'h' : 'l');
          s.write_plain(seq.data(), seq.size());
        }
        if (cut.save) s.saved_pen = s.pen;
        if (cut.restore) {
          s.clamp_cursor();
          clamp = true;
          s.restore_pen();
        }
        break;
      }
    }
  }
  s.write_chunked(bytes.data() + pos, end - pos);
  if (clamp) s.clamp_cursor();
}

}  // namespace amux::render
