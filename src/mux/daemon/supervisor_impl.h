// supervisor_impl.h — the supervisor's state, shared by its files (private:
// only src/mux/daemon/supervisor*.cpp include it).
//
// Why: the supervisor is one object on one loop, but its work falls into
// separate concerns, each in its own file:
//   supervisor.cpp           start (lock, control socket, signals), the log
//   supervisor_clients.cpp   control connections: hello, replies, watchers
//   supervisor_requests.cpp  the request table: one handler per op
//   supervisor_hosts.cpp     the host registry: adoption, subscriptions,
//                            the roster, requests to a host
//   supervisor_start.cpp     starting hosts (relaunch, ready pipes)
//   supervisor_async.cpp     waiting without blocking: thread-pool jobs and
//                            waiting for a process to go
//   supervisor_reap.cpp      reaping finished rows
//   supervisor_remove.cpp    removing a session (rm, and its worktree)
//   supervisor_shutdown.cpp  idle exit, shutdown and closing every handle
//
// Impl owns the lock fd, the control socket, client connections (one-shot
// CLI requests or long-lived watchers) and one subscription per live host.
// Anything that must talk to a host does so asynchronously (host_call) so
// one slow host never stalls the loop. Every handle has one owner and one
// close path: the connections live in `conns` and leave it only in their
// close callback; the rest are closed once by close_all. Clients are bounded
// (a Hello deadline, a reply queue limit; watchers drop events and are
// resynced).
#pragma once

#include <unistd.h>

#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <uv.h>

#include "mux/daemon/ready_pipe.h"
#include "mux/daemon/supervisor.h"
#include "mux/store/session_record.h"
#include "mux/wire/ops.h"
#include "mux/wire/uv_conn.h"
#include "pty/unique_fd.h"

namespace amux::mux {

struct Supervisor::Impl {
  using json = nlohmann::json;
  using Reply = std::function<void(const json&)>;

  uv_loop_t* loop;
  SupervisorOptions o;
  pty::UniqueFd lock_fd;
  pty::UniqueFd log_fd;
  uv_pipe_t server{};
  bool server_open = false;
  uv_timer_t reap_timer{}, idle_timer{};
  uv_signal_t sig_term{}, sig_int{}, sig_hup{};
  int64_t started_at = now_ms();
  bool shutting_down = false;

  // Every connection has one owner, `conns`; the others are roles that
  // point into it. A connection is closed only through UvConn::close and
  // leaves `conns` (and every role) in its close callback, never earlier.
  std::map<UvConn*, std::unique_ptr<UvConn>> conns;
  std::set<UvConn*> clients;                            // control connections
  std::set<UvConn*> watchers;                           // clients that asked to watch
  std::set<UvConn*> behind;                             // watchers whose events were dropped
  std::map<std::string, UvConn*> hosts;                 // id → subscription
  std::set<UvConn*> calls;                              // one-shot host requests
  std::map<std::string, SessionRecord> records;         // latest known records
  bool closed_all = false;

  UvConn* new_conn() {
    auto c = std::make_unique<UvConn>(loop);
    UvConn* raw = c.get();
    conns[raw] = std::move(c);
    return raw;
  }
  // Frees a connection; only from its close callback.
  void forget(UvConn& c) { conns.erase(&c); }

  Impl(uv_loop_t* l, SupervisorOptions opts);

  // ---- supervisor.cpp: start and the log ----
  void log(const std::string& msg);
  std::string start();

  // ---- supervisor_hosts.cpp: the host registry ----
  void adopt();
  void mark_host_lost(const std::string& id);
  void save_roster_now();
  void discard_unrecorded(const std::string& id);
  void watch_host(const std::string& id);
  void drop_subscription(const std::string& id);
  void on_host_closed(const std::string& id, const std::string& reason);
  void on_record(const SessionRecord& r);
  void broadcast(const SessionRecord& r);
  void host_call(const std::string& id, json req, std::function<void(const json&)> cb);
  bool host_alive(const std::string& id);

  // ---- supervisor_reap.cpp: reaping ----
  std::set<std::string> reap_tried;
  int64_t reap_deadline(const SessionRecord& r, bool pinned);
  void schedule_reap();
  void reap();

  // ---- supervisor_remove.cpp: rm ----
  void remove_session(const std::string& id, std::function<void(const json&)> cb);
  void rm_with_worktree(const std::string& id, const std::string& path, bool discard,
                        const std::function<void(const json&)>& reply);

  // ---- supervisor_async.cpp: waiting without blocking ----
  // git can take a while on a big worktree: it runs on libuv's thread pool,
  // and `done` runs back on the loop (not at all once shutting down).
  struct BlockingJob {
    uv_work_t req{};
    Impl* self = nullptr;
    std::function<json()> work;
    std::function<void(const json&)> done;
    json result;
  };
  void off_loop(std::function<json()> work, std::function<void(const json&)> done);

  // Run `cb` once process `pid` is gone (or after timeout_ms), polling on a
  // timer so the loop keeps serving everyone else meanwhile. Each waiter's
  // timer is closed once and the waiter freed in its close callback.
  struct GoneWaiter {
    uv_timer_t timer{};
    Impl* self = nullptr;
    pid_t pid = 0;
    uint64_t deadline = 0;
    bool closing = false;
    std::function<void()> cb;
  };
  std::list<std::unique_ptr<GoneWaiter>> gone_waiters;
  void when_gone(pid_t pid, uint64_t timeout_ms, std::function<void()> cb);
  void poll_gone(GoneWaiter& w);
  void close_gone_waiter(GoneWaiter& w);

  // ---- supervisor_shutdown.cpp: idle exit and shutdown ----
  bool any_live();
  void check_idle();
  void shutdown(bool keep_workers, std::function<void()> after);
  void save_final_roster();
  static void on_own_handle_closed(uv_handle_t*);
  void close_all();

  // ---- supervisor_clients.cpp: control connections ----
  void on_accept();
  void send_event(UvConn* w, const json& ev);
  void on_watcher_drained(UvConn& c);
  void on_client_frame(UvConn& c, Frame& f);

  // ---- supervisor_start.cpp: starting hosts ----
  // A start never blocks the loop: the host's spec (TOML, git) is worked
  // out on the thread pool, the fork is prepared before it happens, and the
  // ready pipe is read here (ReadyPipe). Sessions whose host is starting,
  // with everyone waiting for the outcome ("" or an error).
  std::map<std::string, std::vector<std::function<void(const std::string&)>>> launching;
  std::map<ReadyPipe*, std::unique_ptr<ReadyPipe>> ready_pipes;
  void relaunch(SessionRecord rec, bool resume, std::function<void(const std::string&)> done);
  void launch_ok(const std::string& id);
  void launch_failed(const std::string& id, const std::string& err);
  void launch_done(const std::string& id, const std::string& err);

  // ---- supervisor_requests.cpp: the request table ----
  // One handler per op. The table is keyed by the op's name on the wire;
  // when the shared op enum arrives, each entry's key becomes its `Op`.
  using Handler = void (Impl::*)(UvConn& c, const json& req, const Reply& reply);
  static const std::map<Op, Handler>& handlers();
  void handle(UvConn& c, const json& req, const Reply& reply);
  std::optional<SessionRecord> find(const json& req, const std::function<void(const json&)>& reply);
  void op_dispatch(UvConn& c, const json& req, const Reply& reply);
  void op_list(UvConn& c, const json& req, const Reply& reply);
  void op_stop(UvConn& c, const json& req, const Reply& reply);
  void op_rm(UvConn& c, const json& req, const Reply& reply);
  void op_respawn(UvConn& c, const json& req, const Reply& reply);
  void op_ensure(UvConn& c, const json& req, const Reply& reply);
  void respawn(const json& req, const Reply& reply, bool ensure);
  void op_rename(UvConn& c, const json& req, const Reply& reply);
  void op_pin(UvConn& c, const json& req, const Reply& reply);
  void op_unpin(UvConn& c, const json& req, const Reply& reply);
  void set_pin(const json& req, const Reply& reply, bool pin);
  void op_status(UvConn& c, const json& req, const Reply& reply);
  void op_shutdown(UvConn& c, const json& req, const Reply& reply);
  void op_watch(UvConn& c, const json& req, const Reply& reply);
};

}  // namespace amux::mux
