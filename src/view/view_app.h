// view_app.h — the running agent view's state, shared by the files that
// carry out its parts.
//
// Why: the view is one object on one libuv loop, but its concerns are
// separate: the loop, input and signals (agent_view.cpp), frames
// (view_frame.cpp), the supervisor link (supervisor_link.cpp), what keys ask
// for (view_effects.cpp),
// leaving the screen for an attach or a suspend (view_attach.cpp), and the
// settings it starts with (view_settings.cpp). Everything is event driven: a
// frame is drawn only after something changed (supervisor event, tile
// update, key, resize, or the 100 ms animation timer, which runs only while
// a working session is on screen; a 1 s timer keeps ages fresh while a live
// one is). Frames are at least kMinFrameUs apart so a burst of tile updates
// costs one frame. Only the view's own files include this.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <uv.h>

#include "keymap/keymap_table.h"
#include "mux/remote/host_follow.h"
#include "mux/remote/ssh_call.h"
#include "mux/store/config.h"
#include "mux/daemon/dispatch.h"
#include "mux/store/paths.h"
#include "mux/store/session_record.h"
#include "view/frame_stats.h"
#include "view/key_input.h"
#include "view/link.h"
#include "view/palette.h"
#include "view/tile_feed.h"
#include "view/view_controller.h"
#include "view/view_defaults.h"
#include "view/view_draw.h"
#include "view/view_model.h"
#include "view/attention.h"

namespace amux::view {

inline constexpr int64_t kMinFrameUs = 16000;   // at most ~60 frames a second
inline constexpr int64_t kTileFrameUs = 50000;  // live screens alone: at most 20 frames a second
inline constexpr int kTileIntervalMs = 100;    // ≤ 10 updates a second per tile

// Terminal modes the view runs with: mouse (SGR), bracketed paste, modifyOtherKeys.
inline constexpr const char* kModesOn = "\x1b[?1000h\x1b[?1006h\x1b[?2004h\x1b[>4;1m";
inline constexpr const char* kModesOff = "\x1b[?1000l\x1b[?1006l\x1b[?2004l\x1b[>4m";

// Write all of s to the terminal (stdout), retrying on EINTR.
void write_out(std::string_view s);

// The header line about new sessions: agent, model, effort, mode, directory.
std::string defaults_line(const ViewDefaults& d, const mux::Config& config);

struct App {
  const mux::Paths& paths;
  const mux::Config& config;
  const keymap::KeymapTable& keys;
  ViewDefaults defaults;

  uv_loop_t loop{};
  uv_poll_t stdin_poll{};
  bool stdin_polling = false;
  uv_signal_t sig_winch{}, sig_term{}, sig_hup{}, sig_int{}, sig_cont{};
  uv_timer_t frame_timer{}, anim_timer{}, esc_timer{}, deadline_timer{}, reconnect_timer{}, attention_timer{};
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

  // One follower per configured host, and the ssh calls the keys started
  // on remote rows (remote_link.cpp).
  std::vector<std::unique_ptr<mux::HostFollow>> remote_hosts;
  std::map<uint64_t, std::unique_ptr<mux::SshCall>> remote_calls;
  uint64_t next_call = 0;

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
  std::set<std::string> trust_told;  // untrusted-project notices already shown
  Attention attention{config.state_hold_ms};  // who to tell the person about (view_attention.cpp)

  App(const mux::Paths& p, const mux::Config& c, const keymap::KeymapTable& k, ViewDefaults d)
      : paths(p), config(c), keys(k), defaults(std::move(d)) {}

  static App* of(uv_handle_t* h) { return static_cast<App*>(h->data); }
  template <class H>
  static App* of(H* h) { return static_cast<App*>(reinterpret_cast<uv_handle_t*>(h)->data); }

  // ---- loop, input, signals (agent_view.cpp) ----
  void init_handles();
  void start_stdin();
  void stop_stdin();
  void on_readable();
  void handle_events(const std::vector<InputEvent>& evs);
  void on_signal(int signum);
  void quit();

  // ---- frames (view_frame.cpp) ----
  // Schedule a frame. Keys, resizes and supervisor events draw within
  // kMinFrameUs; live screens (tiles, preview, peek), which change up to ten
  // times a second each, are batched into frames kTileFrameUs apart.
  void request_frame(bool live_screen = false);
  void reconcile_feeds(const std::vector<FeedWant>& wants);
  void frame();
  void update_title();

  // ---- the supervisor (supervisor_link.cpp) ----
  void connect_supervisor();
  void on_sup_frame(mux::Frame& f);
  void on_sup_closed(const std::string& reason);
  void reconnect();

  // ---- other machines (remote_link.cpp) ----
  void follow_hosts();
  void host_down(const std::string& host, const std::string& reason);
  // An effect on a remote row (or a dispatch to a host): true when handled.
  bool remote_effect(Effect& e);
  // `amux <args>` on host h, asynchronously; `done(ok, stdout)` on the loop.
  void remote_call(const mux::HostEntry& h, const std::vector<std::string>& args, const std::string& what,
                   std::function<void(bool, const std::string&)> done = nullptr);
  void attach_remote(const SessionInfo& s);
  // ---- telling the person (view_attention.cpp) ----
  void attention_update(const nlohmann::json& session);
  void on_attention_due();

  // ---- effects (view_effects.cpp) ----
  struct DispatchJob;
  void run_effect(Effect& e);
  void supervisor_call(const nlohmann::json& req, const std::string& what);
  void remove(const Effect& e);
  void set_pinned(const Effect& e);
  void rename(const Effect& e);
  void save_prefs();
  void reply(const std::string& id, const std::string& text);
  void dispatch(const Effect& e);
  void dispatched(const DispatchJob& j);

  // ---- leaving the screen (view_attach.cpp) ----
  // Leave ncurses, put the session on the terminal, come back to the same row.
  void attach(std::string id);
  void suspend();
  // Hand the terminal to another program (attach, ssh, git's pager) and take
  // it back: input stopped, modes off, ncurses left; then everything again,
  // resized if the terminal changed meanwhile, and a full repaint.
  void leave_screen();
  void return_to_screen();
  // Leave ncurses for the session's worktree diff (git and its pager), then
  // come back (view_diff.cpp).
  void show_diff(const std::string& id);
};

}  // namespace amux::view
