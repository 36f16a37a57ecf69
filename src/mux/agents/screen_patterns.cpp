// screen_patterns.cpp — match an agent's screen patterns and carry them as
// JSON (see screen_patterns.h).
#include "mux/agents/screen_patterns.h"

#include <re2/re2.h>

#include <string_view>

namespace amux::mux {

namespace {
// The memory RE2 may use for one compiled pattern (its default is 8 MiB).
constexpr int64_t kMaxPatternMem = 1 << 20;
}  // namespace

ScreenPattern make_screen_pattern(const std::string& source) {
  RE2::Options o;
  o.set_log_errors(false);
  o.set_max_mem(kMaxPatternMem);
  auto re = std::make_shared<const RE2>(source, o);
  if (!re->ok()) throw PatternError(re->error());
  return {source, std::move(re)};
}

bool pattern_search(const ScreenPattern& pat, const std::string& line, size_t* at) {
  re2::StringPiece m;
  if (!pat.re->Match(line, 0, line.size(), RE2::UNANCHORED, &m, 1)) return false;
  if (at) *at = size_t(m.data() - line.data());
  return true;
}

std::optional<SessionState> match_screen(const std::vector<ScreenPattern>& working,
                                         const std::vector<ScreenPattern>& blocked,
                                         const std::vector<ScreenPattern>& idle,
                                         const std::vector<std::string>& lines) {
  auto any = [&](const std::vector<ScreenPattern>& pats) {
    for (auto& pat : pats)
      for (auto& l : lines)
        if (pattern_search(pat, l)) return true;
    return false;
  };
  if (any(blocked)) return SessionState::Blocked;
  if (any(working)) return SessionState::Working;
  if (any(idle)) return SessionState::Idle;
  return std::nullopt;
}

std::optional<SessionState> match_screen(const ScreenPatterns& p, const std::vector<std::string>& lines) {
  return match_screen(p.working, p.blocked, p.idle, lines);
}

std::optional<ScreenMatch> match_screen_line(const ScreenPatterns& p, const std::vector<std::string>& lines) {
  // The same order as match_screen: blocked, working, idle.
  const std::pair<SessionState, const std::vector<ScreenPattern>*> order[] = {
      {SessionState::Blocked, &p.blocked}, {SessionState::Working, &p.working}, {SessionState::Idle, &p.idle}};
  for (auto& [state, pats] : order)
    for (auto& pat : *pats)
      for (auto& l : lines)
        if (pattern_search(pat, l)) return ScreenMatch{state, pat.source, l};
  return std::nullopt;
}

std::string question_line(const ScreenPatterns& p, const std::vector<std::string>& lines) {
  for (auto& l : lines)
    for (auto& pat : p.question)
      if (size_t at = 0; pattern_search(pat, l, &at)) {
        // From where the match starts (no bullet or tree mark before it);
        // blanks and the vertical bars of a box the question sits in trimmed.
        static const char* const kTrim[] = {" ", "\xe2\x94\x82", "\xe2\x94\x83", "\xe2\x95\x91"};  // │ ┃ ║
        std::string s = l.substr(at);
        for (bool again = true; again && !s.empty();) {
          again = false;
          for (const char* t : kTrim) {
            std::string_view tv(t);
            if (s.size() >= tv.size() && s.compare(0, tv.size(), tv) == 0) s.erase(0, tv.size()), again = true;
            if (s.size() >= tv.size() && s.compare(s.size() - tv.size(), tv.size(), tv) == 0)
              s.erase(s.size() - tv.size()), again = true;
          }
        }
        return s;
      }
  return "";
}

nlohmann::json screen_patterns_to_json(const ScreenPatterns& p) {
  auto sources = [](const std::vector<ScreenPattern>& v) {
    nlohmann::json a = nlohmann::json::array();
    for (auto& s : v) a.push_back(s.source);
    return a;
  };
  return {{"settleMs", p.settle_ms},
          {"working", sources(p.working)},
          {"blocked", sources(p.blocked)},
          {"idle", sources(p.idle)},
          {"question", sources(p.question)}};
}

ScreenPatterns screen_patterns_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw std::runtime_error("screen patterns: expected an object");
  ScreenPatterns p;
  if (j.contains("settleMs")) {
    if (!j["settleMs"].is_number_integer()) throw std::runtime_error("screen patterns: settleMs: expected an integer");
    p.settle_ms = j["settleMs"].get<int>();
  }
  auto read = [&](const char* key, std::vector<ScreenPattern>& out) {
    if (!j.contains(key)) return;
    const auto& a = j[key];
    if (!a.is_array()) throw std::runtime_error(std::string("screen patterns: ") + key + ": expected an array");
    for (auto& e : a) {
      if (!e.is_string()) throw std::runtime_error(std::string("screen patterns: ") + key + ": expected strings");
      try {
        out.push_back(make_screen_pattern(e.get<std::string>()));
      } catch (const PatternError& err) {
        throw std::runtime_error(std::string("screen patterns: ") + key + ": bad regular expression '" +
                                 e.get<std::string>() + "': " + err.what());
      }
    }
  };
  read("working", p.working);
  read("blocked", p.blocked);
  read("idle", p.idle);
  read("question", p.question);
  return p;
}

}  // namespace amux::mux
