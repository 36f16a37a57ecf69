// find_filter.h — the agent view's find query (Ctrl+F).
//
// Why: with dozens of sessions a person narrows the list by typing. A query
// is whitespace-separated terms, all of which must match:
//   a:<agent>    the session's agent profile (shell, claude, …), prefix match
//   s:<state>    working, blocked (= waiting on you; also needs/input/waiting),
//                idle, done, failed, stopped, starting, completed, live; prefix
//   n:<name>     part of the name
//   #<n>         a number: "#n" in the name or detail, or a URL ending in /n
//   http(s)://…  a URL in the name or detail (a PR/issue URL also matches #n)
//   anything     part of the name, detail, id, directory or agent
// Matching ignores ASCII case. Parsing never fails: an unknown state simply
// matches nothing.
#pragma once

#include <string>
#include <vector>

#include "view/session_info.h"

namespace amux::view {

class FindFilter {
 public:
  FindFilter() = default;
  explicit FindFilter(const std::string& query);

  bool empty() const { return terms_.empty(); }
  bool matches(const SessionInfo& s) const;
  const std::string& query() const { return query_; }

  struct Term {
    enum Kind { Agent, StateIs, Name, Number, Url, Text } kind;
    std::string value;  // lower-cased
  };
  const std::vector<Term>& terms() const { return terms_; }

 private:
  std::string query_;
  std::vector<Term> terms_;
};

// Does the text typed into the prompt look like a find query (it starts with
// a filter term such as "s:" or "a:")? The view then switches to find.
bool looks_like_filter(const std::string& prompt_text);

}  // namespace amux::view
