// ops.h — the request ops of both servers, named once.
//
// Why: a Request frame carries {"op": name, ...}. The session host and the
// supervisor each dispatch on the op through one handler table, and their
// clients build requests from the same names, so a name is spelled in one
// place only (ops.cpp) and a typo is a compile error, not an "unknown op".
#pragma once

#include <optional>
#include <string_view>

namespace amux::mux {

enum class Op {
  // The session host (one session): its screen, its child, its record.
  State,        // the live record
  Capture,      // the screen as text
  Logs,         // scrollback and screen as text
  Follow,       // logs, then every completed line as an Event (`logs -f`)
  Reply,        // type a line (text + Enter)
  Input,        // raw bytes for the program
  Stop,         // stop the child; answered once it is gone
  Shutdown,     // host: stop and exit at once; supervisor: exit (optionally ending workers)
  Rename,       // set the session's name
  Subscribe,    // every record write as an Event
  ScreenWatch,  // a cropped screen as an Event when it changes (agent view tiles)
  Notify,       // a state reported by the agent's hooks
  SetLinger,    // how long the host stays after the child exits
  Explain,      // the state, what decided it, the last transitions
  CopyMode,     // an attached client enters copy mode (its keys were typed on the client)
  // The supervisor (every session); Stop, Rename and Shutdown too.
  Dispatch,     // start a session from a record
  List,         // the sessions
  Rm,           // remove a session
  Respawn,      // start a stopped session's host again
  Ensure,       // respawn unless the host is alive
  Pin,          // keep an agent from being stopped when idle
  Unpin,
  Status,       // the supervisor's own state
  Watch,        // every list change as an Event
};

// The op's name on the wire.
std::string_view op_name(Op op);
// The op named so; nullopt for an unknown name.
std::optional<Op> parse_op(std::string_view name);

}  // namespace amux::mux
