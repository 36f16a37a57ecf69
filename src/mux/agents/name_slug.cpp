// name_slug.cpp — a short readable session name from a prompt ("fix the
// flaky test in foo" → "fix-flaky-test-foo"), used when none was given.
#include <cctype>
#include <set>

#include "mux/agents/agent_profile.h"

namespace amux::mux {
namespace {

const std::set<std::string> kStopWords = {
    "a",    "an",   "the",  "in",   "on",   "at",   "of",   "to",   "for",  "and",  "or",
    "with", "by",   "from", "into", "is",   "are",  "be",   "it",   "its",  "this", "that",
    "these", "those", "my", "me",   "our",  "we",   "you",  "your", "i",    "please", "can",
    "could", "would", "should", "some", "so", "then", "there", "as", "up",  "just"};

}  // namespace

std::string name_from_prompt(const std::string& prompt) {
  std::vector<std::string> words;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) words.push_back(cur);
    cur.clear();
  };
  for (char ch : prompt) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) && c < 0x80) cur += char(std::tolower(c));
    else if (c == '\'') continue;  // don't → dont
    else flush();
  }
  flush();
  std::vector<std::string> kept;
  for (auto& w : words)
    if (!kStopWords.count(w)) kept.push_back(w);
  if (kept.empty()) kept = words;
  std::string out;
  for (auto& w : kept) {
    size_t need = out.empty() ? w.size() : out.size() + 1 + w.size();
    if (need > 32) {
      if (out.empty()) out = w.substr(0, 32);
      break;
    }
    if (!out.empty()) out += '-';
    out += w;
  }
  return out.empty() ? "task" : out;
}

}  // namespace amux::mux
