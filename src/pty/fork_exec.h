// fork_exec.h — what a program started by fork and exec needs from its parent.
//
// Why: the PTY spawn and the detached launcher both fork and exec; each
// builds argv/envp arrays before fork (a forked child of a threaded process
// must not allocate) and reports a failed exec in English after it (no
// locale, no allocation). One copy of both, here in the lowest layer.
#pragma once

#include <string.h>

#include <string>
#include <vector>

namespace amux::pty {

// The NULL-terminated char* array execve wants, pointing into `v` (which
// must outlive it and not change).
inline std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (std::string& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// An English description of errno that is safe in a forked child (no
// locale, no allocation).
inline const char* errno_text(int err) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  const char* s = strerrordesc_np(err);
  return s ? s : "unknown error";
#else
  return strerror(err);
#endif
}

}  // namespace amux::pty
