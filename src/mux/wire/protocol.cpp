// protocol.cpp — frame encoding/decoding and the version handshake.
//
// Why: every amux socket speaks the same tiny typed protocol (protocol.h);
// keeping the byte layout in one file means a limit or a check is enforced
// the same way by the host, the supervisor and every client.
#include "mux/wire/protocol.h"

#include <unistd.h>

#include <string>

namespace amux::mux {

#ifndef AMUX_VERSION
#define AMUX_VERSION "dev"
#endif

namespace {

// Every frame type and its name, in one place: the decoder accepts exactly
// these types, and errors and logs name them from here.
struct TypeName {
  MsgType type;
  const char* name;
};

constexpr TypeName kTypes[] = {
    {MsgType::Hello, "Hello"},       {MsgType::Welcome, "Welcome"}, {MsgType::Error, "Error"},
    {MsgType::Request, "Request"},   {MsgType::Response, "Response"}, {MsgType::Attach, "Attach"},
    {MsgType::Input, "Input"},       {MsgType::Resize, "Resize"},   {MsgType::Detach, "Detach"},
    {MsgType::Output, "Output"},     {MsgType::Exited, "Exited"},   {MsgType::Event, "Event"},
    {MsgType::Leave, "Leave"},
};

const TypeName* find_type(uint8_t t) {
  for (const auto& e : kTypes)
    if (uint8_t(e.type) == t) return &e;
  return nullptr;
}

// True for every type value MsgType defines.
bool known_type(uint8_t t) { return find_type(t) != nullptr; }

}  // namespace

const char* msg_type_name(MsgType t) {
  const TypeName* e = find_type(uint8_t(t));
  return e ? e->name : "unknown";
}

nlohmann::json Frame::json() const {
  if (payload.empty()) return nlohmann::json::object();
  try {
    return nlohmann::json::parse(payload);
  } catch (const nlohmann::json::exception&) {
    throw ProtocolError(std::string("bad JSON in ") + msg_type_name(type) + " frame");
  }
}

std::string encode_frame(MsgType type, std::string_view payload, size_t max) {
  if (payload.size() > max || payload.size() + 1 > UINT32_MAX)
    throw ProtocolError(std::string(msg_type_name(type)) + " frame of " +
                        std::to_string(payload.size()) + " bytes exceeds the limit of " +
                        std::to_string(max));
  const uint32_t len = static_cast<uint32_t>(payload.size() + 1);
  std::string out;
  out.reserve(5 + payload.size());
  out.push_back(static_cast<char>(len & 0xff));
  out.push_back(static_cast<char>((len >> 8) & 0xff));
  out.push_back(static_cast<char>((len >> 16) & 0xff));
  out.push_back(static_cast<char>((len >> 24) & 0xff));
  out.push_back(static_cast<char>(type));
  out.append(payload);
  return out;
}

std::string encode_json(MsgType type, const nlohmann::json& j, size_t max) {
  // replace: a stray invalid UTF-8 byte must not throw in the middle of a reply.
  return encode_frame(type, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), max);
}

void FrameDecoder::append(std::string_view bytes) {
  // Compact once the consumed prefix dominates the buffer, so a long-lived
  // connection neither grows without bound nor memmoves on every frame.
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ >= 4096 && pos_ * 2 >= buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(bytes);
}

std::optional<Frame> FrameDecoder::next() {
  const size_t avail = buf_.size() - pos_;
  if (avail < 4) return std::nullopt;
  const auto* p = reinterpret_cast<const unsigned char*>(buf_.data() + pos_);
  const uint32_t len = uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) |
                       (uint32_t(p[3]) << 24);
  if (len == 0) throw ProtocolError("zero-length frame");
  if (size_t(len) - 1 > max_)
    throw ProtocolError("frame of " + std::to_string(len - 1) + " bytes exceeds the limit of " +
                        std::to_string(max_));
  if (avail >= 5 && !known_type(p[4]))
    throw ProtocolError("unknown frame type " + std::to_string(unsigned(p[4])));
  if (avail < 4 + size_t(len)) return std::nullopt;
  Frame f;
  f.type = static_cast<MsgType>(p[4]);
  f.payload.assign(buf_, pos_ + 5, size_t(len) - 1);
  pos_ += 4 + size_t(len);
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  }
  return f;
}

std::string check_hello(const nlohmann::json& hello) {
  if (!hello.is_object() || !hello.contains("proto"))
    return "not an amux hello (no protocol version)";
  const auto& v = hello["proto"];
  if (!v.is_number_integer()) return "not an amux hello (bad protocol version)";
  const auto got = v.get<int64_t>();
  if (got != kProtocolVersion)
    return "protocol version " + std::to_string(got) + ", expected " +
           std::to_string(kProtocolVersion);
  return "";
}

nlohmann::json make_hello() {
  return {{"proto", kProtocolVersion},
          {"client", std::string("amux ") + AMUX_VERSION},
          {"pid", static_cast<int>(getpid())}};
}

}  // namespace amux::mux
