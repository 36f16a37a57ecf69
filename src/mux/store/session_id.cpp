// session_id.cpp — random ids and resolving what a user typed to one session.
//
// Why: every command takes "an id, a unique id prefix, or a unique part of a
// name" (docs/architecture.md §1); one resolver gives every command the same rules and
// the same plain errors for no match and for ambiguity.
#include "mux/store/session_id.h"

#include <sys/random.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <stdexcept>

namespace amux::mux {

namespace {

void random_bytes(unsigned char* buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::getrandom(buf + got, n - got, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("getrandom failed");
    }
    got += size_t(r);
  }
}

std::string hex(const unsigned char* b, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s.push_back(digits[b[i] >> 4]);
    s.push_back(digits[b[i] & 15]);
  }
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string new_session_id() {
  unsigned char b[4];
  random_bytes(b, sizeof b);
  return hex(b, sizeof b);
}

std::string new_uuid() {
  unsigned char b[16];
  random_bytes(b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  std::string h = hex(b, sizeof b);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" +
         h.substr(16, 4) + "-" + h.substr(20);
}

bool is_session_id(std::string_view s) {
  return s.size() == 8 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Resolution resolve_session(const std::vector<SessionRecord>& all, const std::string& query) {
  Resolution res;
  if (!query.empty()) {
    // Each step that finds exactly one session wins; when none does, the
    // first ambiguous step is reported.
    std::vector<const SessionRecord*> ambiguous;
    auto step = [&](auto pred) -> bool {
      std::vector<const SessionRecord*> hits;
      for (const auto& r : all)
        if (pred(r)) hits.push_back(&r);
      if (hits.size() == 1) {
        res.id = hits[0]->id;
        return true;
      }
      if (hits.size() > 1 && ambiguous.empty()) ambiguous = std::move(hits);
      return false;
    };
    const std::string q = lower(query);
    if (step([&](const SessionRecord& r) { return r.id == query; }) ||
        step([&](const SessionRecord& r) { return r.id.compare(0, query.size(), query) == 0; }) ||
        step([&](const SessionRecord& r) { return r.name == query; }))
      return res;
    // An ambiguous id prefix or name is reported as such rather than being
    // settled by a looser name-substring match.
    if (ambiguous.empty() && step([&](const SessionRecord& r) {
          return lower(r.name).find(q) != std::string::npos;
        }))
      return res;
    if (!ambiguous.empty()) {
      res.error = "'" + query + "' matches " + std::to_string(ambiguous.size()) + " sessions:";
      for (const auto* r : ambiguous) res.candidates.push_back(r->id + "  " + r->name);
      return res;
    }
  }
  res.error = "no session matches '" + query + "'";
  return res;
}

}  // namespace amux::mux
