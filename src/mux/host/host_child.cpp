// host_child.cpp — the child on its PTY: output in, input out, exit, linger, kill.
//
// Why: the PTY master is read on a thread of its own (pty::PtyReader), so
// the kernel refills the PTY while the host parses, and written through a
// uv_pipe on a dup of the master fd; every read is fed to the Screen, whose replies to terminal
// queries go straight back to the PTY, so they are answered with nobody
// attached. SIGCHLD arrives through uv_signal and only our child is waited
// for; once it is reaped and its output drained the record gets the end and
// every client is told. Then the host lingers (logs and attach still work)
// until nobody looks; a stop is SIGHUP+SIGTERM, then SIGKILL.
#include <signal.h>

#include <algorithm>

#include "mux/host/host_impl.h"
#include "render/text_dump.h"

namespace amux::mux {

using namespace host_detail;

// The reader thread has output, or reached the end (EOF, EIO or an error,
// after the last byte).
void SessionHost::Impl::on_pty_data() {
  if (!reader) return;
  const bool ended = reader->take(pty_chunk);
  const size_t taken = pty_chunk.size();
  // In pieces of at most kReadBufSize, as reads came before the reader
  // thread: the Screen's scratch buffers grow with the piece it is fed.
  std::string_view rest(pty_chunk);
  while (!rest.empty()) {
    const size_t n = std::min(rest.size(), kReadBufSize);
    on_output(rest.substr(0, n));
    rest.remove_prefix(n);
  }
  if (pty_chunk.capacity() > 64 * 1024) std::string().swap(pty_chunk);  // (after a burst)
  // A piece this big is a burst; the first small one after it, its end.
  if (taken >= kReadBufSize) heap_spare = true;
  else if (heap_spare) release_heap();
  if (ended && !output_done) on_output_end();
}

// Ends the reader thread; what it had read is fed first. Before anything
// reads the master here, and before the master closes.
void SessionHost::Impl::stop_reader() {
  if (!reader) return;
  reader->stop();
  std::string rest;
  reader->take(rest);
  reader.reset();
  if (!rest.empty()) on_output(rest);
}

void SessionHost::Impl::on_output(std::string_view bytes) {
  bytes_since_frame += bytes.size();
  last_output_ms = mono_ms();
  tracker.on_output(last_output_ms);  // first: a notification in these bytes comes after it
  screen->feed(bytes);
  note_sync_update();
  note_work();
  if (!output_since_probe) {
    output_since_probe = true;
    quiet_probes = 0;
    probe_delay = kProbeMinMs;
    schedule_probe(kProbeMinMs);
  }
  schedule_frame();
  schedule_watch();
}

// A person typed or replied.
void SessionHost::Impl::on_person_input() {
  note_work();
  tracker.on_input(mono_ms());
  quiet_probes = 0;
  probe_delay = kProbeMinMs;
  schedule_probe(kProbeMinMs);
}

void SessionHost::Impl::note_work() {
  if (rec.had_work) return;
  rec.had_work = true;
  save();
}

// The reader reads until EIO (the slave side closed: the kernel returns
// the data, then EIO); whatever the master still holds is read here too.
void SessionHost::Impl::on_output_end() {
  stop_reader();
  drain_pty();
  output_done = true;
  if (exit_status) finish();
}

// Feed whatever the master holds right now (bounded, in case a writer is
// still active).
void SessionHost::Impl::drain_pty() {
  if (!pty || pty->master_fd() < 0) return;
  std::string out;
  size_t total = 0;
  while (total < (16u << 20)) {
    out.clear();
    ssize_t n = pty->read_available(out);
    if (n <= 0) break;
    total += size_t(n);
    on_output(out);
  }
}

// Write bytes for the program; dropped (with a log line) when the child is
// gone or stopped reading and too much is queued.
void SessionHost::Impl::write_pty(std::string_view data) {
  if (!child_alive() || !pty_pipe_open || data.empty() ||
      uv_is_closing(reinterpret_cast<uv_handle_t*>(&pty_pipe)))
    return;
  auto* stream = reinterpret_cast<uv_stream_t*>(&pty_pipe);
  if (uv_stream_get_write_queue_size(stream) > kPtyQueueLimit) {
    log("the program does not read its input; dropped " + std::to_string(data.size()) +
        " bytes");
    return;
  }
  write_stream(stream, std::string(data), nullptr);
}

void SessionHost::Impl::on_sigchld() {
  if (!child_alive()) return;
  auto st = pty->try_wait();
  if (!st) return;
  exit_status = st;
  uv_timer_stop(&kill_timer);
  if (output_done) {
    finish();
  } else {
    // Normally EIO follows at once; a leftover process that keeps the
    // terminal open must not keep the session alive.
    uv_timer_start(&drain_timer, [](uv_timer_t* t) { self(t)->drain_and_finish(); },
                   kDrainGraceMs, 0);
  }
}

void SessionHost::Impl::drain_and_finish() {
  if (finished) return;
  stop_reader();
  drain_pty();
  finish();
}

// The child is reaped and its output is in: record the end, tell everyone.
void SessionHost::Impl::finish() {
  if (finished) return;
  stop_reader();  // (before the master closes)
  finished = true;
  uv_timer_stop(&drain_timer);
  uv_timer_stop(&kill_timer);
  if (pty_pipe_open && !uv_is_closing(reinterpret_cast<uv_handle_t*>(&pty_pipe)))
    uv_close(reinterpret_cast<uv_handle_t*>(&pty_pipe), on_handle_closed);
  if (pty) pty->close_master();

  const pty::ExitStatus st = exit_status.value_or(pty::ExitStatus{});
  const std::string last = render::last_meaningful_line(*screen);
  rec.pid = 0;
  rec.finished_at = now_ms();
  rec.waiting_for.clear();
  if (st.signaled) {
    rec.signal = st.signal;
    rec.exit_code.reset();
  } else {
    rec.exit_code = st.code;
    rec.signal.reset();
  }
  if (idle_stopped) {
    rec.state = SessionState::Done;  // the turn was over; attach resumes the conversation
    if (rec.detail.empty()) rec.detail = last;
  } else if (stop_requested) {
    rec.state = SessionState::Stopped;
    rec.detail = "stopped";
  } else if (st.success()) {
    rec.state = SessionState::Done;
    rec.detail = last.empty() ? "(no output)" : last;
  } else {
    rec.state = SessionState::Failed;
    rec.detail = st.describe() + (last.empty() ? "" : " — " + last);
  }
  note_transition("exit", exit_evidence());
  const std::string save_err = save();

  const json ex = exit_summary();
  for (Conn* c : std::vector<Conn*>(attach_stack)) {
    send_frame(c, true);
    send_exited(c, ex);
  }
  for (auto& c : conns) {
    if (c->closing || !c->following) continue;
    follow_emit(c.get(), true);
    json ev = ex;
    ev["exited"] = true;
    send_json(c.get(), MsgType::Event, ev);
    close_conn(c.get(), true);
  }
  auto waiters = std::move(stop_waiters);
  stop_waiters.clear();
  for (Conn* c : waiters) {
    if (save_err.empty()) respond(c, {{"ok", true}, {"record", rec.to_json()}});
    else respond(c, {{"ok", false}, {"error", "the session ended, but " + save_err}});
  }

  if (shutdown_requested) close_all();
  else start_linger();
}

json SessionHost::Impl::exit_summary() const {
  json j = {{"state", state_name(rec.state)}, {"detail", rec.detail}};
  if (rec.exit_code) j["exitCode"] = *rec.exit_code;
  if (rec.signal) j["signal"] = *rec.signal;
  return j;
}

double SessionHost::Impl::linger_for_state() const {
  return rec.state == SessionState::Stopped ? opts.stopped_linger_seconds : opts.linger_seconds;
}

void SessionHost::Impl::start_linger() {
  double s = std::max(0.0, linger_for_state());
  uv_timer_start(&linger_timer, [](uv_timer_t* t) { self(t)->on_linger_end(); },
                 uint64_t(s * 1000.0), 0);
}

void SessionHost::Impl::on_linger_end() {
  if (record_unsaved && !shutdown_requested) save();
  if (!attach_stack.empty() || (record_unsaved && !shutdown_requested)) {
    // Someone is still looking at the final screen, or the final record
    // is not on disk yet (the disk is full); check again later.
    uint64_t ms = std::max<uint64_t>(1000, uint64_t(std::max(0.0, linger_for_state()) * 1000));
    uv_timer_start(&linger_timer, [](uv_timer_t* t) { self(t)->on_linger_end(); }, ms, 0);
    return;
  }
  close_all();
}

// SIGHUP + SIGTERM to the child's process group; SIGKILL after 3 s.
void SessionHost::Impl::stop_child() {
  if (!child_alive()) return;
  stop_requested = true;
  pty->signal_group(SIGHUP);
  pty->signal_group(SIGTERM);
  if (!uv_is_active(reinterpret_cast<uv_handle_t*>(&kill_timer)))
    uv_timer_start(&kill_timer, [](uv_timer_t* t) {
      Impl* h = self(t);
      if (!h->child_alive()) return;
      h->log("the program ignored SIGHUP/SIGTERM; sending SIGKILL");
      h->pty->signal_group(SIGKILL);
      ::kill(h->pty->pid(), SIGKILL);
    }, kKillAfterMs, 0);
}

void SessionHost::Impl::on_host_signal(int signum) {
  log(std::string("got ") + pty::signal_name(signum) + "; stopping the session");
  shutdown_requested = true;
  if (finished) close_all();
  else stop_child();  // when already reaped (draining), finish() will close
}

}  // namespace amux::mux
