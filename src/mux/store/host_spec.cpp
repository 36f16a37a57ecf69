// host_spec.cpp — jobs/<id>/host.json, written by the launcher, read by the
// session host (see host_spec.h).
#include "mux/store/host_spec.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "mux/store/atomic_file.h"

namespace amux::mux {

using nlohmann::json;

json host_spec_to_json(const HostSpec& s) {
  json j = {{"scrollbackLines", s.scrollback_lines},
            {"shellLinger", s.shell_linger},
            {"stoppedLinger", s.stopped_linger},
            {"idleAgent", s.idle_agent},
            {"escapeTimeMs", s.escape_time_ms},
            {"stateHoldMs", s.state_hold_ms},
            {"syncHoldMs", s.sync_hold_ms},
            {"screen", screen_patterns_to_json(s.screen)}};
  if (!s.screen_note.empty()) j["screenNote"] = s.screen_note;
  return j;
}

HostSpec host_spec_from_json(const json& j) {
  if (!j.is_object()) throw std::runtime_error("expected an object");
  HostSpec s;
  auto number = [&](const char* key, double& out) {
    if (!j.contains(key)) return;
    if (!j[key].is_number()) throw std::runtime_error(std::string(key) + ": expected a number");
    out = j[key].get<double>();
  };
  if (j.contains("scrollbackLines")) {
    if (!j["scrollbackLines"].is_number_unsigned()) throw std::runtime_error("scrollbackLines: expected a count");
    s.scrollback_lines = j["scrollbackLines"].get<size_t>();
  }
  number("shellLinger", s.shell_linger);
  number("stoppedLinger", s.stopped_linger);
  number("idleAgent", s.idle_agent);
  auto millis = [&](const char* key, int& out) {
    if (!j.contains(key)) return;
    const json& v = j[key];
    if (!v.is_number_unsigned() || v.get<uint64_t>() > 3600000u)
      throw std::runtime_error(std::string(key) + ": expected milliseconds (0 to 3600000)");
    out = int(v.get<uint64_t>());
  };
  millis("escapeTimeMs", s.escape_time_ms);
  millis("stateHoldMs", s.state_hold_ms);
  millis("syncHoldMs", s.sync_hold_ms);
  if (j.contains("screen")) s.screen = screen_patterns_from_json(j["screen"]);
  if (j.contains("screenNote") && j["screenNote"].is_string()) s.screen_note = j["screenNote"].get<std::string>();
  return s;
}

std::string host_spec_file(const Paths& p, const std::string& id) { return p.job_dir(id) + "/host.json"; }

int save_host_spec(const Paths& p, const std::string& id, const HostSpec& s) {
  if (int rc = make_dirs(p.job_dir(id)); rc < 0) return rc;
  return write_file_atomic(host_spec_file(p, id), host_spec_to_json(s).dump(2) + "\n");
}

std::optional<HostSpec> load_host_spec(const Paths& p, const std::string& id, std::string* err) {
  const std::string path = host_spec_file(p, id);
  errno = 0;
  auto text = read_file(path);
  if (!text) {
    if (err) *err = "cannot read " + path + ": " + std::strerror(errno ? errno : EIO);
    return std::nullopt;
  }
  try {
    return host_spec_from_json(json::parse(*text));
  } catch (const std::exception& e) {
    if (err) *err = path + ": " + e.what();
    return std::nullopt;
  }
}

}  // namespace amux::mux
