// keymap_table.h — key bindings by context, from keymap.toml.
//
// Why: every key amux reacts to (attach chords, the agent view) is
// a binding a user can change. Tables are "context → action → key list";
// the shipped defaults are built in (and mirrored in conf/keymap.toml), the
// user's file overrides per action. Unknown keys or actions are errors that
// name the file, line and entry.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "keymap/chord.h"

namespace amux::keymap {

struct KeymapError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class KeymapTable {
 public:
  // The shipped defaults.
  static KeymapTable defaults();
  // Apply a user keymap.toml text over this table. Throws KeymapError.
  void merge_toml(const std::string& text, const std::string& origin);
  // Load a file when it exists. Throws KeymapError.
  void merge_file(const std::string& path);

  // One context's table as keymap.toml text ("[attach]\ndetach = [...]"),
  // which merge_toml reads back (to hand this table to another amux).
  std::string to_toml(const std::string& context) const;
  // Bindings of one context ("attach", "view"), for a ChordMatcher.
  std::vector<Binding> bindings(const std::string& context) const;
  // Keys bound to an action ("" context and action unknown → empty).
  const std::vector<std::string>& keys(const std::string& context, const std::string& action) const;
  const std::map<std::string, std::map<std::string, std::vector<std::string>>>& all() const {
    return t_;
  }

 private:
  std::map<std::string, std::map<std::string, std::vector<std::string>>> t_;
};

}  // namespace amux::keymap
