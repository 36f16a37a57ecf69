// screen_patterns.h — an agent's screen patterns: regexes over the visible
// lines that say working / blocked / idle (docs/architecture.md §7, agents.toml
// [x.patterns] and settle_ms).
//
// Why its own file: the session host matches them, and the host is a small
// binary of its own (build/amux-host) that must not link the TOML reader.
// agent_profile.h reads them from agents.toml; the launcher hands the
// resolved ones to the host as JSON (host_spec.h). Nothing here knows TOML.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mux/store/session_record.h"

namespace re2 {
class RE2;
}

namespace amux::mux {

// Patterns come from agents.toml files, a cloned project's among them: they
// are RE2 regular expressions (re2/re2.h), matched in time linear in the
// line whatever the pattern (std::regex took minutes on ` **\?`, and its
// parser overflowed on a repeat count of 7777777777777777777), with their
// compiled size bounded.
struct ScreenPattern {
  std::string source;
  std::shared_ptr<const re2::RE2> re;
};

// A pattern that does not compile: what() says why.
struct PatternError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Compiles a pattern the way agents.toml's are; throws PatternError.
ScreenPattern make_screen_pattern(const std::string& source);

// Whether `line` holds a match of `pat`; `at` gets where the first one
// starts.
bool pattern_search(const ScreenPattern& pat, const std::string& line, size_t* at = nullptr);

struct ScreenPatterns {
  std::vector<ScreenPattern> working, blocked, idle;  // regexes over visible lines
  int settle_ms = 500;                                // a pattern must hold this long to count
  // Lines that are the question a waiting program asks: the first visible
  // line matching one is the session's detail (rather than its title).
  std::vector<ScreenPattern> question;

  bool empty() const { return working.empty() && blocked.empty() && idle.empty(); }
};

// Screen state by the patterns over the visible lines: blocked first, then
// working, then idle; nullopt when none matches. The caller applies settle_ms.
std::optional<SessionState> match_screen(const std::vector<ScreenPattern>& working,
                                         const std::vector<ScreenPattern>& blocked,
                                         const std::vector<ScreenPattern>& idle,
                                         const std::vector<std::string>& lines);
std::optional<SessionState> match_screen(const ScreenPatterns& p, const std::vector<std::string>& lines);

// The same verdict with what decided it: the pattern's source and the line
// it matched (`amux explain`).
struct ScreenMatch {
  SessionState state;
  std::string pattern;
  std::string line;
};
std::optional<ScreenMatch> match_screen_line(const ScreenPatterns& p, const std::vector<std::string>& lines);

// The first visible line matching one of the question patterns, from where
// the match starts, its frame (box-drawing bars) and surrounding blanks
// trimmed; "" when none matches.
std::string question_line(const ScreenPatterns& p, const std::vector<std::string>& lines);

// {"settleMs": 500, "working": ["..."], "blocked": [...], "idle": [...], "question": [...]}.
nlohmann::json screen_patterns_to_json(const ScreenPatterns& p);
// Throws std::runtime_error naming the key for a wrong type or a bad regex.
ScreenPatterns screen_patterns_from_json(const nlohmann::json& j);

}  // namespace amux::mux
