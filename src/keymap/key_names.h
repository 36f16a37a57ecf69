// key_names.h — tmux-style key names ("C-\\", "C-b", "M-x", "Enter", "Up")
// and the bytes a terminal sends for them.
//
// Why: the attach client and the agent view bind keys by name (keymap.toml),
// but read raw bytes from the terminal. This maps one way and the other; it
// knows nothing of what the keys do.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace amux::keymap {

// The byte sequences a terminal may send for a named key (several for keys
// like Up: CSI A and SS3 A). Empty when the name is not a key.
// Names: single characters ("a", "?"), "C-<c>", "M-<key>", "Space", "Enter",
// "Tab", "BTab", "Escape", "BSpace", "Up", "Down", "Left", "Right", "Home",
// "End", "PageUp"/"PPage", "PageDown"/"NPage", "Delete"/"DC", "Insert"/"IC",
// "F1".."F12". Case of the modifier prefix does not matter ("c-b" = "C-b").
std::vector<std::string> key_bytes(std::string_view name);

// Canonical name for a byte sequence ("\x1c" → "C-\\"), or nullopt.
std::optional<std::string> key_name(std::string_view bytes);

// Human text for hints: "C-\\" → "ctrl+\\", "M-Up" → "alt+↑".
std::string key_label(std::string_view name);

}  // namespace amux::keymap
