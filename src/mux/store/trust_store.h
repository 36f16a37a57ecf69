// trust_store.h — the project directories a person trusted to choose what
// amux runs there.
//
// Why: <repo>/.amux/agents.toml and <repo>/.amux/config.toml come with any
// clone, and a profile there can name the program amux starts (`binary =
// "sh"`, `start = ["-c", "…"]`). Like an editor's workspace trust, the keys
// of those files that choose what runs apply only after `amux trust <dir>`
// asked the person and stored their yes here, together with a SHA-256 of the
// files as they were shown: a changed file is not trusted any more.
// <config dir>/trusted.json: {"projects": {"<root>": {"sha256": "…",
// "trustedAt": ms}}}, mode 0600, written atomically.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mux/store/paths.h"

namespace amux::mux {

// The project a directory belongs to: its git top level, else the directory
// itself (absolute, symlinks resolved).
std::string project_root(const std::string& dir);

// The project files trust covers, as read once: (file name under .amux/,
// content or nullopt when the file does not exist).
struct ProjectFiles {
  std::string root;
  std::vector<std::pair<std::string, std::optional<std::string>>> files;  // agents.toml, config.toml

  bool any() const;
  std::string path(const std::string& name) const { return root + "/.amux/" + name; }
  const std::optional<std::string>& content(const std::string& name) const;
  // SHA-256 (hex) over every file's name, presence and content.
  std::string digest() const;
};
ProjectFiles read_project_files(const std::string& root);

// SHA-256 of `data`, 64 lower-case hex digits (libcrypto).
std::string sha256_hex(std::string_view data);

std::string trust_file(const Paths& p);  // <config dir>/trusted.json
// Was `root` trusted with exactly these contents (`digest`)?
bool is_trusted(const Paths& p, const std::string& root, const std::string& digest);
// Store or drop the person's answer; 0 or -errno.
int record_trust(const Paths& p, const std::string& root, const std::string& digest);
int revoke_trust(const Paths& p, const std::string& root);

}  // namespace amux::mux
