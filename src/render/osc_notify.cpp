// osc_notify.cpp — see osc_notify.h.
#include "render/osc_notify.h"

#include <cctype>
#include <cstdint>

#include "render/utf8.h"

namespace amux::render {

namespace {

constexpr size_t kMaxField = 4096;

// Drops control characters and caps the length (on a UTF-8 boundary).
std::string clean(std::string_view s) {
  std::string out;
  out.reserve(s.size() < kMaxField ? s.size() : kMaxField);
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) continue;
    out.push_back(ch);
  }
  if (out.size() > kMaxField) {
    size_t n = kMaxField;
    while (n > 0 && utf8::is_continuation(static_cast<unsigned char>(out[n]))) --n;
    out.resize(n);
  }
  return out;
}

std::string base64_decode(std::string_view in) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = val(c);
    if (v < 0) continue;  // padding, whitespace
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(char((acc >> bits) & 0xFF));
    }
  }
  return out;
}

// ConEmu uses OSC 9;<number>;... for other things (progress bars, sleeps):
// those are not notifications.
bool conemu_command(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  return i > 0 && (i == text.size() || text[i] == ';');
}

}  // namespace

bool NotifyParser::parse(std::string_view osc, Notification& out) {
  size_t semi = osc.find(';');
  if (semi == std::string_view::npos) return false;
  std::string_view num = osc.substr(0, semi);
  std::string_view rest = osc.substr(semi + 1);

  if (num == "9") {
    if (rest.empty() || conemu_command(rest)) return false;
    out = Notification{9, "", clean(rest)};
    return true;
  }

  if (num == "777") {
    // notify;title;body (the body may itself contain ';')
    if (rest.substr(0, 7) != "notify;") return false;
    rest.remove_prefix(7);
    size_t s2 = rest.find(';');
    std::string_view title = s2 == std::string_view::npos ? rest : rest.substr(0, s2);
    std::string_view body = s2 == std::string_view::npos ? std::string_view{} : rest.substr(s2 + 1);
    out = Notification{777, clean(title), clean(body)};
    return true;
  }

  if (num == "99") {
    // metadata;payload with metadata "key=value:key=value"
    size_t s2 = rest.find(';');
    std::string_view meta = s2 == std::string_view::npos ? rest : rest.substr(0, s2);
    std::string_view payload = s2 == std::string_view::npos ? std::string_view{} : rest.substr(s2 + 1);
    std::string id;
    std::string_view type = "title";
    bool done = true, b64 = false;
    while (!meta.empty()) {
      size_t colon = meta.find(':');
      std::string_view kv = meta.substr(0, colon);
      meta = colon == std::string_view::npos ? std::string_view{} : meta.substr(colon + 1);
      size_t eq = kv.find('=');
      if (eq == std::string_view::npos) continue;
      std::string_view k = kv.substr(0, eq), v = kv.substr(eq + 1);
      if (k == "i") id = std::string(v);
      else if (k == "d") done = v != "0";
      else if (k == "p") type = v;
      else if (k == "e") b64 = v == "1";
    }
    if (type != "title" && type != "body") return false;  // close, ?, icon...
    std::string text = b64 ? base64_decode(payload) : std::string(payload);
    if (!kitty_pending_ || kitty_id_ != id) {
      kitty_title_.clear();
      kitty_body_.clear();
      kitty_id_ = id;
    }
    std::string& field = type == "title" ? kitty_title_ : kitty_body_;
    if (field.size() < kMaxField) field += text;
    if (!done) {
      kitty_pending_ = true;
      return false;
    }
    kitty_pending_ = false;
    out = Notification{99, clean(kitty_title_), clean(kitty_body_)};
    kitty_title_.clear();
    kitty_body_.clear();
    return !(out.title.empty() && out.body.empty());
  }
  return false;
}

}  // namespace amux::render
