// key_names.cpp — key name ⇄ terminal bytes (see key_names.h).
#include "keymap/key_names.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>

#include <utf8proc.h>

namespace amux::keymap {
namespace {

struct Named {
  const char* name;
  std::vector<std::string> bytes;
};

// Keys with CSI final letters take xterm modifier parameters (CSI 1;<m>X).
const std::map<std::string, char>& csi_letter_keys() {
  static const std::map<std::string, char> m = {
      {"Up", 'A'}, {"Down", 'B'}, {"Right", 'C'}, {"Left", 'D'}, {"Home", 'H'}, {"End", 'F'}};
  return m;
}
// Keys of the form CSI <n> ~.
const std::map<std::string, int>& csi_tilde_keys() {
  static const std::map<std::string, int> m = {
      {"Insert", 2}, {"IC", 2},      {"Delete", 3},  {"DC", 3},    {"PageUp", 5},
      {"PPage", 5},  {"PageDown", 6}, {"NPage", 6},  {"F5", 15},   {"F6", 17},
      {"F7", 18},    {"F8", 19},     {"F9", 20},     {"F10", 21},  {"F11", 23},
      {"F12", 24}};
  return m;
}

std::vector<std::string> plain_named(const std::string& n) {
  if (n == "Enter") return {"\r"};
  if (n == "Tab") return {"\t"};
  if (n == "BTab") return {"\x1b[Z"};
  if (n == "Escape" || n == "Esc") return {"\x1b"};
  if (n == "Space") return {" "};
  if (n == "BSpace") return {"\x7f", "\b"};
  if (n == "F1") return {"\x1bOP"};
  if (n == "F2") return {"\x1bOQ"};
  if (n == "F3") return {"\x1bOR"};
  if (n == "F4") return {"\x1bOS"};
  auto l = csi_letter_keys().find(n);
  if (l != csi_letter_keys().end()) {
    std::vector<std::string> v = {std::string("\x1b[") + l->second, std::string("\x1bO") + l->second};
    if (n == "Home") v.push_back("\x1b[1~");
    if (n == "End") v.push_back("\x1b[4~");
    return v;
  }
  auto t = csi_tilde_keys().find(n);
  if (t != csi_tilde_keys().end()) return {"\x1b[" + std::to_string(t->second) + "~"};
  return {};
}

// Code point of a one-character key name (UTF-8), or -1. Decoded by
// utf8proc, as render's decoder does (the keymap may not include render).
long single_char(const std::string& n) {
  if (n.empty()) return -1;
  utf8proc_int32_t cp = -1;
  const utf8proc_ssize_t len = utf8proc_iterate(
      reinterpret_cast<const utf8proc_uint8_t*>(n.data()), utf8proc_ssize_t(n.size()), &cp);
  if (len <= 0 || size_t(len) != n.size()) return -1;
  return cp;
}

std::vector<std::string> ctrl_bytes(const std::string& k) {
  long cp = single_char(k);
  if (k == "Space" || cp == '@' || cp == ' ') return {std::string(1, '\0')};
  if (cp < 0) {
    // Modified special key: CSI 1;5X or CSI n;5~.
    auto l = csi_letter_keys().find(k);
    if (l != csi_letter_keys().end()) return {std::string("\x1b[1;5") + l->second};
    auto t = csi_tilde_keys().find(k);
    if (t != csi_tilde_keys().end()) return {"\x1b[" + std::to_string(t->second) + ";5~"};
    if (k == "Enter") return {"\x1b[13;5u"};
    return {};
  }
  if (cp >= 'A' && cp <= 'Z') cp = cp - 'A' + 'a';
  std::vector<std::string> v;
  if (cp >= 'a' && cp <= 'z') v.push_back(std::string(1, char(cp - 'a' + 1)));
  else if (cp >= '[' && cp <= '_') v.push_back(std::string(1, char(cp - '[' + 0x1b)));
  else if (cp == '?') v.push_back("\x7f");
  else if (cp >= '2' && cp <= '8') {
    static const char m[] = {0, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x7f};  // C-2..C-8 (xterm)
    v.push_back(std::string(1, m[cp - '2']));
  } else return {};
  // CSI u (fixterms / kitty) form of the same key.
  v.push_back("\x1b[" + std::to_string(cp) + ";5u");
  return v;
}

}  // namespace

std::vector<std::string> key_bytes(std::string_view name_in) {
  std::string name(name_in);
  if (name.size() > 2 && name[1] == '-' && std::strchr("CcMmSs", name[0])) {
    char mod = char(std::toupper(static_cast<unsigned char>(name[0])));
    std::string rest = name.substr(2);
    if (mod == 'C') {
      if (rest.size() > 2 && (rest[0] == 'M' || rest[0] == 'm') && rest[1] == '-') {
        std::vector<std::string> v;
        for (auto& b : ctrl_bytes(rest.substr(2))) v.push_back("\x1b" + b);
        return v;
      }
      return ctrl_bytes(rest);
    }
    if (mod == 'M') {
      auto l = csi_letter_keys().find(rest);
      std::vector<std::string> v;
      if (l != csi_letter_keys().end()) v.push_back(std::string("\x1b[1;3") + l->second);
      if (rest == "Enter") v.push_back("\x1b[13;3u");
      for (auto& b : key_bytes(rest)) v.push_back("\x1b" + b);
      return v;
    }
    // S-
    auto l = csi_letter_keys().find(rest);
    if (l != csi_letter_keys().end()) return {std::string("\x1b[1;2") + l->second};
    if (rest == "Enter") return {"\x1b[13;2u", "\x1b[27;2;13~"};
    if (rest == "Tab") return {"\x1b[Z"};
    return {};
  }
  auto named = plain_named(name);
  if (!named.empty()) return named;
  if (single_char(name) >= 0) return {name};
  return {};
}

std::optional<std::string> key_name(std::string_view bytes) {
  if (bytes.empty()) return std::nullopt;
  static const char* names[] = {"Enter", "Tab", "BTab", "Escape", "Space", "BSpace", "Up",
                                "Down", "Right", "Left", "Home", "End", "PageUp", "PageDown",
                                "Delete", "Insert", "F1", "F2", "F3", "F4", "F5", "F6", "F7",
                                "F8", "F9", "F10", "F11", "F12"};
  for (const char* n : names)
    for (auto& b : key_bytes(n))
      if (b == bytes) return std::string(n);
  for (const char* pfx : {"M-", "C-", "S-"})
    for (const char* n : names)
      for (auto& b : key_bytes(std::string(pfx) + n))
        if (b == bytes) return std::string(pfx) + n;
  if (bytes.size() == 1) {
    unsigned char c = static_cast<unsigned char>(bytes[0]);
    if (c == 0) return std::string("C-Space");
    if (c >= 1 && c <= 26) return std::string("C-") + char('a' + c - 1);
    if (c >= 0x1c && c <= 0x1f) return std::string("C-") + char('\\' + c - 0x1c);
    if (c >= 0x20 && c < 0x7f) return std::string(1, char(c));
  }
  if (bytes.size() == 2 && bytes[0] == '\x1b') {
    auto inner = key_name(bytes.substr(1));
    if (inner) return "M-" + *inner;
  }
  if (single_char(std::string(bytes)) >= 0x80) return std::string(bytes);
  return std::nullopt;
}

std::string key_label(std::string_view name_in) {
  std::string name(name_in), out;
  while (name.size() > 2 && name[1] == '-') {
    char m = char(std::toupper(static_cast<unsigned char>(name[0])));
    out += m == 'C' ? "ctrl+" : m == 'M' ? "alt+" : m == 'S' ? "shift+" : "";
    name = name.substr(2);
  }
  static const std::map<std::string, std::string> pretty = {
      {"Up", "↑"}, {"Down", "↓"}, {"Left", "←"}, {"Right", "→"}, {"Enter", "enter"},
      {"Escape", "esc"}, {"Space", "space"}, {"Tab", "tab"}, {"BSpace", "backspace"}};
  auto p = pretty.find(name);
  return out + (p != pretty.end() ? p->second : name);
}

}  // namespace amux::keymap
