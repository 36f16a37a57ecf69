// host_client.cpp — blocking one-shot client for a host or supervisor socket.
//
// Why: short CLI commands (capture, logs, reply, stop, state) need one
// request and one answer; a blocking socket with poll() deadlines is the
// simplest correct tool. Every failure becomes one plain line.
#include "mux/wire/host_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "mux/store/paths.h"

namespace amux::mux {

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kSendTimeoutMs = 10000;

// Milliseconds left until deadline (never negative); -1 for "no deadline".
int remaining_ms(const std::optional<Clock::time_point>& deadline) {
  if (!deadline) return -1;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now());
  return left.count() > 0 ? int(left.count()) : 0;
}

std::optional<Clock::time_point> deadline_in(int timeout_ms) {
  if (timeout_ms < 0) return std::nullopt;
  return Clock::now() + std::chrono::milliseconds(timeout_ms);
}

}  // namespace

HostClient::~HostClient() { close(); }

HostClient::HostClient(HostClient&& o) noexcept
    : fd_(std::move(o.fd_)), path_(std::move(o.path_)), dec_(std::move(o.dec_)),
      welcome_(std::move(o.welcome_)) {}

HostClient& HostClient::operator=(HostClient&& o) noexcept {
  if (this != &o) {
    close();
    fd_ = std::move(o.fd_);
    path_ = std::move(o.path_);
    dec_ = std::move(o.dec_);
    welcome_ = std::move(o.welcome_);
  }
  return *this;
}

void HostClient::close() {
  fd_.reset();
  dec_ = FrameDecoder();
}

std::string HostClient::connect(const std::string& socket_path, int timeout_ms,
                                const std::function<std::string()>& after_hello) {
  close();
  path_ = socket_path;
  welcome_ = nlohmann::json();
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() > max_socket_path()) return "socket path too long: " + socket_path;
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);

  const auto deadline = deadline_in(timeout_ms);
  fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd_) return std::string("cannot create a socket: ") + std::strerror(errno);
  auto fail = [&](std::string msg) {
    close();
    return msg;
  };
  for (;;) {
    if (::connect(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) break;
    int err = errno;
    if (err == EINTR) continue;
    if (err == EAGAIN) {  // listen backlog full: the host is busy, retry briefly
      if (remaining_ms(deadline) == 0) return fail("timed out talking to " + path_);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    if (err == EINPROGRESS) {
      pollfd p{fd_.get(), POLLOUT, 0};
      int rc = ::poll(&p, 1, remaining_ms(deadline));
      if (rc == 0) return fail("timed out talking to " + path_);
      int soerr = 0;
      socklen_t len = sizeof soerr;
      ::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &soerr, &len);
      if (soerr == 0) break;
      err = soerr;
    }
    if (err == ENOENT || err == ECONNREFUSED) return fail("no session host at " + path_);
    return fail("cannot connect to " + path_ + ": " + std::strerror(err));
  }

  if (std::string err = send(MsgType::Hello, make_hello().dump()); !err.empty())
    return fail(err);
  if (after_hello)
    if (std::string err = after_hello(); !err.empty()) return fail(err);
  std::string err;
  auto f = receive(remaining_ms(deadline), &err);
  if (!f) return fail(err);
  try {
    if (f->type == MsgType::Error)
      return fail(f->json().value("error", std::string("the host refused the connection")));
    if (f->type != MsgType::Welcome)
      return fail(std::string("unexpected ") + msg_type_name(f->type) + " from " + path_);
    welcome_ = f->json();
  } catch (const std::exception& e) {
    return fail(std::string("bad answer from ") + path_ + ": " + e.what());
  }
  return "";
}

std::string HostClient::send(MsgType t, std::string_view payload, int pass_fd) {
  if (!fd_) return "not connected";
  std::string bytes;
  try {
    bytes = encode_frame(t, payload);
  } catch (const ProtocolError& e) {
    return e.what();
  }
  const auto deadline = deadline_in(kSendTimeoutMs);
  std::string_view rest(bytes);
  while (!rest.empty()) {
    ssize_t n;
    if (pass_fd >= 0) {
      // The descriptor travels with the first byte that goes out.
      union {
        char buf[CMSG_SPACE(sizeof(int))];
        cmsghdr align;
      } ctl{};
      iovec iov{const_cast<char*>(rest.data()), rest.size()};
      msghdr msg{};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = ctl.buf;
      msg.msg_controllen = sizeof ctl.buf;
      cmsghdr* cm = CMSG_FIRSTHDR(&msg);
      cm->cmsg_level = SOL_SOCKET;
      cm->cmsg_type = SCM_RIGHTS;
      cm->cmsg_len = CMSG_LEN(sizeof(int));
      std::memcpy(CMSG_DATA(cm), &pass_fd, sizeof pass_fd);
      n = ::sendmsg(fd_.get(), &msg, MSG_NOSIGNAL);
      if (n > 0) pass_fd = -1;
    } else {
      n = ::send(fd_.get(), rest.data(), rest.size(), MSG_NOSIGNAL);
    }
    if (n >= 0) {
      rest.remove_prefix(size_t(n));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) {
      pollfd p{fd_.get(), POLLOUT, 0};
      if (::poll(&p, 1, remaining_ms(deadline)) == 0) return "timed out talking to " + path_;
      continue;
    }
    if (errno == EPIPE || errno == ECONNRESET) return "host closed the connection";
    return "cannot write to " + path_ + ": " + std::strerror(errno);
  }
  return "";
}

std::optional<Frame> HostClient::receive(int timeout_ms, std::string* error) {
  auto set_error = [&](std::string msg) {
    if (error) *error = std::move(msg);
    return std::nullopt;
  };
  if (!fd_) return set_error("not connected");
  const auto deadline = deadline_in(timeout_ms);
  char buf[65536];
  for (;;) {
    try {
      if (auto f = dec_.next()) return f;
    } catch (const ProtocolError& e) {
      return set_error("bad frame from " + path_ + ": " + e.what());
    }
    pollfd p{fd_.get(), POLLIN, 0};
    int rc = ::poll(&p, 1, remaining_ms(deadline));
    if (rc < 0) {
      if (errno == EINTR) continue;
      return set_error(std::string("poll: ") + std::strerror(errno));
    }
    if (rc == 0) return set_error("timed out talking to " + path_);
    ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
    if (n == 0) return set_error("host closed the connection");
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      if (errno == ECONNRESET) return set_error("host closed the connection");
      return set_error("cannot read from " + path_ + ": " + std::strerror(errno));
    }
    dec_.append(std::string_view(buf, size_t(n)));
  }
}

nlohmann::json HostClient::request(const nlohmann::json& req, int timeout_ms) {
  auto failure = [](std::string msg) {
    return nlohmann::json{{"ok", false}, {"error", std::move(msg)}};
  };
  if (std::string err = send(MsgType::Request,
                             req.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      !err.empty())
    return failure(err);
  const auto deadline = deadline_in(timeout_ms);
  for (;;) {
    std::string err;
    auto f = receive(remaining_ms(deadline), &err);
    if (!f) return failure(err);
    try {
      if (f->type == MsgType::Response) return f->json();
      if (f->type == MsgType::Error)
        return failure(f->json().value("error", std::string("request refused")));
    } catch (const std::exception& e) {
      return failure(std::string("bad answer from ") + path_ + ": " + e.what());
    }
    // Anything else (Event, Output) belongs to a stream the caller is not
    // reading here; skip it.
  }
}

}  // namespace amux::mux
