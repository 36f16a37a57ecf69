// host_follow.cpp — see host_follow.h.
#include "mux/remote/host_follow.h"

#include "mux/remote/host_rows.h"
#include "mux/remote/ssh_command.h"

namespace amux::mux {

HostFollow::HostFollow(uv_loop_t* loop, const Paths& p, HostEntry host, Callbacks cb)
    : loop_(loop), paths_(p), host_(std::move(host)), cb_(std::move(cb)), timer_(std::make_unique<uv_timer_t>()) {
  uv_timer_init(loop_, timer_.get());
  timer_->data = this;
}

HostFollow::~HostFollow() {
  call_.reset();
  uv_timer_t* t = timer_.release();
  uv_close(reinterpret_cast<uv_handle_t*>(t),
           [](uv_handle_t* h) { std::unique_ptr<uv_timer_t> free_it(reinterpret_cast<uv_timer_t*>(h)); });
}

uint64_t HostFollow::backoff_ms(int tries) {
  uint64_t ms = 1000;
  for (int i = 1; i < tries && ms < 30000; i++) ms *= 2;
  return std::min<uint64_t>(ms, 30000);
}

void HostFollow::start() { run(); }

void HostFollow::retry_now() {
  tries_ = 0;
  if (call_ && call_->running()) return;
  uv_timer_stop(timer_.get());
  run();
}

void HostFollow::run() {
  call_ = std::make_unique<SshCall>();
  call_->start(
      loop_, ssh_argv(paths_, host_, {"agents", "--json", "--all", "--follow"}),
      [this](std::string_view l) { on_line(l); }, [this](const SshCallResult& r) { on_end(r); }, 0);
}

void HostFollow::on_line(std::string_view line) {
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (!j.is_object()) return;
  std::string ev = j.value("event", std::string());
  if (ev == "list" && j.contains("sessions")) {
    up_ = true;
    tries_ = 0;
    auto rows = tag_host(j["sessions"], host_.name);
    save_host_rows(paths_, host_.name, rows);
    if (cb_.on_list) cb_.on_list(rows);
  } else if (ev == "removed") {
    if (cb_.on_removed && j.contains("id") && j["id"].is_string()) cb_.on_removed(j["id"].get<std::string>());
  } else if (j.contains("session") && j["session"].is_object()) {
    nlohmann::json s = j["session"];
    s["host"] = host_.name;
    if (cb_.on_session) cb_.on_session(s);
  }
}

void HostFollow::on_end(const SshCallResult& r) {
  up_ = false;
  std::string why = !r.error.empty() ? r.error : ssh_failure(host_, r.exit_code, r.err);
  if (why.empty()) {
    std::string last = last_error_line(r.err);
    why = "host '" + host_.name + "': " + (last.empty() ? "the connection ended" : last);
  }
  tries_++;
  if (cb_.on_down) cb_.on_down(why);
  uv_timer_start(timer_.get(), [](uv_timer_t* t) { static_cast<HostFollow*>(t->data)->run(); }, backoff_ms(tries_), 0);
}

}  // namespace amux::mux
