// fuzz_text.cpp — text a session controls on its way to a person's
// terminal: render/safe_text (names, details, titles, errors) and the
// desktop notifications a program asks for (OSC 9, 99, 777).
//
// Why: sanitize() is the one gate between a session's bytes and the
// terminal of whoever lists or views sessions. Whatever goes in, what comes
// out must be valid UTF-8 of printable code points only (no C0/C1 control,
// no DEL, no bidi control), fit() must never exceed its width, json_safe()
// must keep a JSON document's value. The notify parser keeps state across
// OSC strings (kitty's chunks) and must never crash on any of them.
//
// Input: [width] then the text; for the OSC parser the text is split at
// each BEL into OSC strings.
#include <string>

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_check.h"
#include "render/osc_notify.h"
#include "render/safe_text.h"
#include "render/utf8.h"

namespace fuzz_text {

// Every code point of `s` is valid UTF-8 and passes `ok`; newlines only when allowed.
void check_clean(const std::string& s, bool lines) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    char32_t cp;
    size_t n;
    if (b < 0x80) { cp = b; n = 1; }
    else if ((b & 0xE0) == 0xC0) { cp = b & 0x1F; n = 2; }
    else if ((b & 0xF0) == 0xE0) { cp = b & 0x0F; n = 3; }
    else if ((b & 0xF8) == 0xF0) { cp = b & 0x07; n = 4; }
    else FUZZ_CHECK(false, "invalid UTF-8 lead byte out of sanitize");
    FUZZ_CHECK(i + n <= s.size(), "cut UTF-8 sequence out of sanitize");
    for (size_t k = 1; k < n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      FUZZ_CHECK((c & 0xC0) == 0x80, "invalid UTF-8 continuation out of sanitize");
      cp = (cp << 6) | (c & 0x3F);
    }
    const size_t min_len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    FUZZ_CHECK(n == min_len, "overlong UTF-8 out of sanitize");
    if (!(lines && cp == '\n'))
      FUZZ_CHECK(amux::render::printable(cp), "unprintable U+" + std::to_string(uint32_t(cp)) + " out of sanitize");
    i += n;
  }
}

}  // namespace fuzz_text

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace amux::render;
  amux::fuzz::Bytes in(data, size);
  const int width = in.byte() % 90;
  const std::string text(in.rest());

  const std::string one = sanitize(text);
  fuzz_text::check_clean(one, false);
  FUZZ_CHECK(sanitize(one) == one, "sanitize is not idempotent");
  fuzz_text::check_clean(sanitize_lines(text), true);
  const int w = display_width(one);
  FUZZ_CHECK(w >= 0, "negative width");
  const std::string cut = fit(one, width);
  FUZZ_CHECK(display_width(cut) <= width, "fit() is wider than asked");
  fuzz_text::check_clean(cut, false);
  const std::string padded = fit_pad(one, width, width & 1);
  FUZZ_CHECK(display_width(padded) == width, "fit_pad() is not exactly as wide as asked");

  // A JSON document made safe keeps its value.
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_discarded()) {
    const std::string dumped = j.dump();
    nlohmann::json back = nlohmann::json::parse(json_safe(dumped), nullptr, false);
    FUZZ_CHECK(!back.is_discarded() && back == j, "json_safe changed the document");
  }

  NotifyParser p;
  size_t i = 0;
  while (i <= text.size()) {
    size_t end = text.find('\a', i);
    if (end == std::string::npos) end = text.size();
    Notification n;
    if (p.parse(std::string_view(text).substr(i, end - i), n))
      FUZZ_CHECK(n.osc == 9 || n.osc == 99 || n.osc == 777, "notification from another OSC");
    i = end + 1;
  }
  return 0;
}
