// atomic_file.h — write a file so readers see the old or the new content,
// never half of one: temp file in the same directory, fsync, rename, fsync dir.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace amux::mux {

// Returns 0 or -errno. The file gets `mode` (default 0600).
int write_file_atomic(const std::string& path, std::string_view content, mode_t mode = 0600);
// Whole file, or nullopt when it cannot be read.
std::optional<std::string> read_file(const std::string& path);
// mkdir -p with mode for created directories; 0 or -errno.
int make_dirs(const std::string& path, mode_t mode = 0700);

}  // namespace amux::mux
