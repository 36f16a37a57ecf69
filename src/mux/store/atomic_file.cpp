// atomic_file.cpp — crash-safe whole-file writes, whole-file reads, mkdir -p.
//
// Why: records and the roster are rewritten while other processes read them;
// a reader must see the old or the new file, never a torn one, and a crash
// must not leave an empty record. Temp file in the same directory (so rename
// is atomic), fsync, rename, fsync the directory.
#include "mux/store/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

#include "pty/unique_fd.h"

namespace amux::mux {

namespace {

using pty::UniqueFd;

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

int write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    data.remove_prefix(size_t(n));
  }
  return 0;
}

}  // namespace

int write_file_atomic(const std::string& path, std::string_view content, mode_t mode) {
  std::string tmpl = path + ".XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  UniqueFd fd(::mkostemp(name.data(), O_CLOEXEC));
  if (!fd) return -errno;
  const std::string tmp(name.data());
  auto fail = [&](int err) {
    ::unlink(tmp.c_str());
    return err;
  };
  if (int rc = write_all(fd.get(), content); rc < 0) return fail(rc);
  if (::fchmod(fd.get(), mode) < 0) return fail(-errno);
  if (::fsync(fd.get()) < 0) return fail(-errno);
  if (fd.close() < 0) return fail(-errno);
  if (::rename(tmp.c_str(), path.c_str()) < 0) return fail(-errno);
  UniqueFd dir(::open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir) ::fsync(dir.get());  // best effort: the rename already happened
  return 0;
}

std::optional<std::string> read_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  std::string out;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;
    }
    if (n == 0) break;
    out.append(buf, size_t(n));
  }
  return out;
}

int make_dirs(const std::string& path, mode_t mode) {
  if (path.empty()) return -ENOENT;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    std::string part = path.substr(0, pos);
    if (part.empty() || part == "/") continue;
    if (::mkdir(part.c_str(), mode) == 0) continue;
    int err = errno;
    if (err != EEXIST) return -err;
    struct stat st;
    if (::stat(part.c_str(), &st) < 0) return -errno;
    if (!S_ISDIR(st.st_mode)) return -ENOTDIR;
  }
  return 0;
}

}  // namespace amux::mux
