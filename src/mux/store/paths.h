// paths.h — where amux keeps its files and sockets (docs/architecture.md §4).
//
// Config dir: $AMUX_CONFIG_DIR, else ~/.amux. Sockets live in a private
// directory derived from a hash of the config dir, so two config dirs are two
// separate instances: $XDG_RUNTIME_DIR/amux/<hash>/ or /tmp/amux-<uid>/<hash>/,
// mode 0700 and owned by the user (checked; a wrong owner or mode is an error).
#pragma once

#include <string>

namespace amux::mux {

struct Paths {
  std::string config_dir;   // absolute
  std::string socket_dir;   // absolute, short enough for sun_path

  static Paths from_env();  // honours AMUX_CONFIG_DIR, HOME, XDG_RUNTIME_DIR

  std::string jobs_dir() const { return config_dir + "/jobs"; }
  // The builders that take a session id refuse anything but a session id
  // (8 hex digits, is_session_id): they throw std::invalid_argument, so a
  // name like "../../x" from a request or a file never becomes a path.
  std::string job_dir(const std::string& id) const;
  std::string state_file(const std::string& id) const { return job_dir(id) + "/state.json"; }
  std::string pins_file() const { return jobs_dir() + "/pins.json"; }
  std::string daemon_dir() const { return config_dir + "/daemon"; }
  std::string roster_file() const { return daemon_dir() + "/roster.json"; }
  std::string daemon_log() const { return config_dir + "/daemon.log"; }
  std::string daemon_lock() const { return config_dir + "/daemon.lock"; }
  std::string config_file() const { return config_dir + "/config.toml"; }
  std::string keymap_file() const { return config_dir + "/keymap.toml"; }
  std::string buffer_file() const { return config_dir + "/buffer"; }  // copy mode's last copy
  std::string control_socket() const { return socket_dir + "/control.sock"; }
  std::string host_socket(const std::string& id) const;

  // Create the config dir and the socket dir (0700) and verify the socket
  // dir's owner and mode. Returns "" or a one-line error.
  std::string ensure() const;
};

// Max usable unix socket path length (sizeof(sun_path) - 1).
size_t max_socket_path();

}  // namespace amux::mux
