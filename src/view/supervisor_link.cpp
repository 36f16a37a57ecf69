// supervisor_link.cpp — the agent view's watch connection to the supervisor.
//
// Why: the rows come from the supervisor: one list at the start, then an
// event per changed or removed session. When the link drops, the view says
// so, reconnects, and starts the supervisor again on the thread pool if it
// is gone, while it keeps drawing.
#include <memory>

#include "mux/wire/daemon_client.h"
#include "mux/wire/ops.h"
#include "mux/wire/host_client.h"
#include "mux/wire/protocol.h"
#include "view/text_util.h"
#include "view/view_app.h"

namespace amux::view {
namespace {

bool under_dir(const std::string& cwd, const std::string& dir) {
  if (dir.empty()) return true;
  return cwd == dir || cwd.rfind(dir + "/", 0) == 0;
}

}  // namespace

void App::connect_supervisor() {
  pending.clear();
  sup = std::make_unique<Link>(
      &loop, paths.control_socket(), [this](mux::Frame& f) { on_sup_frame(f); },
      [this](const std::string& reason) { on_sup_closed(reason); });
  sup->send_json(mux::MsgType::Request, {{"op", mux::op_name(mux::Op::Watch)}});
  pending.push_back("watch");
  sup->send_json(mux::MsgType::Request, {{"op", mux::op_name(mux::Op::List)}, {"all", true}, {"cwd", defaults.list_cwd}});
  pending.push_back("list");
}

void App::on_sup_frame(mux::Frame& f) {
  nlohmann::json j;
  try {
    j = f.json();
  } catch (...) {
    return;
  }
  if (f.type == mux::MsgType::Response) {
    std::string what = pending.empty() ? "" : pending.front();
    if (!pending.empty()) pending.pop_front();
    if (what == "list" && j.value("ok", false) && j.contains("sessions")) {
      std::vector<SessionInfo> all;
      for (auto& s : j["sessions"]) {
        try {
          all.push_back(SessionInfo::from_json(s));
        } catch (...) {
        }
      }
      model.set_all(std::move(all));
      attention.reset(j["sessions"]);
      listed = true;
      reconnect_tries = 0;
      link_note.clear();
      request_frame();
    }
    return;
  }
  if (f.type != mux::MsgType::Event) return;
  if (j.contains("session") && j["session"].is_object()) {
    SessionInfo s;
    try {
      s = SessionInfo::from_json(j["session"]);
    } catch (...) {
      return;
    }
    if (!under_dir(s.cwd, defaults.list_cwd)) return;
    model.upsert(s);
    attention_update(j["session"]);
    request_frame();
  } else if (j.contains("removed") && j["removed"].is_string()) {
    attention.removed(j["removed"].get<std::string>());
    if (model.remove(j["removed"].get<std::string>())) request_frame();
  } else if (j.contains("sessions") && j["sessions"].is_array()) {
    // The supervisor dropped events this view was too slow to read: the
    // whole list again.
    std::vector<SessionInfo> all;
    for (auto& e : j["sessions"]) {
      try {
        SessionInfo s = SessionInfo::from_json(e);
        if (under_dir(s.cwd, defaults.list_cwd)) all.push_back(std::move(s));
      } catch (...) {
      }
    }
    model.set_all(std::move(all));
    request_frame();
  }
}

void App::on_sup_closed(const std::string&) {
  if (quitting) return;
  link_note = "lost the background service; reconnecting…";
  request_frame();
  uint64_t wait = reconnect_tries < 3 ? 200 : 1000;
  uv_timer_start(&reconnect_timer, [](uv_timer_t* t) { of(t)->reconnect(); }, wait, 0);
}

void App::reconnect() {
  sup.reset();
  reconnect_tries++;
  mux::HostClient probe;
  std::string err = probe.connect(paths.control_socket(), 500);
  probe.close();
  int64_t now = mux::now_ms();
  if (!err.empty() && now - last_launch > 3000) {
    last_launch = now;
    link_note = "starting the background service…";
    // Started on the thread pool: the view keeps drawing meanwhile.
    struct LaunchJob {
      uv_work_t req{};
      App* app = nullptr;
    };
    auto job = std::make_unique<LaunchJob>();
    job->app = this;
    job->req.data = job.get();
    auto work = [](uv_work_t* w) {
      auto* j = static_cast<LaunchJob*>(w->data);
      mux::launch_supervisor(j->app->paths, "transient", 5000);
    };
    auto after = [](uv_work_t* w, int) {
      std::unique_ptr<LaunchJob> j(static_cast<LaunchJob*>(w->data));
      if (!j->app->quitting) j->app->connect_supervisor();
    };
    if (uv_queue_work(&loop, &job->req, work, after) == 0) {
      job.release();  // `after` owns it now
      return;
    }
    mux::launch_supervisor(paths, "transient", 5000);
  }
  connect_supervisor();
}

}  // namespace amux::view
