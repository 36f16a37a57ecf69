// dispatch.cpp — see dispatch.h.
#include "mux/dispatch.h"

#include <unistd.h>

#include <filesystem>

#include "mux/daemon_client.h"

namespace amux::mux {
namespace {

std::string shell_path() {
  if (access("/bin/bash", X_OK) == 0) return "/bin/bash";
  return "/bin/sh";
}

std::string resolve_cwd(const std::string& in) {
  std::error_code ec;
  std::filesystem::path cwd = in.empty() ? std::filesystem::current_path(ec) : std::filesystem::path(in);
  cwd = std::filesystem::absolute(cwd, ec);
  if (!std::filesystem::is_directory(cwd, ec)) throw DispatchError("no such directory: " + cwd.string());
  std::string s = cwd.lexically_normal().string();
  if (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

std::string name_from_text(const std::string& text) {
  std::string s = text.substr(0, text.find('\n'));
  for (auto& c : s)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  size_t b = s.find_first_not_of(' ');
  s = b == std::string::npos ? "" : s.substr(b);
  if (s.size() > 40) {
    s.resize(40);
    while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80) s.pop_back();
    if (!s.empty()) s.pop_back();
    s += "…";
  }
  return s.empty() ? "job" : s;
}

SessionRecord dispatch_session(const Paths& paths, const Config& config, const NewSession& req) {
  SessionRecord r;
  r.cwd = resolve_cwd(req.cwd);
  r.rows = config.rows;
  r.cols = config.cols;
  if (req.shell) {
    if (req.command.empty()) throw DispatchError("nothing to run: the command is empty");
    r.kind = "shell";
    r.agent = "shell";
    r.prompt = req.command;
    r.argv = {shell_path(), "-c", req.command};
    r.name = req.name.empty() ? name_from_text(req.command) : req.name;
  } else {
    throw DispatchError("agent sessions are not available yet; run a shell job with --exec 'command'");
  }
  r.name_source = req.name.empty() ? "auto" : "user";
  auto resp = supervisor_request(paths, {{"op", "dispatch"}, {"record", r.to_json()}});
  if (!resp.value("ok", false)) throw DispatchError(resp.value("error", std::string("dispatch failed")));
  return SessionRecord::from_json(resp["record"]);
}

}  // namespace amux::mux
