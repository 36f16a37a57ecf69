// host_explain.cpp — why the session is in its state (`amux explain`).
//
// Why: the tracker decides from several sources; a person asking "why is it
// blocked?" wants the one that decided and what it saw: the hook or
// `amux notify` call, the OSC notification's text, the screen pattern and
// the line it matched, what the tty probe found the process reading, how
// recent the output was, or how the program exited. The host notes each
// change of state with that evidence in a bounded history that is written
// with the record (so it outlives the host), and answers Explain from it.
#include <algorithm>
#include <fstream>

#include "mux/host/host_impl.h"

namespace amux::mux {

using namespace host_detail;

namespace {
// /proc/<pid>/comm, "" when it cannot be read.
std::string command_name(pid_t pid) {
  if (pid <= 0) return "";
  std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
  std::string s;
  std::getline(in, s);
  return s;
}
}  // namespace

std::string SessionHost::Impl::evidence_for(const TrackedState& t, int64_t now) const {
  if (t.source == "notify") return notify_note;
  if (t.source == "notification") return notification_note;
  if (t.source == "screen") {
    if (!pattern_match) return "screen pattern";
    return "pattern /" + pattern_match->pattern + "/ matched: " + clean_line(pattern_match->line);
  }
  if (t.source == "probe" || t.source == "output") {
    std::string who = last_probe.pid > 0 ? "pid " + std::to_string(last_probe.pid) : std::string("the program");
    if (std::string comm = command_name(last_probe.pid); !comm.empty()) who += " (" + clean_line(comm) + ")";
    std::string reading;
    switch (last_probe.state) {
      case pty::TtyReadState::Reading:
        reading = who + " is reading the terminal (" + (last_probe.syscall.empty() ? "read" : last_probe.syscall) + ")";
        break;
      case pty::TtyReadState::NotReading:
        reading = who + " is not reading the terminal" +
                  (last_probe.syscall.empty() ? "" : " (" + last_probe.syscall + ")");
        break;
      case pty::TtyReadState::Unknown:
        reading = "the probe cannot tell who reads the terminal";
        break;
    }
    if (t.source == "probe") return reading;
    const int64_t ago = now - last_output_ms;
    return "output " + std::to_string(std::max<int64_t>(0, ago)) + " ms ago; " + reading;
  }
  return t.source;
}

// The exit, as the last transition says it.
std::string SessionHost::Impl::exit_evidence() const {
  const pty::ExitStatus st = exit_status.value_or(pty::ExitStatus{});
  if (idle_stopped)
    return "idle for " + std::to_string(int(opts.idle_agent_seconds)) + " s: the agent was stopped (" +
           st.describe() + ")";
  if (stop_requested) return "stopped by request (" + st.describe() + ")";
  return st.describe();
}

void SessionHost::Impl::note_transition(const std::string& source, const std::string& evidence) {
  StateTransition t;
  t.state = rec.state;
  t.waiting_for = rec.waiting_for;
  t.source = source;
  t.evidence = evidence;
  t.at = now_ms();
  history.add(std::move(t));
  rec.transitions = history.to_json();
}

json SessionHost::Impl::op_explain(Conn*, const json&) {
  json r = {{"ok", true},
            {"id", rec.id},
            {"name", rec.name},
            {"state", state_name(rec.state)},
            {"detail", rec.detail},
            {"transitions", history.to_json()}};
  if (!rec.waiting_for.empty()) r["waitingFor"] = rec.waiting_for;
  if (!history.entries().empty()) r["since"] = history.entries().back().at;
  if (finished || !child_alive()) {
    r["source"] = "exit";
    r["evidence"] = finished ? exit_evidence() : std::string("the program has not started");
  } else {
    // What decides now (the source may have changed while the state held).
    r["source"] = shown.source;
    r["evidence"] = evidence_for(shown, mono_ms());
  }
  return r;
}

}  // namespace amux::mux
