// notify_out.h — how a notification reaches the person: a terminal
// notification (OSC 9 or OSC 777), a bell, and/or a command of theirs.
//
// Why: config.toml's `notify` picks what the terminal gets and
// `notify_command` runs e.g. notify-send; both the agent view and the
// attach client use the same forms. A session's name is untrusted: it goes
// through the one sanitizer before it is part of an escape sequence, and
// the command runs without a shell, the name one argument of its own.
#pragma once

#include <string>
#include <vector>

#include "view/attention.h"

namespace amux::view {

// The words for a call: "<name> needs input", "<name> is done", "<name> failed".
std::string attention_text(const AttentionCall& c);
// What the terminal gets for mode "osc9", "osc777", "bell" ("" for "off").
std::string notification_bytes(const std::string& mode, const AttentionCall& c);
// Start `command` ({name} {state} {id} replaced in each argument), detached
// from this process (no zombie, stdio on /dev/null). "" or a one-line error.
std::string run_notify_command(const std::vector<std::string>& command, const AttentionCall& c);

}  // namespace amux::view
