// osc_notify.h — desktop notifications a program asks its terminal for:
// OSC 9 (iTerm2/ConEmu), OSC 777;notify (rxvt/VTE) and OSC 99 (kitty).
//
// Why: agents (Claude Code and others) signal "done" or "needs input" this
// way; the host turns them into amux notifications. libvterm 0.1.4 passes
// unknown OSC strings whole ("9;text") to the state's fallback; this parses
// the payload forms. Kitty's OSC 99 may send a notification in several
// pieces (d=0 until the last), so the parser keeps a little state.
#pragma once

#include <string>
#include <string_view>

#include "render/screen.h"

namespace amux::render {

class NotifyParser {
 public:
  // `osc` is the whole OSC string, e.g. "9;Build done" or
  // "777;notify;Title;Body". Returns true and fills `out` when a complete
  // notification was parsed; false for other OSC strings or partial ones.
  bool parse(std::string_view osc, Notification& out);

 private:
  std::string kitty_id_;
  std::string kitty_title_;
  std::string kitty_body_;
  bool kitty_pending_ = false;
};

}  // namespace amux::render
