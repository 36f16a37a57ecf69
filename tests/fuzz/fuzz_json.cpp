// fuzz_json.cpp — the JSON amux reads that another program wrote: an agent
// hook's event payload (`amux notify --hook`), a session's record on disk,
// the supervisor's roster and pins, the host's spec, a session as the view
// gets it.
//
// Why: hook payloads come from the agent CLIs (any version, any content),
// records and roster files from any amux version sharing the config dir (or
// a person's editor). Each reader must either take the value or refuse it
// with its documented error: nullopt or "not JSON" for a hook, a record
// that does not load (load_record's error), an empty roster; never a crash or
// undefined behaviour. What loads is written back and must load again.
//
// Input: [selector] then the JSON text. Selector / 8 % 8: 0 claude hook,
// 1 codex, 2 gemini, 3 a record file, 4 a session (view), 5 roster.json,
// 6 pins.json, 7 a host spec.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "fuzz/fuzz_check.h"
#include "mux/agents/hook_report.h"
#include "mux/store/atomic_file.h"
#include "mux/store/host_spec.h"
#include "mux/store/roster.h"
#include "mux/store/session_record.h"
#include "mux/wire/session_view.h"
#include "view/session_info.h"

namespace fuzz_json {

// A private config dir, made once per process, removed at exit.
const amux::mux::Paths& paths() {
  static const amux::mux::Paths p = [] {
    std::string tmpl = std::filesystem::temp_directory_path().string() + "/amux-fuzz-json.XXXXXX";
    FUZZ_CHECK(::mkdtemp(tmpl.data()) != nullptr, "mkdtemp");
    amux::mux::Paths q;
    q.config_dir = tmpl;
    q.socket_dir = tmpl;
    std::filesystem::create_directories(q.jobs_dir() + "/1a2b3c4d");
    std::filesystem::create_directories(q.daemon_dir());
    static const std::string dir = tmpl;
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    });
    return q;
  }();
  return p;
}

void put(const std::string& file, const std::string& text) {
  FUZZ_CHECK(amux::mux::write_file_atomic(file, text, 0600) == 0, "cannot write " + file);
}

}  // namespace fuzz_json

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace amux::mux;
  using nlohmann::json;
  amux::fuzz::Bytes in(data, size);
  const int sel = (in.byte() / 8) % 8;
  const std::string text(in.rest());
  switch (sel) {
    case 0:
    case 1:
    case 2: {
      // As `amux notify --hook` reads it.
      json j = json::parse(text, nullptr, false);
      if (j.is_discarded()) break;
      static const char* kAgents[] = {"claude", "codex", "gemini"};
      auto rep = hook_report(kAgents[sel], j);
      if (rep) {
        FUZZ_CHECK(rep->state == SessionState::Working || rep->state == SessionState::Blocked ||
                       rep->state == SessionState::Idle,
                   "a hook reported a state the host refuses");
        FUZZ_CHECK(rep->detail.find('\n') == std::string::npos, "a detail of several lines");
        // The request it becomes is encoded with invalid UTF-8 replaced.
        (void)json({{"op", "notify"}, {"detail", rep->detail}}).dump(-1, ' ', false, json::error_handler_t::replace);
      }
      break;
    }
    case 3: {
      const Paths& p = fuzz_json::paths();
      fuzz_json::put(p.state_file("1a2b3c4d"), text);
      std::string err;
      auto r = load_record(p, "1a2b3c4d", &err);
      if (!r) {
        FUZZ_CHECK(!err.empty(), "a record refused without a reason");
        break;
      }
      FUZZ_CHECK(r->id == "1a2b3c4d", "a record loaded under another id");
      (void)session_json(*r, true);
      (void)state_label(r->state);
      FUZZ_CHECK(save_record(p, *r) == 0, "cannot save a loaded record");
      auto again = load_record(p, "1a2b3c4d", &err);
      FUZZ_CHECK(again.has_value(), "a saved record does not load: " + err);
      FUZZ_CHECK(again->state == r->state && again->name == r->name && again->argv == r->argv,
                 "a record changed on the way through the disk");
      (void)load_all_records(p);
      break;
    }
    case 4: {
      json j = json::parse(text, nullptr, false);
      if (j.is_discarded()) break;
      try {
        auto s = amux::view::SessionInfo::from_json(j);
        (void)amux::view::row_detail(s, false);
        (void)s.age_ms(1733300000000);
      } catch (const json::exception&) {
      }
      break;
    }
    case 5: {
      const Paths& p = fuzz_json::paths();
      fuzz_json::put(p.roster_file(), text);
      json r = load_roster(p);
      FUZZ_CHECK(r.is_object(), "the roster is not an object");
      r["pid"] = 1;
      FUZZ_CHECK(save_roster(p, r) == 0, "cannot save the roster");
      break;
    }
    case 6: {
      const Paths& p = fuzz_json::paths();
      fuzz_json::put(p.pins_file(), text);
      auto pins = load_pins(p);
      FUZZ_CHECK(save_pins(p, pins) == 0, "cannot save the pins");
      FUZZ_CHECK(load_pins(p) == pins, "pins changed on the way through the disk");
      break;
    }
    case 7: {
      json j = json::parse(text, nullptr, false);
      if (j.is_discarded()) break;
      try {
        HostSpec s = host_spec_from_json(j);
        HostSpec back = host_spec_from_json(host_spec_to_json(s));
        FUZZ_CHECK(back.scrollback_lines == s.scrollback_lines && back.escape_time_ms == s.escape_time_ms,
                   "host spec round trip");
      } catch (const std::runtime_error&) {
      }
      break;
    }
  }
  return 0;
}
