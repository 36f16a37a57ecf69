// session_id.h — session ids and how a user's words find a session.
//
// Ids are 8 random hex digits. Every command accepts an id, a unique id
// prefix, or a unique part of a name; ambiguity and absence are errors that
// list what matched (docs/architecture.md §1).
#pragma once

#include <string>
#include <vector>

#include "mux/store/session_record.h"

namespace amux::mux {

std::string new_session_id();     // 8 hex digits from getrandom
std::string new_uuid();           // RFC 4122 v4
bool is_session_id(std::string_view s);

struct Resolution {
  std::string id;                 // set when exactly one matched
  std::string error;              // one line, else ""
  std::vector<std::string> candidates;  // "<id>  <name>" lines when ambiguous
};

// Exact id, then unique id prefix, then exact name, then unique
// case-insensitive name substring (only when no earlier step was ambiguous).
// Errors: "no session matches 'x'", "'x' matches N sessions:" + candidates.
Resolution resolve_session(const std::vector<SessionRecord>& all, const std::string& query);

}  // namespace amux::mux
