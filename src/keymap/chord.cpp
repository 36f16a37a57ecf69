// chord.cpp — binding matcher over raw input bytes (see chord.h).
#include "keymap/chord.h"

#include <algorithm>
#include <stdexcept>
#include <string_view>

#include "keymap/key_names.h"

namespace amux::keymap {

ChordMatcher::ChordMatcher(const std::vector<Binding>& bindings) {
  bool send_prefix_seen = false;
  for (const auto& b : bindings) {
    Seq s;
    s.action = b.action;
    // Key names separated by blanks (no iostreams: the host links this).
    std::string_view rest = b.keys;
    while (!rest.empty()) {
      size_t start = rest.find_first_not_of(" \t");
      if (start == std::string_view::npos) break;
      size_t end = rest.find_first_of(" \t", start);
      std::string key(rest.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
      auto bytes = key_bytes(key);
      if (bytes.empty()) throw std::invalid_argument("unknown key '" + key + "' in binding '" + b.keys + "'");
      s.keys.push_back(std::move(bytes));
    }
    if (s.keys.empty()) throw std::invalid_argument("empty key binding for '" + b.action + "'");
    // A key's first byte form is the one a program reads for it ("\x02" for C-b).
    if (s.keys.size() > 1 && (prefix_.empty() || (b.action == "send-prefix" && !send_prefix_seen)))
      prefix_ = s.keys[0][0];
    if (s.keys.size() > 1 && b.action == "send-prefix") send_prefix_seen = true;
    seqs_.push_back(std::move(s));
  }
}

namespace {
// Partial: buf ends between two keys of the chord (a whole prefix typed).
// InKey: buf ends inside the byte form of one key (ESC of ESC [ A).
enum class Match { None, Partial, InKey, Full };

// Does seq match buf starting at pos? On Full, *len is the bytes consumed.
Match match_seq(const std::vector<std::vector<std::string>>& keys, std::string_view buf, size_t pos,
                size_t* len) {
  size_t p = pos;
  for (const auto& alts : keys) {
    bool full = false, partial = false;
    size_t best = 0;
    for (const auto& a : alts) {
      std::string_view rest = buf.substr(p);
      if (rest.size() >= a.size() && rest.compare(0, a.size(), a) == 0) {
        if (a.size() > best) best = a.size();
        full = true;
      } else if (rest.size() < a.size() && a.compare(0, rest.size(), rest) == 0) {
        partial = true;
      }
    }
    if (full) { p += best; continue; }
    if (!partial) return Match::None;
    return p == buf.size() ? Match::Partial : Match::InKey;
  }
  *len = p - pos;
  return Match::Full;
}
}  // namespace

std::vector<ChordMatcher::Event> ChordMatcher::feed(std::string_view bytes) {
  std::string buf = pending_;
  buf.append(bytes);
  return run(std::move(buf), false);
}

std::vector<ChordMatcher::Event> ChordMatcher::flush() {
  if (!expiring_) return {};
  return run(std::move(pending_), true);
}

// final: no more bytes are coming for a key begun in buf, so a match that
// ends inside a key's byte form is no match.
std::vector<ChordMatcher::Event> ChordMatcher::run(std::string buf, bool final) {
  pending_.clear();
  expiring_ = false;
  std::vector<Event> out;
  auto pass = [&](char c) {
    if (out.empty() || out.back().kind != Event::Passthrough) out.push_back({Event::Passthrough, ""});
    out.back().data.push_back(c);
  };
  size_t i = 0;
  while (i < buf.size()) {
    bool partial = false, in_key = false;
    size_t len = 0;
    const Seq* hit = nullptr;
    for (const auto& s : seqs_) {
      size_t l = 0;
      Match m = match_seq(s.keys, buf, i, &l);
      if (m == Match::Full && (!hit || l > len)) { hit = &s; len = l; }
      if (m == Match::Partial) partial = true;
      if (m == Match::InKey && !final) in_key = true;
    }
    // Wait for the rest of a chord that is still arriving; only a whole
    // prefix key waits without a deadline.
    if ((partial || in_key) && !hit) {
      pending_ = buf.substr(i);
      expiring_ = !partial;
      return out;
    }
    if (hit) {
      Event ev{Event::Action, hit->action};
      for (const auto& s : seqs_) {
        size_t l = 0;
        if (match_seq(s.keys, buf, i, &l) == Match::Full && l == len &&
            std::find(ev.actions.begin(), ev.actions.end(), s.action) == ev.actions.end())
          ev.actions.push_back(s.action);
      }
      out.push_back(std::move(ev));
      i += len;
      continue;
    }
    pass(buf[i]);
    i++;
  }
  return out;
}

}  // namespace amux::keymap
