// attach_notices.cpp — see attach_notices.h.
#include "view/attach_notices.h"

#include <algorithm>

#include "mux/store/session_record.h"
#include "mux/wire/ops.h"
#include "view/notify_out.h"

namespace amux::view {

namespace {
mux::Config load(const mux::Paths& paths) {
  try {
    return mux::load_config(paths.config_file());
  } catch (const std::exception&) {
    return {};  // the command that started this already reported a bad file
  }
}
}  // namespace

AttachNotices::AttachNotices(uv_loop_t* loop, uv_timer_t* timer, const mux::Paths& paths, std::string own_id,
                             std::function<void(const std::string&)> emit)
    : timer_(timer),
      own_id_(std::move(own_id)),
      emit_(std::move(emit)),
      config_(load(paths)),
      attention_(config_.state_hold_ms) {
  timer_->data = this;
  std::string mode = config_.notify;
  if (mode == "bell" && !config_.bell_on_blocked) mode = "off";
  config_.notify = mode;
  if (mode == "off" && config_.notify_command.empty()) return;  // nothing to tell with
  // No supervisor running: no sessions to tell about (it is not started for this).
  link_ = std::make_unique<Link>(
      loop, paths.control_socket(), [this](mux::Frame& f) { on_frame(f); }, [](const std::string&) {});
  link_->send_json(mux::MsgType::Request, {{"op", mux::op_name(mux::Op::Watch)}});
  link_->send_json(mux::MsgType::Request, {{"op", mux::op_name(mux::Op::List)}, {"all", true}});
}

AttachNotices::~AttachNotices() {
  link_.reset();
  if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(timer_))) uv_timer_stop(timer_);
}

void AttachNotices::on_frame(mux::Frame& f) {
  nlohmann::json j;
  try {
    j = f.json();
  } catch (...) {
    return;
  }
  if (f.type == mux::MsgType::Response) {
    if (++answers_ == 2) attention_.reset(j.value("sessions", nlohmann::json::array()));
    return;
  }
  if (f.type != mux::MsgType::Event || answers_ < 2) return;
  if (auto it = j.find("session"); it != j.end() && it->is_object()) {
    attention_.update(*it, mux::now_ms());
  } else if (auto r = j.find("removed"); r != j.end() && r->is_string()) {
    attention_.removed(r->get<std::string>());
  } else if (auto a = j.find("sessions"); a != j.end() && a->is_array()) {
    for (auto& s : *a) attention_.update(s, mux::now_ms());
  }
  arm();
}

void AttachNotices::arm() {
  auto due = attention_.next_due();
  if (!due) return;
  uv_timer_start(timer_, [](uv_timer_t* t) { static_cast<AttachNotices*>(t->data)->on_due(); },
                 uint64_t(std::max<int64_t>(0, *due - mux::now_ms())), 0);
}

void AttachNotices::on_due() {
  auto calls = attention_.due(mux::now_ms(), [this](const std::string& id) { return id == own_id_; });
  for (auto& c : calls) {
    if (std::string b = notification_bytes(config_.notify, c); !b.empty()) emit_(b);
    run_notify_command(config_.notify_command, c);
  }
  arm();
}

}  // namespace amux::view
