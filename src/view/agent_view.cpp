// agent_view.cpp — see agent_view.h.
//
// Structure: App owns the libuv loop and its handles (stdin poll, signals,
// timers), the supervisor watch link, the tile feeds, the model and the
// controller. Everything is event driven: a frame is drawn only after
// something changed (supervisor event, tile update, key, resize, or the
// 100 ms animation timer, which runs only while a working session is on
// screen; a 1 s timer keeps ages fresh while a live one is). Frames are at
// least kMinFrameUs apart so a burst of tile updates costs one frame.
#include "view/agent_view.h"

#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include <uv.h>

#include "mux/wire/daemon_client.h"
#include "mux/daemon/dispatch.h"
#include "mux/wire/host_client.h"
#include "mux/sys/process_info.h"
#include "mux/store/session_record.h"
#include "mux/wire/session_view.h"
#include "view/attach_client.h"
#include "view/frame_stats.h"
#include "view/key_input.h"
#include "view/link.h"
#include "view/palette.h"
#include "view/screen_layout.h"
#include "view/text_util.h"
#include "view/tile_feed.h"
#include "view/view_controller.h"
#include "view/view_draw.h"
#include "view/view_model.h"
#include "view/view_prefs.h"

namespace amux::view {

std::string agent_view_disabled(const mux::Config& config, const std::string& managed_path) {
  const char* env = getenv("AMUX_DISABLE_AGENT_VIEW");
  if (env && *env && std::string(env) != "0" && std::string(env) != "false")
    return "AMUX_DISABLE_AGENT_VIEW is set";
  std::error_code ec;
  if (!managed_path.empty() && std::filesystem::exists(managed_path, ec)) {
    try {
      if (mux::load_config(managed_path).disable_agent_view) return "by the managed settings in " + managed_path;
    } catch (const std::exception&) {
      // A broken managed file does not turn the view off; `amux` reports config errors elsewhere.
    }
  }
  if (config.disable_agent_view) return "disable_agent_view = true in config.toml";
  return "";
}

namespace {

constexpr int64_t kMinFrameUs = 16000;   // at most ~60 frames a second
constexpr int64_t kTileFrameUs = 50000;  // live screens alone: at most 20 frames a second
constexpr int kTileIntervalMs = 100;    // ≤ 10 updates a second per tile

const char* kModesOn = "\x1b[?1000h\x1b[?1006h\x1b[?2004h\x1b[>4;1m";
const char* kModesOff = "\x1b[?1000l\x1b[?1006l\x1b[?2004l\x1b[>4m";

void write_out(std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(STDOUT_FILENO, s.data(), s.size());
    if (n > 0) { s.remove_prefix(size_t(n)); continue; }
    if (n < 0 && errno == EINTR) continue;
    return;
  }
}

bool on_path(const std::string& bin) {
  const char* p = getenv("PATH");
  if (!p) return false;
  std::string path = p;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    std::string dir = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!dir.empty() && access((dir + "/" + bin).c_str(), X_OK) == 0) return true;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return false;
}

std::string defaults_line(const ViewDefaults& d, const mux::Config& config) {
  std::string agent = !d.agent.empty() ? d.agent : config.default_agent;
  if (agent.empty())
    for (const char* a : {"claude", "codex", "gemini", "aider"})
      if (on_path(a)) { agent = a; break; }
  std::string line = "New sessions: ";
  line += agent.empty() ? "no agent found (!command runs a shell job)" : agent;
  if (!d.model.empty()) line += " · " + d.model;
  if (!d.effort.empty()) line += " · " + d.effort + " effort";
  if (!d.permission_mode.empty()) line += " · " + d.permission_mode;
  std::string cwd = d.cwd;
  if (cwd.empty()) {
    std::error_code ec;
    cwd = std::filesystem::current_path(ec).string();
  }
  line += " · " + tilde_path(cwd);
  return sanitize(line);
}

bool under_dir(const std::string& cwd, const std::string& dir) {
  if (dir.empty()) return true;
  return cwd == dir || cwd.rfind(dir + "/", 0) == 0;
}

struct App {
  const mux::Paths& paths;
  const mux::Config& config;
  const keymap::KeymapTable& keys;
  ViewDefaults defaults;

  uv_loop_t loop{};
  uv_poll_t stdin_poll{};
  bool stdin_polling = false;
  uv_signal_t sig_winch{}, sig_term{}, sig_hup{}, sig_int{}, sig_cont{};
  uv_timer_t frame_timer{}, anim_timer{}, esc_timer{}, deadline_timer{}, reconnect_timer{};
  uint64_t anim_every = 0;

  ViewModel model;
  std::unique_ptr<Controller> ctl;
  Palette pal;
  InputDecoder dec;
  FrameStats stats;

  std::unique_ptr<Link> sup;
  std::deque<std::string> pending;  // ops awaiting a Response on the watch link
  bool listed = false;
  int reconnect_tries = 0;
  int64_t last_launch = 0;

  std::map<std::string, std::unique_ptr<TileFeed>> feeds;
  std::map<std::string, int64_t> feed_version;  // the record's updatedAt when the feed started

  std::vector<HitBox> hits;
  int spin = 0;
  int grid_top = 0;
  bool frame_pending = false;
  int64_t frame_due = 0;
  int64_t last_frame_at = 0;
  std::string title;
  std::string defaults_text;
  std::string link_note = "connecting to the background service…";
  bool quitting = false;
  bool full_repaint = false;

  App(const mux::Paths& p, const mux::Config& c, const keymap::KeymapTable& k, ViewDefaults d)
      : paths(p), config(c), keys(k), defaults(std::move(d)) {}

  static App* of(uv_handle_t* h) { return static_cast<App*>(h->data); }
  template <class H>
  static App* of(H* h) { return static_cast<App*>(reinterpret_cast<uv_handle_t*>(h)->data); }

  // ---- setup ----
  void init_handles() {
    uv_loop_init(&loop);
    for (uv_timer_t* t : {&frame_timer, &anim_timer, &esc_timer, &deadline_timer, &reconnect_timer}) {
      uv_timer_init(&loop, t);
      t->data = this;
    }
    auto sig = [](uv_signal_t* h, int signum) { of(h)->on_signal(signum); };
    for (auto [h, s] : {std::pair{&sig_winch, SIGWINCH}, {&sig_term, SIGTERM}, {&sig_hup, SIGHUP},
                        {&sig_int, SIGINT}, {&sig_cont, SIGCONT}}) {
      uv_signal_init(&loop, h);
      h->data = this;
      uv_signal_start(h, sig, s);
    }
    uv_poll_init(&loop, &stdin_poll, STDIN_FILENO);
    stdin_poll.data = this;
    start_stdin();
  }

  void start_stdin() {
    if (stdin_polling) return;
    stdin_polling = true;
    uv_poll_start(&stdin_poll, UV_READABLE, [](uv_poll_t* h, int status, int) {
      App* a = of(h);
      if (status < 0) { a->quit(); return; }
      a->on_readable();
    });
  }

  void stop_stdin() {
    if (!stdin_polling) return;
    stdin_polling = false;
    uv_poll_stop(&stdin_poll);
  }

  // ---- supervisor ----
  void connect_supervisor() {
    pending.clear();
    sup = std::make_unique<Link>(
        &loop, paths.control_socket(), [this](mux::Frame& f) { on_sup_frame(f); },
        [this](const std::string& reason) { on_sup_closed(reason); });
    sup->send_json(mux::MsgType::Request, {{"op", "watch"}});
    pending.push_back("watch");
    sup->send_json(mux::MsgType::Request, {{"op", "list"}, {"all", true}, {"cwd", defaults.list_cwd}});
    pending.push_back("list");
  }

  void on_sup_frame(mux::Frame& f) {
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
      auto prev = model.upsert(s);
      if (s.state == State::Blocked && (!prev || *prev != State::Blocked) && config.bell_on_blocked) beep();
      request_frame();
    } else if (j.contains("removed") && j["removed"].is_string()) {
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

  void on_sup_closed(const std::string&) {
    if (quitting) return;
    link_note = "lost the background service; reconnecting…";
    request_frame();
    uint64_t wait = reconnect_tries < 3 ? 200 : 1000;
    uv_timer_start(&reconnect_timer, [](uv_timer_t* t) { of(t)->reconnect(); }, wait, 0);
  }

  void reconnect() {
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

  // ---- input ----
  void on_readable() {
    char buf[4096];
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n == 0) { quit(); return; }
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      quit();
      return;
    }
    handle_events(dec.feed(std::string_view(buf, size_t(n))));
    if (dec.pending()) {
      uv_timer_start(&esc_timer, [](uv_timer_t* t) {
        App* a = of(t);
        a->handle_events(a->dec.flush());
      }, uint64_t(config.escape_time_ms), 0);  // a lone ESC is a key after this pause
    } else {
      uv_timer_stop(&esc_timer);
    }
  }

  void handle_events(const std::vector<InputEvent>& evs) {
    int64_t now = mux::now_ms();
    for (const auto& ev : evs) {
      if (quitting) return;
      std::vector<Effect> effects;
      if (ev.kind == InputEvent::Mouse) {
        if (ev.button == 64 || ev.button == 65) {
          ctl->on_wheel(ev.button == 64 ? -1 : 1);
        } else if (ev.press && (ev.button & ~(4 | 8 | 16)) == 0) {
          for (auto& h : hits)
            if (h.r.contains(ev.y, ev.x)) {
              effects = ctl->on_click(h.id, now);
              break;
            }
        } else {
          continue;
        }
      } else {
        effects = ctl->on_input(ev, now);
      }
      for (auto& e : effects) run_effect(e);
      request_frame();
    }
  }

  // ---- effects ----
  void run_effect(Effect& e) {
    int64_t now = mux::now_ms();
    switch (e.kind) {
      case Effect::Attach:
        attach(e.id);
        break;
      case Effect::Dispatch:
        dispatch(e);
        break;
      case Effect::Stop:
        supervisor_call({{"op", "stop"}, {"id", e.id}}, "could not stop " + e.id);
        break;
      case Effect::Remove: {
        std::string id = e.id;
        std::string name = model.find(id) ? model.find(id)->name : id;
        nlohmann::json req = {{"op", "rm"}, {"id", id}, {"force", true}};
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
        break;
      }
      case Effect::Pin:
      case Effect::Unpin: {
        bool pin = e.kind == Effect::Pin;
        if (const SessionInfo* s = model.find(e.id)) {
          SessionInfo c = *s;
          c.pinned = pin;
          model.upsert(c);
        }
        supervisor_call({{"op", pin ? "pin" : "unpin"}, {"id", e.id}}, "could not pin " + e.id);
        break;
      }
      case Effect::Rename:
        if (const SessionInfo* s = model.find(e.id)) {
          SessionInfo c = *s;
          c.name = sanitize(e.text);
          model.upsert(c);
        }
        supervisor_call({{"op", "rename"}, {"id", e.id}, {"name", e.text}}, "could not rename " + e.id);
        break;
      case Effect::Reply:
        reply(e.id, e.text);
        break;
      case Effect::SavePrefs: {
        ViewPrefs p;
        p.group_by = model.group_by();
        if (int rc = save_view_prefs(paths.config_dir, p); rc != 0)
          ctl->set_status(std::string("could not save view.json: ") + strerror(-rc), true, now);
        break;
      }
      case Effect::Quit:
        quit();
        break;
      case Effect::Suspend:
        suspend();
        break;
      case Effect::Redraw:
        full_repaint = true;
        break;
    }
  }

  void supervisor_call(const nlohmann::json& req, const std::string& what) {
    async_request(&loop, paths.control_socket(), req, [this, what](const nlohmann::json& j) {
      if (quitting || j.value("ok", false)) return;
      ctl->set_status(what + ": " + sanitize(j.value("error", std::string("failed"))), true, mux::now_ms());
      request_frame();
    });
  }

  void reply(const std::string& id, const std::string& text) {
    const SessionInfo* s = model.find(id);
    if (!s) return;
    std::string name = s->name;
    if (!state_live(s->state)) {
      ctl->set_status(name + " is not running — 'amux respawn " + id + "' starts it again", true, mux::now_ms());
      return;
    }
    async_request(&loop, paths.host_socket(id), {{"op", "reply"}, {"text", text}},
                  [this, name](const nlohmann::json& j) {
                    if (quitting) return;
                    if (j.value("ok", false)) ctl->set_status("sent to " + name, false, mux::now_ms());
                    else
                      ctl->set_status("could not reply to " + name + ": " +
                                          sanitize(j.value("error", std::string())), true, mux::now_ms());
                    request_frame();
                  });
  }

  // A dispatch (git, maybe a new worktree, the supervisor starting the
  // host) runs on libuv's thread pool, so the view keeps drawing and reading
  // keys meanwhile; the result comes back on the loop.
  struct DispatchJob {
    uv_work_t req{};
    App* app = nullptr;
    mux::NewSession session;
    bool attach = false;
    bool was_connected = false;
    std::optional<mux::SessionRecord> rec;
    std::string error;
    std::string notice;  // keys an untrusted project asked for and did not get
  };

  std::set<std::string> trust_told;  // untrusted-project notices already shown

  void dispatch(const Effect& e) {
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

  void dispatched(const DispatchJob& j) {
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

  // Leave ncurses, put the session on the terminal, come back to the same row.
  void attach(std::string id) {
    int64_t now = mux::now_ms();
    feeds.clear();  // nothing streams while the view is away
    stop_stdin();
    write_out(kModesOff);
    def_prog_mode();
    endwin();
    std::string error;
    for (int hops = 0; hops < 1000 && !id.empty(); hops++) {
      auto rec = mux::load_record(paths, id);
      if (!rec) { error = "session " + id + " is gone"; break; }
      if (!(rec->host_pid > 0 && mux::process_alive(rec->host_pid, rec->host_start_time))) {
        bool restartable = mux::state_is_live(rec->state) || rec->state == mux::SessionState::Starting ||
                           (rec->state == mux::SessionState::Failed && rec->detail.rfind("host lost", 0) == 0) ||
                           rec->kind != "shell";
        if (!restartable) {
          error = sanitize(rec->name) + " has ended and its output is gone — 'amux respawn " + id +
                  "' runs it again";
          break;
        }
        auto r = mux::supervisor_request(paths, {{"op", "ensure"}, {"id", id}}, true, 30000);
        if (!r.value("ok", false)) { error = sanitize(r.value("error", std::string("could not restart ") + id)); break; }
        rec = mux::load_record(paths, id);
        if (!rec) { error = "session " + id + " is gone"; break; }
      }
      model.select(id);
      AttachResult res = run_attach(paths, keys, *rec, false, config.escape_time_ms);
      if (res.end == AttachEnd::Lost) { error = sanitize(res.error); break; }
      if (res.end != AttachEnd::Next && res.end != AttachEnd::Previous) break;
      const auto& order = model.order();
      if (order.empty()) break;
      int i = model.selected_index();
      int n = int(order.size());
      i = res.end == AttachEnd::Next ? (i + 1) % n : (i - 1 + n) % n;
      id = order[size_t(i)];
    }
    reset_prog_mode();
    write_out(kModesOn);
    full_repaint = true;
    ctl->set_returned(true);
    if (!error.empty()) ctl->set_status(error, true, now);
    // Sizes may have changed while attached.
    struct winsize ws {};
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0 &&
        (ws.ws_row != LINES || ws.ws_col != COLS))
      resizeterm(ws.ws_row, ws.ws_col);
    dec = InputDecoder();
    start_stdin();
    request_frame();
  }

  void suspend() {
    write_out(kModesOff);
    def_prog_mode();
    endwin();
    kill(getpid(), SIGSTOP);
    reset_prog_mode();
    write_out(kModesOn);
    full_repaint = true;
    request_frame();
  }

  // ---- signals ----
  void on_signal(int signum) {
    if (signum == SIGWINCH) {
      struct winsize ws {};
      if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resizeterm(ws.ws_row, ws.ws_col);
      full_repaint = true;
      request_frame();
    } else if (signum == SIGCONT) {
      full_repaint = true;
      request_frame();
    } else {
      quit();
    }
  }

  // ---- frames ----
  // Schedule a frame. Keys, resizes and supervisor events draw within
  // kMinFrameUs; live screens (tiles, preview, peek), which change up to ten
  // times a second each, are batched into frames kTileFrameUs apart.
  void request_frame(bool live_screen = false) {
    if (quitting) return;
    int64_t now = mono_us();
    int64_t at = last_frame_at + (live_screen ? kTileFrameUs : kMinFrameUs);
    if (at < now) at = now;
    if (frame_pending && frame_due <= at) return;
    frame_pending = true;
    frame_due = at;
    uv_timer_start(&frame_timer, [](uv_timer_t* t) { of(t)->frame(); }, uint64_t((at - now) / 1000), 0);
  }

  void reconcile_feeds(const std::vector<FeedWant>& wants) {
    std::set<std::string> keep;
    for (const auto& w : wants) {
      keep.insert(w.id);
      const SessionInfo* s = model.find(w.id);
      int64_t ver = s ? s->updated_at : 0;
      auto it = feeds.find(w.id);
      TileImage old;
      if (it != feeds.end()) {
        TileFeed& f = *it->second;
        bool same = f.rows() == w.rows && f.cols() == w.cols;
        bool retry = f.ended() && feed_version[w.id] != ver && s && state_live(s->state);
        if (same && !retry) continue;
        old = f.take_image();
      }
      auto f = std::make_unique<TileFeed>(&loop, paths.host_socket(w.id), w.rows, w.cols, kTileIntervalMs,
                                          [this] { request_frame(true); });
      f->adopt_image(std::move(old));
      feeds[w.id] = std::move(f);
      feed_version[w.id] = ver;
    }
    for (auto it = feeds.begin(); it != feeds.end();) {
      if (keep.count(it->first)) { ++it; continue; }
      feed_version.erase(it->first);
      it = feeds.erase(it);
    }
  }

  void frame() {
    frame_pending = false;
    if (quitting) return;
    int64_t t0 = mono_us();
    int64_t now = mux::now_ms();
    ctl->tick(now);
    bool grid = ctl->layout() == Layout::Grid;
    int plines = 1;
    if (ctl->mode() != Mode::Find) {
      std::string t = ctl->prompt().text();
      plines = 1 + int(std::count(t.begin(), t.end(), '\n'));
    }
    Areas a = compute_areas(LINES, COLS, plines, grid);
    if (grid && !a.too_small) {
      GridGeom g = grid_geometry(a.body);
      grid_top = grid_scroll(grid_top, model.selected_index(), int(model.order().size()), g);
      ctl->set_grid_columns(g.columns);
    }
    reconcile_feeds(wanted_feeds(model, *ctl, a, grid_top, LINES, COLS));
    if (full_repaint) {
      clearok(curscr, TRUE);
      full_repaint = false;
    }
    erase();
    DrawContext dc{model, *ctl, pal, [this](const std::string& id) -> const TileFeed* {
                     auto it = feeds.find(id);
                     return it == feeds.end() ? nullptr : it->second.get();
                   }};
    dc.now = now;
    dc.spin = spin;
    dc.defaults_line = defaults_text;
    dc.link_note = link_note;
    dc.grid_top = grid_top;
    DrawResult res = draw_view(dc, a);
    hits = std::move(res.hits);
    if (res.cursor) {
      curs_set(1);
      move(res.cursor_y, res.cursor_x);
    } else {
      curs_set(0);
    }
    wnoutrefresh(stdscr);
    doupdate();
    update_title();
    int64_t t1 = mono_us();
    stats.record(t1 - t0);
    last_frame_at = t0;
    // Timers: animation while something works on screen, ages while something lives.
    uint64_t every = res.animating ? 100 : res.live_ages ? 1000 : 0;
    if (every != anim_every) {
      anim_every = every;
      uv_timer_stop(&anim_timer);
      if (every)
        uv_timer_start(&anim_timer, [](uv_timer_t* t) {
          App* a = of(t);
          a->spin++;
          a->request_frame(true);
        }, every, every);
    }
    int64_t d = ctl->next_deadline();
    uv_timer_stop(&deadline_timer);
    if (d)
      uv_timer_start(&deadline_timer, [](uv_timer_t* t) { of(t)->request_frame(); },
                     uint64_t(std::max<int64_t>(0, d - now)) + 1, 0);
  }

  void update_title() {
    int n = model.counts().blocked;
    std::string t = n > 0 ? std::to_string(n) + " awaiting input · amux" : "amux";
    if (t == title) return;
    title = t;
    write_out("\x1b]2;" + t + "\x07");
  }

  void quit() {
    if (quitting) return;
    quitting = true;
    feeds.clear();
    sup.reset();
    uv_walk(&loop, [](uv_handle_t* h, void*) {
      if (!uv_is_closing(h)) uv_close(h, nullptr);
    }, nullptr);
  }
};

}  // namespace

int run_agent_view(const mux::Paths& paths, const mux::Config& config, const keymap::KeymapTable& keys,
                   const ViewDefaults& defaults) {
  std::string off = agent_view_disabled(config);
  if (!off.empty()) {
    std::fprintf(stderr,
                 "amux: the agent view is turned off (%s).\n"
                 "  amux agents --json    list sessions\n"
                 "  amux attach <id>      open one in this terminal\n",
                 off.c_str());
    return 1;
  }
  if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
    std::fprintf(stderr, "amux: the agent view needs a terminal; 'amux agents --json' lists sessions\n");
    return 1;
  }
  // The supervisor, started on demand before the screen is taken over (so
  // "Starting background service…" shows on the normal screen).
  auto st = mux::supervisor_request(paths, {{"op", "status"}}, true, 10000);
  if (!st.value("ok", false)) {
    std::fprintf(stderr, "amux: %s\n", sanitize(st.value("error", std::string("the background service did not answer"))).c_str());
    return 1;
  }
  auto app = std::make_unique<App>(paths, config, keys, defaults);
  try {
    app->ctl = std::make_unique<Controller>(app->model, keys, defaults, [](const std::string& p) {
      std::error_code ec;
      return std::filesystem::is_directory(p, ec);
    });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "amux: bad key binding in [view]: %s\n", sanitize(e.what()).c_str());
    return 1;
  }
  std::string home = defaults.cwd;
  if (home.empty()) {
    std::error_code ec;
    home = std::filesystem::current_path(ec).string();
  }
  app->model.set_home_dir(home);
  app->model.set_group_by(load_view_prefs(paths.config_dir).group_by);
  app->defaults_text = defaults_line(defaults, config);

  setlocale(LC_ALL, "");
  // Signals first: ncurses then leaves SIGWINCH to us (libuv owns it).
  app->init_handles();
  SCREEN* scr = newterm(nullptr, stdout, stdin);
  if (!scr) {
    std::fprintf(stderr, "amux: cannot use this terminal (TERM=%s)\n", sanitize(getenv("TERM") ? getenv("TERM") : "").c_str());
    app->quit();
    uv_run(&app->loop, UV_RUN_DEFAULT);
    uv_loop_close(&app->loop);
    return 1;
  }
  raw();
  noecho();
  nonl();
  intrflush(stdscr, FALSE);
  keypad(stdscr, FALSE);
  const char* nc = getenv("NO_COLOR");
  app->pal.init(nc && *nc);
  write_out("\x1b[22;0t");
  write_out(kModesOn);
  app->connect_supervisor();
  app->request_frame();
  uv_run(&app->loop, UV_RUN_DEFAULT);
  // Leave: modes off, screen back, title back.
  write_out(kModesOff);
  endwin();
  delscreen(scr);
  write_out("\x1b[23;0t");
  uv_loop_close(&app->loop);
  return 0;
}

}  // namespace amux::view
