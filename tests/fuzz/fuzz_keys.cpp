// fuzz_keys.cpp — terminal input bytes through the key and chord decoders.
//
// Why: what a person's terminal sends (or a paste, or a program writing to
// a terminal the host reads) reaches keymap::ChordMatcher in the host and
// the attach client, and view::InputDecoder in the agent view, in pieces cut
// anywhere. Neither may crash, lose or invent bytes: everything fed comes
// out as passthrough bytes or a bound action (attach), or as events
// (view). Key names come from keymap.toml, which a person edits: any text
// given to key_bytes()/key_label() and as bindings must be handled too.
//
// Input: [selector] [cut seed] then bytes. Selector bit 0: the first line
// is a binding list "keys=action;keys=action" for the matcher instead of
// the shipped [attach] table.
#include <string>

#include "fuzz/fuzz_check.h"
#include "keymap/chord.h"
#include "keymap/key_names.h"
#include "keymap/keymap_table.h"
#include "view/key_input.h"

namespace fuzz_keys {

using amux::keymap::Binding;
using amux::keymap::ChordMatcher;

std::vector<Binding> parse_bindings(std::string_view line) {
  std::vector<Binding> out;
  size_t i = 0;
  while (i <= line.size()) {
    size_t end = line.find(';', i);
    if (end == std::string_view::npos) end = line.size();
    std::string_view b = line.substr(i, end - i);
    size_t eq = b.find('=');
    if (eq != std::string_view::npos) out.push_back({std::string(b.substr(0, eq)), std::string(b.substr(eq + 1))});
    i = end + 1;
  }
  return out;
}

// Feeds `bytes` in pieces; the passthrough bytes and the matched keys add
// up to at most what went in.
void run_matcher(ChordMatcher& m, std::string_view bytes, amux::fuzz::Cuts& cuts) {
  size_t out_bytes = 0;
  auto take = [&](const std::vector<ChordMatcher::Event>& evs) {
    for (const auto& e : evs) {
      if (e.kind == ChordMatcher::Event::Passthrough) out_bytes += e.data.size();
      else FUZZ_CHECK(!e.actions.empty() && e.actions[0] == e.data, "action event");  // "" when bound so
    }
  };
  size_t i = 0;
  while (i < bytes.size()) {
    size_t n = cuts.next(bytes.size() - i);
    take(m.feed(bytes.substr(i, n)));
    i += n;
    if (m.expiring() && (n & 1)) take(m.flush());
  }
  take(m.flush());
  m.reset();
  FUZZ_CHECK(!m.pending(), "pending after reset");
  FUZZ_CHECK(out_bytes <= bytes.size(), "the matcher passed through more than it got");
}

}  // namespace fuzz_keys

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace fuzz_keys;
  amux::fuzz::Bytes in(data, size);
  const uint8_t sel = in.byte();
  const uint8_t seed = in.byte();
  std::string_view bytes = in.rest();
  static const amux::keymap::KeymapTable table = amux::keymap::KeymapTable::defaults();

  std::vector<Binding> bindings = table.bindings("attach");
  if (sel & 1) {
    size_t nl = bytes.find('\n');
    bindings = parse_bindings(bytes.substr(0, nl));
    bytes = nl == std::string_view::npos ? std::string_view() : bytes.substr(nl + 1);
  }
  amux::fuzz::Cuts cuts(seed);
  try {
    ChordMatcher m(bindings);
    (void)m.prefix();
    run_matcher(m, bytes, cuts);
  } catch (const std::invalid_argument&) {
    // A binding naming no key: keymap.toml's error.
  }

  // Names: any text as a key name, any bytes as a key.
  std::string name(bytes.substr(0, 64));
  for (const std::string& b : amux::keymap::key_bytes(name)) {
    FUZZ_CHECK(!b.empty(), "empty byte form for '" + name + "'");
    if (auto back = amux::keymap::key_name(b)) FUZZ_CHECK(!back->empty(), "empty key name");
  }
  (void)amux::keymap::key_label(name);
  if (auto n = amux::keymap::key_name(bytes.substr(0, 16))) (void)amux::keymap::key_bytes(*n);

  // The agent view's decoder and its [view] bindings.
  static const amux::view::ActionMap view_map(table, "view");
  amux::view::ActionMap am = view_map;
  amux::view::InputDecoder dec;
  size_t i = 0;
  auto check = [&](const std::vector<amux::view::InputEvent>& evs) {
    for (const auto& e : evs) {
      if (e.kind == amux::view::InputEvent::Mouse) FUZZ_CHECK(e.x >= 0 && e.y >= 0, "mouse position");
      if (e.kind == amux::view::InputEvent::Key) FUZZ_CHECK(!e.bytes.empty(), "empty key");
      (void)am.actions(e);
    }
  };
  while (i < bytes.size()) {
    size_t n = cuts.next(bytes.size() - i);
    check(dec.feed(bytes.substr(i, n)));
    i += n;
  }
  check(dec.flush());
  // Only an unfinished paste waits past the escape time, until its end.
  if (dec.pending()) {
    auto evs = dec.feed("\x1b[201~");
    check(evs);
    check(dec.flush());
    FUZZ_CHECK(!evs.empty() && evs.back().kind == amux::view::InputEvent::Paste, "no paste to end");
  }
  FUZZ_CHECK(!dec.pending(), "input pending after flush");
  return 0;
}
