// oracle_rig.cpp — see oracle_rig.h.
#include "support/oracle_rig.h"

#include <stdlib.h>

#include <fstream>

#include <gtest/gtest.h>

namespace amux::test {

namespace fs = std::filesystem;

OracleRig::OracleRig() : tmux_(kCols, kRows, "cat") {
  char tmpl[] = "/tmp/amux-oracle-XXXXXX";
  dir_ = mkdtemp(tmpl);
  files_ = dir_ / "files";
  home_ = dir_ / "home";
  fs::create_directories(files_);
  fs::create_directories(home_);
  fs::create_directories(dir_ / "cases");
  // Sessions run at the plain pane's size while no client is attached too.
  env_.write_config("[session]\nrows = " + std::to_string(kRows) + "\ncols = " + std::to_string(kCols) + "\n");
}

OracleRig::~OracleRig() {
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

bool OracleRig::start(const std::string& name, const std::string& body) {
  const fs::path script = dir_ / "cases" / (name + ".sh");
  {
    // The script runs itself again in the fixed environment.
    std::ofstream out(script);
    out << "if [ -z \"$ORACLE_CASE\" ]; then exec env -i ORACLE_CASE=1 PATH=/usr/local/bin:/usr/bin:/bin"
        << " HOME=" << home_.string() << " TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 SHELL=/bin/sh"
        << " sh \"$0\"; fi\n"
        << "cd " << files_.string() << " || exit 1\n"
        << body << "\n";
  }
  const std::string cmd = "sh " + script.string();
  auto r = tmux_.tmux({"new-session", "-d", "-s", "o-" + name, "-x", std::to_string(kCols), "-y",
                       std::to_string(kRows), cmd});
  if (r.rc != 0) {
    ADD_FAILURE() << "tmux new-session: " << r.err;
    return false;
  }
  std::string id = env_.bg_exec(cmd, name);
  if (id.empty()) return false;
  ids_[name] = id;
  // The attached client, in a pane of the same size on the same server.
  std::string attach;
  for (auto& [k, v] : env_.env()) attach += k + "=" + v + " ";
  r = tmux_.tmux({"new-session", "-d", "-s", "a-" + name, "-x", std::to_string(kCols), "-y",
                  std::to_string(kRows), "env " + attach + amux_bin() + " attach " + id});
  if (r.rc != 0) {
    ADD_FAILURE() << "tmux new-session (attach): " << r.err;
    return false;
  }
  return true;
}

void OracleRig::finish(const std::string& name) {
  auto it = ids_.find(name);
  if (it != ids_.end()) {
    env_.amux({"stop", it->second});
    ids_.erase(it);
  }
  tmux_.tmux({"kill-session", "-t", "a-" + name});
  tmux_.tmux({"kill-session", "-t", "o-" + name});
}

void OracleRig::keys(const std::string& name, const std::vector<std::string>& keys) const {
  for (const char* p : {"o-", "a-"}) {
    std::vector<std::string> a = {"send-keys", "-t", p + name};
    a.insert(a.end(), keys.begin(), keys.end());
    tmux_.tmux(a);
  }
}

void OracleRig::text(const std::string& name, const std::string& text) const {
  for (const char* p : {"o-", "a-"}) tmux_.tmux({"send-keys", "-t", p + name, "-l", text});
}

bool OracleRig::wait_both(const std::string& name, const std::string& text, int timeout_ms) const {
  return wait_until(
      [&] {
        for (const char* p : {"o-", "a-"})
          if (tmux_.tmux({"capture-pane", "-p", "-t", p + name}).out.find(text) == std::string::npos)
            return false;
        return true;
      },
      timeout_ms);
}

std::string OracleRig::panes(const std::string& name) const {
  return "--- tmux pane\n" + tmux_.tmux({"capture-pane", "-p", "-t", "o-" + name}).out +
         "--- amux attach pane\n" + tmux_.tmux({"capture-pane", "-p", "-t", "a-" + name}).out;
}

bool OracleRig::wait_title(const std::string& name, const std::string& title, int timeout_ms) const {
  return wait_until(
      [&] {
        return pane_format("o-" + name, "#{pane_title}") == title &&
               pane_format("a-" + name, "#{pane_title}") == title;
      },
      timeout_ms);
}

std::string OracleRig::pane_format(const std::string& target, const std::string& fmt) const {
  std::string s = tmux_.tmux({"display-message", "-p", "-t", target, fmt}).out;
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

OracleResult OracleRig::compare_once(const std::string& name, bool cursor_and_title) const {
  OracleResult res;
  const std::string oracle_text =
      tmux_.tmux({"capture-pane", "-p", "-e", "-N", "-t", "o-" + name}).out;
  const std::string attach_text =
      tmux_.tmux({"capture-pane", "-p", "-e", "-N", "-t", "a-" + name}).out;
  auto it = ids_.find(name);
  const std::string amux_text = it == ids_.end() ? "" : env_.capture(it->second, true);
  const Grid oracle = parse_capture(oracle_text), attach = parse_capture(attach_text),
             amux = parse_capture(amux_text);
  GridDiff cap = diff_grids(oracle, amux, "tmux", "amux capture");
  GridDiff att = diff_grids(oracle, attach, "tmux", "amux attach");
  res.capture_rows = cap.rows;
  res.attach_rows = att.rows;
  std::string report;
  if (cap.rows) report += "amux capture -e differs from tmux in " + std::to_string(cap.rows) + " rows:\n" + cap.text;
  if (att.rows) report += "amux attach differs from tmux in " + std::to_string(att.rows) + " rows:\n" + att.text;
  if (cursor_and_title) {
    const std::string fmt = "#{cursor_x},#{cursor_y} visible=#{cursor_flag}";
    std::string oc = pane_format("o-" + name, fmt), ac = pane_format("a-" + name, fmt);
    // Where a hidden cursor stands is not seen.
    if (oc.ends_with("visible=0") && ac.ends_with("visible=0")) oc = ac;
    if (oc != ac) {
      res.cursor = 1;
      report += "cursor: tmux " + oc + ", amux attach " + ac + "\n";
    }
    std::string ot = pane_format("o-" + name, "#{pane_title}"), at = pane_format("a-" + name, "#{pane_title}");
    if (ot != at) {
      res.title = 1;
      report += "title: tmux '" + ot + "', amux attach '" + at + "'\n";
    }
  }
  for (const GridRow& r : oracle) res.screen += "|" + show_row(r) + "|\n";
  if (res.total()) report += "--- tmux capture-pane -e\n" + res.screen;
  res.report = report;
  return res;
}

OracleResult OracleRig::compare(const std::string& name, int timeout_ms, bool cursor_and_title) const {
  OracleResult last;
  wait_until(
      [&] {
        last = compare_once(name, cursor_and_title);
        return last.total() == 0;
      },
      timeout_ms);
  return last;
}

}  // namespace amux::test
