// protocol.h — the framed protocol spoken on every amux socket.
//
// Why: clients, session hosts and the supervisor exchange small typed
// messages over unix sockets. Each frame is
//     u32 little-endian length (of type byte + payload) | u8 type | payload
// Every frame is size-limited (kMaxFrame); a connection starts with Hello and
// a Welcome or Error answer carrying the protocol version, so an old client
// and a new host refuse each other plainly. Control payloads are JSON
// (nlohmann); terminal bytes (Input, Output) are raw. A malformed frame is an
// error that closes only that connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace amux::mux {

inline constexpr int kProtocolVersion = 1;
inline constexpr size_t kMaxFrame = 8u << 20;   // 8 MiB: a full 300x100 dump fits easily
inline constexpr size_t kMaxInputFrame = 64u << 10;

enum class MsgType : uint8_t {
  Hello = 1,      // C→S json {"proto":1,"client":"amux <ver>","pid":N}
  Welcome = 2,    // S→C json {"proto":1,"server":"host"|"supervisor","id":...}
  Error = 3,      // either way: json {"error":"one line"}
  Request = 4,    // C→S json {"op":..., ...}
  Response = 5,   // S→C json {"ok":true,...} | {"ok":false,"error":"..."}
  Attach = 10,    // C→H json {"rows":R,"cols":C,"term":"xterm-256color","truecolor":bool,"colors":bool,
                  //   "input":bool,"bindings":[{"keys":"C-\\","action":"detach"},...]}; may carry the
                  //   client's terminal (SCM_RIGHTS): the host then writes frames to it and, with
                  //   "input", reads the keys from it, matching the bindings itself
  Input = 11,     // C→H raw bytes for the PTY
  Resize = 12,    // C→H json {"rows":R,"cols":C}
  Detach = 13,    // C→H empty
  Output = 14,    // H→C raw bytes for the client's terminal (rendered, never PTY passthrough)
  Exited = 15,    // H→C json: session record subset {"state","exitCode"|"signal","detail"}
  Event = 16,     // S→C json: pushed updates for subscribers (state changes, tiles)
  Leave = 17,     // H→C json {"action":"detach"|"next"|"previous"|"back"}: a binding was typed
                  //   on a terminal the host reads; the host has let go of it
};

const char* msg_type_name(MsgType t);

struct Frame {
  MsgType type{};
  std::string payload;
  nlohmann::json json() const;  // parse payload; throws ProtocolError when not JSON
};

struct ProtocolError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Encode one frame. Throws ProtocolError if payload exceeds the limit.
std::string encode_frame(MsgType type, std::string_view payload, size_t max = kMaxFrame);
std::string encode_json(MsgType type, const nlohmann::json& j, size_t max = kMaxFrame);

// Incremental decoder: append bytes as they arrive, then take whole frames.
class FrameDecoder {
 public:
  explicit FrameDecoder(size_t max_frame = kMaxFrame) : max_(max_frame) {}
  void append(std::string_view bytes);
  // A whole frame when one is buffered; nullopt when more bytes are needed.
  // Throws ProtocolError on an oversized frame, zero length or unknown type.
  std::optional<Frame> next();
  size_t buffered() const { return buf_.size() - pos_; }
  // The bytes not yet returned as frames (to hand to another decoder).
  std::string take_rest() {
    std::string rest = buf_.substr(pos_);
    buf_.clear();
    pos_ = 0;
    return rest;
  }

 private:
  std::string buf_;
  size_t pos_ = 0;
  size_t max_;
};

// Checks a Hello payload; returns "" when acceptable, else the error line.
std::string check_hello(const nlohmann::json& hello);
nlohmann::json make_hello();

}  // namespace amux::mux
