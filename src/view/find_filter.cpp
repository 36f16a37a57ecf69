// find_filter.cpp — see find_filter.h.
#include "view/find_filter.h"

#include <sstream>

#include "view/text_util.h"

namespace amux::view {
namespace {

bool contains(const std::string& hay, const std::string& needle) {
  return lower(hay).find(needle) != std::string::npos;
}

bool all_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// The trailing number of a URL like …/pull/42 or …/issues/42/ ("" if none).
std::string url_number(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  auto slash = url.rfind('/');
  if (slash == std::string::npos) return "";
  std::string last = url.substr(slash + 1);
  return all_digits(last) ? last : "";
}

// "#42" in text as a whole number (not #421), or a URL ending in /42.
bool mentions_number(const std::string& text, const std::string& n) {
  std::string t = lower(text);
  for (size_t p = t.find("#" + n); p != std::string::npos; p = t.find("#" + n, p + 1)) {
    size_t e = p + 1 + n.size();
    if (e >= t.size() || t[e] < '0' || t[e] > '9') return true;
  }
  for (size_t p = t.find("/" + n); p != std::string::npos; p = t.find("/" + n, p + 1)) {
    size_t e = p + 1 + n.size();
    if (e >= t.size() || t[e] == '/' || t[e] == ' ' || t[e] == '#' || t[e] == '?') {
      if (t.rfind("http", p) != std::string::npos) return true;
    }
  }
  return false;
}

bool state_matches(State st, const std::string& want) {
  if (want.empty()) return true;
  auto pre = [&](const char* word) { return std::string(word).rfind(want, 0) == 0; };
  switch (st) {
    case State::Blocked:
      if (pre("blocked") || pre("needs-input") || pre("input") || pre("waiting")) return true;
      break;
    case State::Working:
      if (pre("working") || pre("busy")) return true;
      break;
    case State::Starting:
      if (pre("starting") || pre("working")) return true;
      break;
    case State::Idle:
      if (pre("idle")) return true;
      break;
    case State::Done:
      if (pre("done")) return true;
      break;
    case State::Failed:
      if (pre("failed") || pre("error")) return true;
      break;
    case State::Stopped:
      if (pre("stopped")) return true;
      break;
    case State::Unreachable:
      if (pre("unreachable")) return true;
      break;
  }
  if (!state_live(st) || st == State::Idle)
    if (pre("completed") || pre("finished")) return true;
  if (state_live(st) && (pre("live") || pre("running") || pre("alive"))) return true;
  return false;
}

}  // namespace

FindFilter::FindFilter(const std::string& query) : query_(query) {
  std::istringstream in(query);
  std::string w;
  while (in >> w) {
    std::string l = lower(w);
    if (l.size() > 2 && l[1] == ':' && (l[0] == 'a' || l[0] == 's' || l[0] == 'n')) {
      Term::Kind k = l[0] == 'a' ? Term::Agent : l[0] == 's' ? Term::StateIs : Term::Name;
      terms_.push_back({k, l.substr(2)});
    } else if (l.size() > 1 && l[0] == '#' && all_digits(l.substr(1))) {
      terms_.push_back({Term::Number, l.substr(1)});
    } else if (l.rfind("http://", 0) == 0 || l.rfind("https://", 0) == 0) {
      terms_.push_back({Term::Url, l});
    } else if (l == "a:" || l == "s:" || l == "n:") {
      continue;  // a term still being typed
    } else {
      terms_.push_back({Term::Text, l});
    }
  }
}

bool FindFilter::matches(const SessionInfo& s) const {
  for (const auto& t : terms_) {
    bool ok = false;
    switch (t.kind) {
      case Term::Agent:
        ok = lower(s.agent).rfind(t.value, 0) == 0;
        break;
      case Term::StateIs:
        ok = state_matches(s.state, t.value);
        break;
      case Term::Name:
        ok = contains(s.name, t.value);
        break;
      case Term::Number:
        ok = mentions_number(s.name, t.value) || mentions_number(s.detail, t.value);
        break;
      case Term::Url: {
        std::string u = t.value;
        while (!u.empty() && u.back() == '/') u.pop_back();
        ok = contains(s.name, u) || contains(s.detail, u);
        std::string n = url_number(u);
        if (!ok && !n.empty()) ok = mentions_number(s.name, n) || mentions_number(s.detail, n);
        break;
      }
      case Term::Text:
        ok = contains(s.name, t.value) || contains(s.detail, t.value) ||
             lower(s.id).rfind(t.value, 0) == 0 || contains(s.cwd, t.value) ||
             contains(s.agent, t.value);
        break;
    }
    if (!ok) return false;
  }
  return true;
}

bool looks_like_filter(const std::string& text) {
  if (text.size() < 2) return false;
  char c = char(text[0] | 0x20);
  return text[1] == ':' && (c == 'a' || c == 's' || c == 'n');
}

}  // namespace amux::view
