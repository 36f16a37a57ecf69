// host_client.h — a blocking client for one-shot requests to a session host
// or the supervisor (capture, logs, reply, stop, state).
//
// Why: CLI commands are short-lived; a plain blocking socket with a timeout
// is simpler and as fast as a loop. The interactive attach client uses libuv
// instead (src/cli/). Errors are one-line strings.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "mux/wire/protocol.h"
#include "pty/unique_fd.h"

namespace amux::mux {

class HostClient {
 public:
  HostClient() = default;
  ~HostClient();
  HostClient(HostClient&&) noexcept;
  HostClient& operator=(HostClient&&) noexcept;

  // Connect + Hello/Welcome. "" or a one-line error ("no session host at …").
  // `after_hello` (optional) runs between sending Hello and waiting for
  // Welcome, to send a frame without waiting a round trip; a non-empty
  // string it returns fails the connect.
  std::string connect(const std::string& socket_path, int timeout_ms = 3000,
                      const std::function<std::string()>& after_hello = nullptr);
  const nlohmann::json& welcome() const { return welcome_; }

  // Send a Request and wait for its Response. On transport failure returns
  // {"ok":false,"error":"..."}.
  nlohmann::json request(const nlohmann::json& req, int timeout_ms = 10000);

  // Raw frame access (used for logs -f streaming). With pass_fd >= 0 the
  // descriptor goes along with the frame (SCM_RIGHTS): the attach client
  // hands the host its terminal this way.
  std::string send(MsgType t, std::string_view payload, int pass_fd = -1);
  // Wait for the next frame; nullopt on timeout/close (error set).
  std::optional<Frame> receive(int timeout_ms, std::string* error = nullptr);

  int fd() const { return fd_.get(); }
  // Bytes already read from the socket that are not yet frames handed out
  // (what came right behind Welcome), for whoever reads the socket next.
  std::string take_buffered() { return dec_.take_rest(); }
  void close();

 private:
  pty::UniqueFd fd_;
  std::string path_;  // for error lines
  FrameDecoder dec_;
  nlohmann::json welcome_;
};

}  // namespace amux::mux
