// host_record.cpp — writing the session's record and telling subscribers.
//
// Why: the record (jobs/<id>/state.json) is the session's public face. The
// host owns its live fields and writes them on start, on the first output
// or input, on rename and on exit, never per output; a write that fails is
// reported to whoever asked and tried again until it is on disk, and the
// subscribers (the supervisor) hear only of what is on disk.
#include <cstring>

#include "mux/host/host_impl.h"
#include "mux/store/session_record.h"

namespace amux::mux {

using namespace host_detail;

// Write the record. The host owns the live fields (state, detail, pid,
// size, times, exit); the rest (name, worktree, unknown keys such as the
// supervisor's) is taken from the file first, so a rename or pin made by
// someone else meanwhile is not undone. own_name: this write is a rename.
// Returns "" or the error. A record that could not be written (disk full)
// is written again every second until it is, and subscribers hear only
// of what is on disk.
std::string SessionHost::Impl::save(bool own_name) {
  if (auto disk = load_record(opts.paths, rec.id)) {
    if (!own_name) {
      rec.name = disk->name;
      rec.name_source = disk->name_source;
    }
    rec.kind = disk->kind;
    rec.agent = disk->agent;
    rec.prompt = disk->prompt;
    rec.resume_argv = disk->resume_argv;
    rec.start_argv = disk->start_argv;
    rec.resume_if = disk->resume_if;
    rec.session_uuid = disk->session_uuid;
    rec.worktree = disk->worktree;
    rec.worktree_base = disk->worktree_base;
    rec.created_at = disk->created_at;
    rec.extra = disk->extra;
    if (idle_stopped) rec.extra["idleStopped"] = true;
    else rec.extra.erase("idleStopped");
  }
  if (int rc = save_record(opts.paths, rec); rc < 0) {
    std::string err = "cannot write " + opts.paths.state_file(rec.id) + ": " + std::strerror(-rc);
    if (!record_unsaved) log(err);
    record_unsaved = true;
    last_save_error = err;
    if (!closed_all && !uv_is_active(reinterpret_cast<uv_handle_t*>(&save_timer)))
      uv_timer_start(&save_timer, [](uv_timer_t* t) { self(t)->retry_save(); }, kSaveRetryMs, 0);
    return err;
  }
  if (record_unsaved) log("the record is written again");
  record_unsaved = false;
  publish();
  return "";
}

void SessionHost::Impl::retry_save() {
  if (record_unsaved) save();
}

// Send the record to every subscriber (the supervisor).
void SessionHost::Impl::publish() {
  bool any = false;
  for (auto& c : conns) any |= c->subscribed && !c->closing;
  if (!any) return;
  const json ev = {{"record", rec.to_json()}};
  for (auto& c : conns) {
    if (!c->subscribed || c->closing) continue;
    // A subscriber that does not read misses events; it gets the record
    // as it is then once it has read what was queued (on_write).
    if (queue_size(c.get()) > opts.client_queue_limit) {
      c->sub_behind = true;
      continue;
    }
    send_json(c.get(), MsgType::Event, ev);
  }
}

}  // namespace amux::mux
