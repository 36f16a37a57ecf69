// view_attention.cpp — the agent view tells the person when a session they
// are not looking at needs them or finished (attention.h decides when,
// notify_out.h how).
//
// Why: the view is where a person waits for their agents; a notification
// (or a bell) lets them look elsewhere meanwhile. The selected row (also the
// one peeked at) is in front of them and is never announced.
#include <algorithm>

#include "mux/store/session_record.h"
#include "view/notify_out.h"
#include "view/text_util.h"
#include "view/view_app.h"

namespace amux::view {

void App::attention_update(const nlohmann::json& session) {
  attention.update(session, mux::now_ms());
  if (auto due = attention.next_due()) {
    int64_t wait = std::max<int64_t>(0, *due - mux::now_ms());
    uv_timer_start(&attention_timer, [](uv_timer_t* t) { of(t)->on_attention_due(); }, uint64_t(wait), 0);
  }
}

void App::on_attention_due() {
  const int64_t now = mux::now_ms();
  const std::string selected = model.selected();
  auto calls = attention.due(now, [&](const std::string& id) { return id == selected; });
  std::string mode = config.notify;
  if (mode == "bell" && !config.bell_on_blocked) mode = "off";  // the older switch
  for (auto& c : calls) {
    write_out(notification_bytes(mode, c));
    if (std::string err = run_notify_command(config.notify_command, c); !err.empty())
      ctl->set_status(sanitize(err), true, now);
  }
  if (auto due = attention.next_due())
    uv_timer_start(&attention_timer, [](uv_timer_t* t) { of(t)->on_attention_due(); },
                   uint64_t(std::max<int64_t>(0, *due - now)), 0);
}

}  // namespace amux::view
