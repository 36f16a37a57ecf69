// view_hints.cpp — what the agent view tells the person about its keys: the
// hint line under the prompt box and the shortcuts overlay.
//
// Why: every key named on screen comes from the live [view] bindings, so a
// rebound key shows as bound; the wording depends on the mode and on what is
// selected, which only the controller knows.
#include "view/view_controller.h"

namespace amux::view {

std::string Controller::hint_line() const {
  auto L = [&](const char* a) { return actions_.label(a); };
  const SessionInfo* sel = m_.selected().empty() ? nullptr : m_.find(m_.selected());
  switch (mode_) {
    case Mode::Find:
      if (!armed_id_.empty()) return L("remove") + " again to delete · " + L("cancel") + " to keep";
      return L("submit") + " to attach · " + L("cancel") + " to clear · a: agent  s: state  #n  url  text";
    case Mode::Rename:
      return L("submit") + " to save · " + L("cancel") + " to cancel";
    case Mode::Peek:
      if (!armed_id_.empty()) return L("remove") + " again to delete · " + L("cancel") + " to keep";
      if (reply_.empty())
        return L("submit") + " to attach · type a reply · ↑/↓ for neighbours · " + L("cancel") + " to close";
      return L("submit") + " to send · ↑/↓ for neighbours · " + L("cancel") + " to clear";
    case Mode::ConfirmDelete: {
      const SessionInfo* s = m_.find(armed_id_);
      std::string wt = s ? s->worktree : std::string();
      return "Delete it and its worktree " + wt + " with any uncommitted work? " + L("submit") +
             " to delete · " + L("cancel") + " to keep";
    }
    case Mode::Help:
      return L("help") + " to close";
    default:
      break;
  }
  if (!armed_id_.empty()) {
    const SessionInfo* s = m_.find(armed_id_);
    std::string pre = s && (s->state == State::Stopped) ? "stopped · " : "";
    return pre + L("remove") + " again to delete · " + L("cancel") + " to keep";
  }
  if (!prompt_.empty()) {
    std::string t = prompt_.text();
    std::string what = t[0] == '!' ? "run the shell job" : "start";
    return L("submit") + " to " + what + " · " + L("submit-attach") + " to " + what + " and attach · " +
           L("newline") + " for a new line · " + L("cancel") + " to clear";
  }
  if (!sel) return "type a task · !command for a shell job · " + L("help") + " for shortcuts";
  return L("open") + (returned_ ? " to return · " : " to attach · ") + L("peek") + " to peek · " +
         L("remove") + (sel->alive || state_live(sel->state) ? " to stop" : " to delete") + " · " +
         L("help") + " for shortcuts";
}

std::vector<std::pair<std::string, std::string>> Controller::help_entries() const {
  static const std::vector<std::pair<const char*, const char*>> what = {
      {"up", "move up"},
      {"down", "move down"},
      {"group-up", "previous group"},
      {"group-down", "next group"},
      {"open", "attach"},
      {"open-1", "attach the nth session"},
      {"peek", "peek and reply"},
      {"diff", "the session's worktree diff"},
      {"pin", "pin to top"},
      {"rename", "rename"},
      {"remove", "stop, again to delete"},
      {"group-by", "by state / by directory"},
      {"layout", "rows / grid"},
      {"find", "find"},
      {"submit", "start a session"},
      {"submit-attach", "start and attach"},
      {"newline", "new line"},
      {"restore", "restore cleared text"},
      {"suspend", "suspend"},
      {"redraw", "redraw"},
      {"help", "shortcuts"},
      {"cancel", "clear, close, quit"},
  };
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& [a, w] : what) {
    auto labels = actions_.labels(a);
    if (labels.empty()) continue;
    std::string keys;
    for (auto& l : labels) keys += (keys.empty() ? "" : "/") + l;
    if (std::string(a) == "open-1") {
      auto last = actions_.labels("open-9");
      if (!last.empty()) keys += "…" + last[0].substr(last[0].size() - 1);
    }
    out.push_back({keys, w});
  }
  return out;
}

}  // namespace amux::view
