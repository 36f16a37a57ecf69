// cmd_script.cpp — `amux wait` and `amux explain`: for scripts and for a
// person asking why.
//
// wait: returns when the session is in one of the states (default: any that
// needs a person or is over), on the supervisor's watch events — nothing is
// polled. Exit 0 reached, 124 timeout, 1 unknown session, 2 bad usage.
// explain: the state, since when, the source that decided it and what that
// source saw, and the last transitions, from the session's host (or from
// its record once the host is gone).
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <set>

#include "cli/context.h"
#include "cli/remote_cmd.h"
#include "cli/supervisor_watch.h"
#include "mux/agents/state_history.h"
#include "mux/sys/process_info.h"
#include "mux/wire/host_client.h"
#include "mux/wire/ops.h"
#include "render/safe_text.h"

namespace amux::cli {

namespace {

using json = nlohmann::json;

constexpr int kTimedOut = 124;  // as timeout(1)

std::set<std::string> parse_states(const std::vector<std::string>& given) {
  std::set<std::string> out;
  if (given.empty()) return {"blocked", "idle", "done", "failed", "stopped"};
  for (auto& s : given) {
    if (s.empty()) continue;
    if (!mux::parse_state(s))
      throw CommandError("unknown state '" + s +
                             "' (one of starting, working, blocked, idle, done, failed, stopped)",
                         2);
    out.insert(s);
  }
  if (out.empty()) throw CommandError("--state needs at least one state", 2);
  return out;
}

int wait_for(Context& ctx, const std::string& target, const std::set<std::string>& states, double timeout_s) {
  auto rec = ctx.resolve(target);
  SupervisorWatch watch;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  auto list = watch.open(ctx, true, "");
  auto reached = [&](const json& s) {
    std::string st = s.value("state", std::string());
    if (!states.count(st)) return false;
    std::printf("%s\n", render::sanitize(st).c_str());
    return true;
  };
  bool present = false;
  for (auto& s : list)
    if (s.value("id", std::string()) == rec.id) {
      present = true;
      if (reached(s)) return 0;
    }
  if (!present) throw CommandError("no session " + rec.id);
  while (true) {
    int left = -1;
    if (timeout_s >= 0) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
      if (ms <= 0) break;
      left = int(std::min<int64_t>(ms, 1 << 30));
    }
    bool timed_out = false;
    std::string err;
    auto ev = watch.next(left, &timed_out, &err);
    if (timed_out) break;
    if (!ev) throw CommandError("lost the background service: " + err);
    if (auto it = ev->find("removed"); it != ev->end() && *it == rec.id)
      throw CommandError("session " + rec.id + " was removed");
    if (auto it = ev->find("session"); it != ev->end() && it->is_object() && it->value("id", std::string()) == rec.id) {
      if (reached(*it)) return 0;
    } else if (auto a = ev->find("sessions"); a != ev->end() && a->is_array()) {
      bool still = false;
      for (auto& s : *a)
        if (s.value("id", std::string()) == rec.id) {
          still = true;
          if (reached(s)) return 0;
        }
      if (!still) throw CommandError("session " + rec.id + " was removed");
    }
  }
  std::string list_s;
  for (auto& s : states) list_s += (list_s.empty() ? "" : ",") + s;
  std::fprintf(stderr, "amux: timed out: session %s is not %s\n", rec.id.c_str(), list_s.c_str());
  return kTimedOut;
}

// What a finished session's record says about its end.
std::string exit_text(const mux::SessionRecord& r) {
  if (r.signal) return "signal " + std::to_string(*r.signal);
  if (r.exit_code) return "exit " + std::to_string(*r.exit_code);
  return r.detail;
}

// From the record alone (the host is gone).
json explain_from_record(const mux::SessionRecord& rec) {
  auto h = mux::StateHistory::from_json(rec.transitions);
  json r = {{"ok", true},
            {"id", rec.id},
            {"name", rec.name},
            {"state", mux::state_name(rec.state)},
            {"detail", rec.detail},
            {"transitions", h.to_json()}};
  if (!rec.waiting_for.empty()) r["waitingFor"] = rec.waiting_for;
  const mux::StateTransition* last = h.entries().empty() ? nullptr : &h.entries().back();
  if (last && last->state == rec.state) {
    r["since"] = last->at;
    r["source"] = last->source;
    r["evidence"] = last->evidence;
  } else {
    r["since"] = rec.finished_at ? rec.finished_at : rec.updated_at;
    r["source"] = mux::state_is_live(rec.state) ? "record" : "exit";
    r["evidence"] = mux::state_is_live(rec.state) ? "the session host is not running" : exit_text(rec);
  }
  return r;
}

json explain_json(Context& ctx, const mux::SessionRecord& rec) {
  if (rec.host_pid > 0 && mux::process_alive(rec.host_pid, rec.host_start_time)) {
    mux::HostClient hc;
    std::string sock = rec.socket.empty() ? ctx.paths.host_socket(rec.id) : rec.socket;
    if (hc.connect(sock, 3000).empty()) {
      auto r = hc.request({{"op", mux::op_name(mux::Op::Explain)}}, 10000);
      if (r.value("ok", false)) return r;
    }
  }
  // The host has gone meanwhile (or is older than explain): its record.
  auto fresh = mux::load_record(ctx.paths, rec.id);
  return explain_from_record(fresh ? *fresh : rec);
}

std::string clock_time(int64_t ms) {
  std::time_t t = std::time_t(ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string ago(int64_t ms) {
  int64_t s = std::max<int64_t>(0, (mux::now_ms() - ms) / 1000);
  if (s < 60) return std::to_string(s) + "s ago";
  if (s < 3600) return std::to_string(s / 60) + "m " + std::to_string(s % 60) + "s ago";
  if (s < 86400) return std::to_string(s / 3600) + "h " + std::to_string(s / 60 % 60) + "m ago";
  return std::to_string(s / 86400) + "d ago";
}

const char* source_label(const std::string& s) {
  if (s == "notify") return "hook/notify";
  if (s == "notification") return "OSC notification";
  if (s == "screen") return "screen pattern";
  if (s == "probe") return "tty probe";
  if (s == "output") return "output activity";
  if (s == "exit") return "exit status";
  if (s == "start") return "start";
  return "record";
}

void print_explain(const json& r) {
  auto str = [&](const json& j, const char* k) { return render::sanitize(j.value(k, std::string())); };
  std::string head = str(r, "id") + " " + str(r, "name") + ": " + str(r, "state");
  if (r.contains("waitingFor")) head += " (waiting for " + str(r, "waitingFor") + ")";
  if (r.contains("since")) {
    int64_t since = r.value("since", int64_t(0));
    head += " since " + clock_time(since) + " (" + ago(since) + ")";
  }
  std::printf("%s\n", head.c_str());
  std::printf("decided by: %s — %s\n", source_label(r.value("source", std::string())), str(r, "evidence").c_str());
  if (!r.value("detail", std::string()).empty()) std::printf("detail: %s\n", str(r, "detail").c_str());
  const auto& t = r["transitions"];
  if (!t.is_array() || t.empty()) return;
  std::printf("last %zu transitions, oldest first:\n", t.size());
  for (auto& e : t) {
    std::string st = str(e, "state");
    if (e.contains("waitingFor")) st += " (" + str(e, "waitingFor") + ")";
    std::string line = "  " + clock_time(e.value("at", int64_t(0))) + "  " + render::fit_pad(st, 22, false) + " " +
                       render::fit_pad(source_label(e.value("source", std::string())), 17, false) + " " +
                       str(e, "evidence");
    std::printf("%s\n", line.c_str());
  }
}

}  // namespace

void register_script(CLI::App& app, Context& ctx) {
  static std::string wtarget;
  static std::vector<std::string> wstates;
  static double timeout_s = -1;
  auto* w = app.add_subcommand("wait", "wait until a session is in one of the states (exit 0; 124 on timeout)");
  w->add_option("session", wtarget, "id, id prefix or part of a name")->required();
  w->add_option("--state", wstates, "states to wait for, comma-separated (default: blocked,idle,done,failed,stopped)")
      ->delimiter(',');
  w->add_option("--timeout", timeout_s, "give up after SEC seconds (exit 124)")->check(CLI::NonNegativeNumber);
  w->callback([&ctx]() {
    auto states = parse_states(wstates);  // bad usage before anything else
    ctx.load();
    if (forward_if_remote(ctx, wtarget)) return;  // NAME:<id>: the remote amux waits
    if (int rc = wait_for(ctx, wtarget, states, timeout_s); rc != 0) throw CommandError("", rc);
  });

  static std::string etarget;
  static bool ejson = false;
  auto* e = app.add_subcommand("explain", "why a session is in its state, and its last transitions");
  e->add_option("session", etarget, "id, id prefix or part of a name")->required();
  e->add_flag("--json", ejson, "print it as JSON");
  e->callback([&ctx]() {
    ctx.load();
    if (forward_if_remote(ctx, etarget)) return;
    auto rec = ctx.resolve(etarget);
    json r = explain_json(ctx, rec);
    r.erase("ok");
    if (ejson) {
      std::cout << render::json_safe(r.dump(2, ' ', false, json::error_handler_t::replace)) << "\n";
      return;
    }
    print_explain(r);
  });
}

}  // namespace amux::cli
