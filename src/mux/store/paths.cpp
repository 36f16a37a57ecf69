// paths.cpp — locate the config dir and the private socket dir.
//
// Why: two config dirs must be two independent amux instances (tests rely on
// it), so the socket dir is keyed by a hash of the absolute config dir. The
// socket dir is where another local user could interfere, so its owner and
// mode are verified before any socket is bound there.
#include "mux/store/paths.h"

#include <pwd.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "mux/store/atomic_file.h"
#include "mux/store/session_id.h"

namespace amux::mux {

namespace {

// FNV-1a, 64 bit.
uint64_t fnv1a64(std::string_view s) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// Absolute, lexically normal, no trailing slash (except "/").
std::string absolute_dir(const std::string& p) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(p, ec);
  if (ec) abs = p;
  std::string s = abs.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

bool is_dir(const char* p) {
  struct stat st;
  return p && *p && ::stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

std::string home_dir() {
  if (const char* h = std::getenv("HOME"); h && *h) return h;
  if (const passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_dir) return pw->pw_dir;
  return "/";
}

// lstat-verify a private directory: a real directory, ours, no group/other bits.
std::string verify_private_dir(const std::string& dir) {
  struct stat st;
  if (::lstat(dir.c_str(), &st) < 0)
    return "cannot use socket directory " + dir + ": " + std::strerror(errno);
  if (!S_ISDIR(st.st_mode)) return "socket directory " + dir + " is not a directory";
  if (st.st_uid != ::getuid())
    return "socket directory " + dir + " is owned by uid " + std::to_string(st.st_uid) +
           ", not " + std::to_string(::getuid());
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", unsigned(st.st_mode & 07777));
    return "socket directory " + dir + " has mode " + mode + " (must be 0700)";
  }
  return "";
}

const std::string& checked_id(const std::string& id) {
  if (!is_session_id(id)) throw std::invalid_argument("invalid session id (expected 8 hex digits)");
  return id;
}

}  // namespace

std::string Paths::job_dir(const std::string& id) const { return jobs_dir() + "/" + checked_id(id); }

std::string Paths::host_socket(const std::string& id) const {
  return socket_dir + "/" + checked_id(id) + ".sock";
}

size_t max_socket_path() { return sizeof(sockaddr_un::sun_path) - 1; }

Paths Paths::from_env() {
  Paths p;
  if (const char* c = std::getenv("AMUX_CONFIG_DIR"); c && *c)
    p.config_dir = absolute_dir(c);
  else
    p.config_dir = absolute_dir(home_dir() + "/.amux");

  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx", (unsigned long long)fnv1a64(p.config_dir));
  const std::string h(hash, 8);  // first 8 hex digits (the high 32 bits)

  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  if (is_dir(xdg))
    p.socket_dir = absolute_dir(xdg) + "/amux/" + h;
  else
    p.socket_dir = "/tmp/amux-" + std::to_string(::getuid()) + "/" + h;
  return p;
}

std::string Paths::ensure() const {
  if (int rc = make_dirs(config_dir, 0700); rc < 0)
    return "cannot create " + config_dir + ": " + std::strerror(-rc);

  // Longest socket name: "/<8 hex>.sock" (control.sock is one shorter).
  const size_t longest = socket_dir.size() + std::string("/01234567.sock").size();
  if (longest > max_socket_path())
    return "socket directory " + socket_dir + " is too long for a unix socket path (" +
           std::to_string(longest) + " > " + std::to_string(max_socket_path()) + " bytes)";

  const std::string parent = socket_dir.substr(0, socket_dir.rfind('/'));
  for (const std::string& d : {parent, socket_dir}) {
    if (int rc = make_dirs(d, 0700); rc < 0)
      return "cannot create socket directory " + d + ": " + std::strerror(-rc);
    if (std::string err = verify_private_dir(d); !err.empty()) return err;
  }
  return "";
}

}  // namespace amux::mux
