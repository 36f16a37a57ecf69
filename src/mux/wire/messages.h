// messages.h — reading the fields of the typed frames' JSON payloads.
//
// Why: an Attach, Resize or Request payload comes from any process that can
// open the socket. Every number in it is read here, one way for the host
// and the supervisor: a field of the wrong type is a json::exception (the
// caller answers "bad request" and keeps the connection), and any number,
// however large or fractional, ends up clamped inside the range asked for.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "keymap/chord.h"

namespace amux::mux {

struct TermSize {
  int rows = 0, cols = 0;
};

// Attach / Resize: {"rows":R,"cols":C}, each clamped to 1..max. Throws
// nlohmann::json::exception when a field is missing or not a number.
TermSize read_term_size(const nlohmann::json& j, int max_rows, int max_cols);

// j[key] clamped to lo..hi; `def` when j has no such key. Throws
// nlohmann::json::type_error when it is not a number.
int read_int(const nlohmann::json& j, const char* key, int def, int lo, int hi);

// The same without a range (int64's): `lines` of logs and follow.
int64_t read_int64(const nlohmann::json& j, const char* key, int64_t def);

// Attach's "bindings": [{"keys":"C-\\","action":"detach"}, ...]. Throws
// nlohmann::json::exception on a missing or mistyped field.
std::vector<keymap::Binding> read_bindings(const nlohmann::json& j);

}  // namespace amux::mux
