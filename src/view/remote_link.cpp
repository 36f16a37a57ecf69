// remote_link.cpp — the agent view's other machines: one follower per
// configured host, and what the keys do on a remote row.
//
// Why: the view shows every host's sessions beside the local ones. Each
// host is followed over its ssh master (mux/remote/host_follow.h); when it
// cannot be reached its rows stay, marked unreachable with the reason, and
// come back with the next list. Stop, delete, pin, rename and reply on a
// remote row run the remote amux with the same words, asynchronously (ssh
// child processes on the loop), and a dispatch with `@host` starts the
// session there. Attach hands the terminal to `ssh -t … amux attach`.
#include <ncurses.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "mux/remote/host_rows.h"
#include "mux/remote/ssh_command.h"
#include "mux/remote/ssh_run.h"
#include "view/text_util.h"
#include "view/view_app.h"

namespace amux::view {

void App::follow_hosts() {
  for (const auto& h : config.hosts) {
    std::string name = h.name;
    mux::HostFollow::Callbacks cb;
    cb.on_list = [this, name](const nlohmann::json& sessions) {
      std::vector<SessionInfo> rows;
      for (auto& s : sessions) {
        try {
          rows.push_back(SessionInfo::from_json(s));
        } catch (...) {
        }
      }
      model.set_host(name, std::move(rows));
      request_frame();
    };
    cb.on_session = [this](const nlohmann::json& s) {
      SessionInfo i;
      try {
        i = SessionInfo::from_json(s);
      } catch (...) {
        return;
      }
      auto prev = model.upsert(i);
      if (i.state == State::Blocked && (!prev || *prev != State::Blocked) && config.bell_on_blocked) beep();
      request_frame();
    };
    cb.on_removed = [this, name](const std::string& id) {
      if (model.remove(name + ":" + id)) request_frame();
    };
    cb.on_down = [this, name](const std::string& reason) { host_down(name, reason); };
    remote_hosts.push_back(std::make_unique<mux::HostFollow>(&loop, paths, h, std::move(cb)));
    remote_hosts.back()->start();
  }
}

// Every row of the host stays, as unreachable with the reason; a host
// never seen gets one row of its own (its last list is kept on disk).
void App::host_down(const std::string& host, const std::string& reason) {
  std::vector<SessionInfo> rows;
  for (auto& [id, s] : model.sessions())
    if (s.host == host && !s.remote_id.empty()) {
      SessionInfo c = s;
      c.state = State::Unreachable;
      c.detail = sanitize(reason);
      c.alive = false;
      rows.push_back(std::move(c));
    }
  if (rows.empty())
    for (auto& s : mux::unreachable_rows(mux::load_host_rows(paths, host), host, reason)) {
      try {
        rows.push_back(SessionInfo::from_json(s));
      } catch (...) {
      }
    }
  model.set_host(host, std::move(rows));
  request_frame();
}

void App::remote_call(const mux::HostEntry& h, const std::vector<std::string>& args, const std::string& what,
                      std::function<void(bool, const std::string&)> done) {
  uint64_t key = next_call++;
  auto call = std::make_unique<mux::SshCall>();
  mux::SshCall* c = call.get();
  remote_calls[key] = std::move(call);
  mux::HostEntry host = h;
  c->start(
      &loop, mux::ssh_argv(paths, h, args), nullptr,
      [this, key, host, what, done](const mux::SshCallResult& r) {
        bool ok = r.error.empty() && !r.timed_out && r.exit_code == 0;
        if (!quitting) {
          if (!ok) {
            std::string why = !r.error.empty() ? r.error : mux::ssh_failure(host, r.exit_code, r.err);
            if (why.empty()) why = mux::last_error_line(r.err);
            if (r.timed_out) why = "no answer from host '" + host.name + "'";
            ctl->set_status(what + ": " + sanitize(why), true, mux::now_ms());
            request_frame();
          }
          if (done) done(ok, r.out);
        }
        // An SshCall may be destroyed from its own callback (this one runs
        // from a copy).
        remote_calls.erase(key);
      },
      60000);
}

namespace {
// `amux --bg …` words for a session typed in the prompt box. Only what
// means the same on the other machine: the agent and its options, the
// prompt or the command (local files such as --settings stay here).
std::vector<std::string> dispatch_args(const mux::NewSession& n) {
  std::vector<std::string> a{"--bg"};
  auto opt = [&a](const char* flag, const std::string& v) {
    if (!v.empty()) {
      a.push_back(flag);
      a.push_back(v);
    }
  };
  if (n.shell) {
    opt("--exec", n.command);
    return a;
  }
  opt("--agent", n.agent);
  opt("--model", n.model);
  opt("--effort", n.effort);
  opt("--permission-mode", n.permission_mode);
  if (n.skip_permissions) a.push_back("--dangerously-skip-permissions");
  a.push_back(n.prompt);
  return a;
}
}  // namespace

bool App::remote_effect(Effect& e) {
  int64_t now = mux::now_ms();
  if (e.kind == Effect::Dispatch) {
    if (e.host.empty()) return false;
    const mux::HostEntry* h = config.host(e.host);
    if (!h) return false;
    bool attach_after = e.attach;
    std::string host = e.host;
    ctl->set_status("starting on @" + host + "…", false, now);
    remote_call(*h, dispatch_args(e.session), "could not start on @" + host,
                [this, host, attach_after](bool ok, const std::string& out) {
                  if (!ok) return;
                  // "backgrounded · <id> · <name>"
                  const std::string sep = " · ";
                  std::string first = out.substr(0, out.find('\n'));
                  size_t a = first.find(sep), b = a == std::string::npos ? a : first.find(sep, a + sep.size());
                  if (b == std::string::npos) return;
                  SessionInfo s;
                  s.host = host;
                  s.remote_id = first.substr(a + sep.size(), b - a - sep.size());
                  s.id = host + ":" + s.remote_id;
                  s.name = sanitize(first.substr(b + sep.size()));
                  s.created_at = mux::now_ms();
                  if (!model.find(s.id)) model.upsert(s);
                  model.select(s.id);
                  ctl->set_status("started " + s.name + " on @" + host, false, mux::now_ms());
                  request_frame();
                  if (attach_after) attach_remote(s);
                });
    request_frame();
    return true;
  }
  const SessionInfo* s = model.find(e.id);
  if (!s || s->host.empty()) return false;
  const mux::HostEntry* h = config.host(s->host);
  if (!h || s->remote_id.empty()) {
    ctl->set_status("@" + s->host + " is not reachable now", true, now);
    request_frame();
    return true;
  }
  std::string rid = s->remote_id, id = s->id, name = s->name;
  switch (e.kind) {
    case Effect::Attach: attach_remote(*s); break;
    case Effect::Stop: remote_call(*h, {"stop", rid}, "could not stop " + name); break;
    case Effect::Remove: {
      std::vector<std::string> a{"rm", "--force", rid};
      if (e.discard_worktree) a.push_back("--discard");
      remote_call(*h, a, "could not delete " + name, [this, id, name](bool ok, const std::string&) {
        if (!ok) return;
        model.remove(id);
        ctl->set_status("deleted " + name, false, mux::now_ms());
        request_frame();
      });
      break;
    }
    case Effect::Pin:
    case Effect::Unpin: {
      SessionInfo c = *s;
      c.pinned = e.kind == Effect::Pin;
      model.upsert(c);
      remote_call(*h, {c.pinned ? "pin" : "unpin", rid}, "could not pin " + name);
      break;
    }
    case Effect::Rename: {
      SessionInfo c = *s;
      c.name = sanitize(e.text);
      model.upsert(c);
      remote_call(*h, {"rename", rid, e.text}, "could not rename " + name);
      break;
    }
    case Effect::Reply:
      remote_call(*h, {"reply", rid, e.text}, "could not reply to " + name, [this, name](bool ok, const std::string&) {
        if (!ok) return;
        ctl->set_status("sent to " + name, false, mux::now_ms());
        request_frame();
      });
      break;
    default: return false;
  }
  request_frame();
  return true;
}

// The terminal goes to `ssh -t <host> amux attach <id>` (the remote amux
// reads the detach keys); the view comes back when it ends.
void App::attach_remote(const SessionInfo& s) {
  const mux::HostEntry* h = config.host(s.host);
  if (!h) return;
  int64_t now = mux::now_ms();
  feeds.clear();
  leave_screen();
  model.select(s.id);
  mux::SshOptions o;
  o.tty = true;
  // This machine's attach keys go along, so the detach key typed here works there.
  auto r = mux::run_ssh(mux::ssh_argv(paths, *h, {"attach", "--keys", keys.to_toml("attach"), s.remote_id}, o), false,
                        mux::SshStdin::Inherit);
  std::string error = !r.error.empty() ? r.error : mux::ssh_failure(*h, r.exit_code, r.err);
  if (error.empty() && r.exit_code != 0) error = mux::last_error_line(r.err);
  return_to_screen();
  ctl->set_returned(true);
  if (!error.empty()) ctl->set_status(sanitize(error), true, now);
}

}  // namespace amux::view
