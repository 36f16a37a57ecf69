// view_effects.cpp — what the agent view's keys ask for, carried out:
// talking to the supervisor or a session host, starting sessions, saving
// the view's choices.
//
// Why: the controller only says what should happen (an Effect); this file
// does it without blocking the loop (requests are asynchronous, a dispatch
// runs on the thread pool) and reports failures in the status line.
#include <cstring>
#include <memory>

#include "mux/wire/session_view.h"
#include "mux/wire/ops.h"
#include "view/text_util.h"
#include "view/view_app.h"
#include "view/view_prefs.h"

namespace amux::view {

// A dispatch (git, maybe a new worktree, the supervisor starting the
// host) runs on libuv's thread pool, so the view keeps drawing and reading
// keys meanwhile; the result comes back on the loop.
struct App::DispatchJob {
  uv_work_t req{};
  App* app = nullptr;
  mux::NewSession session;
  bool attach = false;
  bool was_connected = false;
  std::optional<mux::SessionRecord> rec;
  std::string error;
  std::string notice;  // keys an untrusted project asked for and did not get
};

// One handler per effect kind.
void App::run_effect(Effect& e) {
  using Handler = void (*)(App&, Effect&);
  static const std::pair<Effect::Kind, Handler> kHandlers[] = {
      {Effect::Attach, [](App& a, Effect& e) { a.attach(e.id); }},
      {Effect::Dispatch, [](App& a, Effect& e) { a.dispatch(e); }},
      {Effect::Stop,
       [](App& a, Effect& e) { a.supervisor_call({{"op", mux::op_name(mux::Op::Stop)}, {"id", e.id}}, "could not stop " + e.id); }},
      {Effect::Remove, [](App& a, Effect& e) { a.remove(e); }},
      {Effect::Pin, [](App& a, Effect& e) { a.set_pinned(e); }},
      {Effect::Unpin, [](App& a, Effect& e) { a.set_pinned(e); }},
      {Effect::Rename, [](App& a, Effect& e) { a.rename(e); }},
      {Effect::Reply, [](App& a, Effect& e) { a.reply(e.id, e.text); }},
      {Effect::SavePrefs, [](App& a, Effect&) { a.save_prefs(); }},
      {Effect::Quit, [](App& a, Effect&) { a.quit(); }},
      {Effect::Suspend, [](App& a, Effect&) { a.suspend(); }},
      {Effect::Diff, [](App& a, Effect& e) { a.show_diff(e.id); }},
      {Effect::Redraw, [](App& a, Effect&) { a.full_repaint = true; }},
  };
  if (remote_effect(e)) return;
  for (const auto& [kind, run] : kHandlers)
    if (kind == e.kind) {
      run(*this, e);
      return;
    }
}

void App::remove(const Effect& e) {
  std::string id = e.id;
  std::string name = model.find(id) ? model.find(id)->name : id;
  nlohmann::json req = {{"op", mux::op_name(mux::Op::Rm)}, {"id", id}, {"force", true}};
  if (e.discard_worktree) req["discardWorktree"] = true;
  async_request(&loop, paths.control_socket(), req, [this, id, name](const nlohmann::json& j) {
    if (quitting) return;
    if (j.value("ok", false)) {
      model.remove(id);
      ctl->set_status("deleted " + name, false, mux::now_ms());
    } else {
      ctl->set_status("could not delete " + name + ": " + sanitize(j.value("error", std::string())), true,
                      mux::now_ms());
    }
    request_frame();
  });
}

void App::set_pinned(const Effect& e) {
  bool pin = e.kind == Effect::Pin;
  if (const SessionInfo* s = model.find(e.id)) {
    SessionInfo c = *s;
    c.pinned = pin;
    model.upsert(c);
  }
  supervisor_call({{"op", pin ? "pin" : "unpin"}, {"id", e.id}}, "could not pin " + e.id);
}

void App::rename(const Effect& e) {
  if (const SessionInfo* s = model.find(e.id)) {
    SessionInfo c = *s;
    c.name = sanitize(e.text);
    model.upsert(c);
  }
  supervisor_call({{"op", mux::op_name(mux::Op::Rename)}, {"id", e.id}, {"name", e.text}}, "could not rename " + e.id);
}

void App::save_prefs() {
  ViewPrefs p;
  p.group_by = model.group_by();
  if (int rc = save_view_prefs(paths.config_dir, p); rc != 0)
    ctl->set_status(std::string("could not save view.json: ") + strerror(-rc), true, mux::now_ms());
}

void App::supervisor_call(const nlohmann::json& req, const std::string& what) {
  async_request(&loop, paths.control_socket(), req, [this, what](const nlohmann::json& j) {
    if (quitting || j.value("ok", false)) return;
    ctl->set_status(what + ": " + sanitize(j.value("error", std::string("failed"))), true, mux::now_ms());
    request_frame();
  });
}

void App::reply(const std::string& id, const std::string& text) {
  const SessionInfo* s = model.find(id);
  if (!s) return;
  std::string name = s->name;
  if (!state_live(s->state)) {
    ctl->set_status(name + " is not running — 'amux respawn " + id + "' starts it again", true, mux::now_ms());
    return;
  }
  async_request(&loop, paths.host_socket(id), {{"op", mux::op_name(mux::Op::Reply)}, {"text", text}},
                [this, name](const nlohmann::json& j) {
                  if (quitting) return;
                  if (j.value("ok", false)) ctl->set_status("sent to " + name, false, mux::now_ms());
                  else
                    ctl->set_status("could not reply to " + name + ": " +
                                        sanitize(j.value("error", std::string())), true, mux::now_ms());
                  request_frame();
                });
}

void App::dispatch(const Effect& e) {
  auto job = std::make_unique<DispatchJob>();
  job->app = this;
  job->session = e.session;
  job->attach = e.attach;
  job->was_connected = sup && sup->ready();
  job->req.data = job.get();
  auto work = [](uv_work_t* w) {
    auto* j = static_cast<DispatchJob*>(w->data);
    try {
      j->rec = mux::dispatch_session(j->app->paths, j->app->config, j->session, &j->notice);
    } catch (const mux::DispatchError& err) {
      j->error = err.what();
    } catch (const std::exception& err) {
      j->error = std::string("could not start the session: ") + err.what();
    }
  };
  auto after = [](uv_work_t* w, int) {
    std::unique_ptr<DispatchJob> j(static_cast<DispatchJob*>(w->data));
    j->app->dispatched(*j);
  };
  if (uv_queue_work(&loop, &job->req, work, after) == 0) {
    job.release();  // `after` owns it now
    ctl->set_status("starting…", false, mux::now_ms());
    request_frame();
  } else {
    work(&job->req);
    dispatched(*job);
  }
}

void App::dispatched(const DispatchJob& j) {
  if (quitting) return;
  int64_t now = mux::now_ms();
  // An untrusted project's ignored keys are told once per view; on a
  // failed dispatch (e.g. an agent only that project defines) with the error.
  const bool tell = !j.notice.empty() && trust_told.insert(j.notice).second;
  if (!j.rec) {
    ctl->set_status(sanitize(tell ? j.error + " — " + j.notice : j.error), true, now);
    request_frame();
    return;
  }
  SessionInfo s = SessionInfo::from_json(mux::session_json(*j.rec, false));
  model.upsert(s);
  model.select(s.id);
  if (tell) ctl->set_status(sanitize(j.notice), true, now);
  else ctl->set_status("started " + sanitize(s.name), false, now);
  if (!j.was_connected) full_repaint = true;  // "Starting background service…" may have been printed
  request_frame();
  if (j.attach) attach(s.id);
}

}  // namespace amux::view
