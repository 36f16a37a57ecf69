// test_mux_protocol.cpp — framing, the decoder's limits, and the handshake.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "mux/wire/host_client.h"
#include "mux/wire/ops.h"
#include "mux/wire/protocol.h"

using namespace amux::mux;

namespace {

std::string le32(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[size_t(i)] = char((v >> (8 * i)) & 0xff);
  return s;
}

}  // namespace

TEST(MuxProtocol, EncodeLayoutIsLengthTypePayload) {
  std::string f = encode_frame(MsgType::Input, "abc");
  ASSERT_EQ(f.size(), 4u + 1u + 3u);
  EXPECT_EQ(f.substr(0, 4), le32(4));
  EXPECT_EQ(uint8_t(f[4]), uint8_t(MsgType::Input));
  EXPECT_EQ(f.substr(5), "abc");
}

TEST(MuxProtocol, RoundTripSeveralFrames) {
  std::string big(100000, 'x');
  big[500] = '\0';  // raw bytes, NULs included
  std::string stream = encode_frame(MsgType::Output, big) + encode_frame(MsgType::Detach, "") +
                       encode_json(MsgType::Request, {{"op", "state"}}) +
                       encode_frame(MsgType::Input, std::string("\x1b[A\xff", 4));
  FrameDecoder d;
  d.append(stream);
  auto f1 = d.next();
  ASSERT_TRUE(f1);
  EXPECT_EQ(f1->type, MsgType::Output);
  EXPECT_EQ(f1->payload, big);
  auto f2 = d.next();
  ASSERT_TRUE(f2);
  EXPECT_EQ(f2->type, MsgType::Detach);
  EXPECT_EQ(f2->payload, "");
  EXPECT_TRUE(f2->json().is_object());
  auto f3 = d.next();
  ASSERT_TRUE(f3);
  EXPECT_EQ(f3->type, MsgType::Request);
  EXPECT_EQ(f3->json()["op"], "state");
  auto f4 = d.next();
  ASSERT_TRUE(f4);
  EXPECT_EQ(f4->payload, std::string("\x1b[A\xff", 4));
  EXPECT_FALSE(d.next());
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(MuxProtocol, SplitDeliveryByteByByte) {
  std::vector<std::pair<MsgType, std::string>> sent = {
      {MsgType::Hello, make_hello().dump()},
      {MsgType::Output, std::string(3000, 'o')},
      {MsgType::Resize, R"({"rows":24,"cols":80})"},
      {MsgType::Detach, ""},
  };
  std::string stream;
  for (auto& [t, p] : sent) stream += encode_frame(t, p);
  FrameDecoder d;
  std::vector<Frame> got;
  for (char c : stream) {
    d.append(std::string_view(&c, 1));
    while (auto f = d.next()) got.push_back(*f);
  }
  ASSERT_EQ(got.size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(got[i].type, sent[i].first);
    EXPECT_EQ(got[i].payload, sent[i].second);
  }
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(MuxProtocol, PartialHeaderWaits) {
  FrameDecoder d;
  std::string f = encode_frame(MsgType::Input, "hello");
  d.append(f.substr(0, 3));
  EXPECT_FALSE(d.next());
  d.append(f.substr(3, 4));
  EXPECT_FALSE(d.next());
  d.append(f.substr(7));
  auto fr = d.next();
  ASSERT_TRUE(fr);
  EXPECT_EQ(fr->payload, "hello");
}

TEST(MuxProtocol, LongStreamStaysCompact) {
  // Many small frames with a partial one always pending: exercises the
  // decoder's compaction of its consumed prefix.
  FrameDecoder d;
  std::string one = encode_frame(MsgType::Output, std::string(95, 'z'));
  std::string fifty;
  for (int i = 0; i < 50; ++i) fifty += one;
  size_t frames = 0;
  for (int i = 0; i < 2000; ++i) {
    d.append(fifty.substr(0, fifty.size() - 40));
    while (auto f = d.next()) {
      EXPECT_EQ(f->payload, std::string(95, 'z'));
      ++frames;
    }
    EXPECT_EQ(d.buffered(), one.size() - 40);
    d.append(fifty.substr(fifty.size() - 40));
    while (auto f = d.next()) ++frames;
  }
  EXPECT_EQ(frames, 100000u);
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(MuxProtocol, OversizedFrameIsAnError) {
  FrameDecoder d(16);
  d.append(encode_frame(MsgType::Input, std::string(16, 'a'), 16));  // exactly the limit: ok
  auto f = d.next();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->payload.size(), 16u);
  // A header announcing more than the limit fails before the body arrives.
  d.append(le32(18));
  EXPECT_THROW(d.next(), ProtocolError);

  FrameDecoder big;
  big.append(le32(0xffffffffu));
  EXPECT_THROW(big.next(), ProtocolError);

  EXPECT_THROW(encode_frame(MsgType::Input, std::string(17, 'a'), 16), ProtocolError);
  EXPECT_THROW(encode_frame(MsgType::Output, std::string(kMaxFrame + 1, 'a')), ProtocolError);
}

TEST(MuxProtocol, ZeroLengthIsAnError) {
  FrameDecoder d;
  d.append(le32(0));
  EXPECT_THROW(d.next(), ProtocolError);
}

TEST(MuxProtocol, UnknownTypeIsAnError) {
  for (uint8_t t : {uint8_t(0), uint8_t(6), uint8_t(9), uint8_t(18), uint8_t(255)}) {
    FrameDecoder d;
    d.append(le32(3) + std::string(1, char(t)) + "ab");
    EXPECT_THROW(d.next(), ProtocolError) << "type " << int(t);
  }
  // The type is rejected as soon as its byte arrives, before the payload.
  FrameDecoder d;
  d.append(le32(1000) + std::string(1, char(99)));
  EXPECT_THROW(d.next(), ProtocolError);
}

TEST(MuxProtocol, GarbageNeverCrashes) {
  // HTTP on the socket: "GET " read as a length is far beyond the limit.
  FrameDecoder http;
  http.append("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_THROW(http.next(), ProtocolError);

  std::mt19937 rng(12345);
  int errors = 0;
  for (int round = 0; round < 2000; ++round) {
    FrameDecoder d(4096);
    std::string junk(size_t(rng() % 64), '\0');
    for (auto& c : junk) c = char(rng());
    d.append(junk);
    try {
      while (d.next()) {
      }
    } catch (const ProtocolError&) {
      ++errors;
    }
  }
  EXPECT_GT(errors, 1000);  // nearly all random prefixes are rejected
}

TEST(MuxProtocol, BadJsonPayloadThrowsProtocolError) {
  Frame f{MsgType::Request, "{not json"};
  EXPECT_THROW(f.json(), ProtocolError);
  Frame ok{MsgType::Request, R"({"op":"capture","sgr":true})"};
  EXPECT_EQ(ok.json()["sgr"], true);
}

TEST(MuxProtocol, Handshake) {
  auto h = make_hello();
  EXPECT_EQ(h["proto"], kProtocolVersion);
  EXPECT_TRUE(h["client"].get<std::string>().rfind("amux ", 0) == 0);
  EXPECT_GT(h["pid"].get<int>(), 0);
  EXPECT_EQ(check_hello(h), "");
  EXPECT_EQ(check_hello({{"proto", 2}}), "protocol version 2, expected 1");
  EXPECT_EQ(check_hello({{"proto", 0}}), "protocol version 0, expected 1");
  EXPECT_NE(check_hello(nlohmann::json::object()), "");
  EXPECT_NE(check_hello({{"proto", "1"}}), "");
  EXPECT_NE(check_hello(nlohmann::json::array()), "");
}

TEST(MuxProtocol, TypeNames) {
  EXPECT_STREQ(msg_type_name(MsgType::Hello), "Hello");
  EXPECT_STREQ(msg_type_name(MsgType::Output), "Output");
  EXPECT_STREQ(msg_type_name(MsgType(200)), "unknown");
}

// Every named frame type decodes; a value without a name does not.
TEST(MuxProtocol, DecoderKnowsExactlyTheNamedTypes) {
  for (unsigned t = 0; t < 256; ++t) {
    std::string frame("\x01\x00\x00\x00", 4);
    frame.push_back(char(t));
    FrameDecoder dec;
    dec.append(frame);
    const bool named = std::string(msg_type_name(MsgType(t))) != "unknown";
    if (named) {
      auto f = dec.next();
      ASSERT_TRUE(f.has_value()) << t;
      EXPECT_EQ(unsigned(f->type), t);
    } else {
      EXPECT_THROW(dec.next(), ProtocolError) << t;
    }
  }
}

// Each op has one name, and the name leads back to the op.
TEST(MuxProtocol, OpNamesRoundTrip) {
  std::vector<std::string> names;
  for (int i = 0; i <= int(Op::Watch); ++i) {
    const Op op = Op(i);
    const std::string name(op_name(op));
    EXPECT_NE(name, "unknown") << i;
    auto back = parse_op(name);
    ASSERT_TRUE(back.has_value()) << name;
    EXPECT_EQ(*back, op) << name;
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
  EXPECT_EQ(op_name(Op::ScreenWatch), "screen_watch");
  EXPECT_EQ(op_name(Op::SetLinger), "set_linger");
  EXPECT_FALSE(parse_op("nope").has_value());
  EXPECT_FALSE(parse_op("").has_value());
}

// ---- HostClient against a scripted fake host -------------------------------

namespace {

// Listens on a temp socket; serves one connection with `script` in a thread.
struct FakeHost {
  std::string dir, path;
  int lfd = -1;
  std::thread th;
  explicit FakeHost(std::function<void(int fd)> script, bool listen_now = true) {
    char t[] = "/tmp/amuxf-XXXXXX";
    dir = ::mkdtemp(t);
    path = dir + "/h.sock";
    lfd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    EXPECT_EQ(::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    if (!listen_now) return;
    EXPECT_EQ(::listen(lfd, 4), 0);
    th = std::thread([this, script] {
      int fd = ::accept(lfd, nullptr, nullptr);
      if (fd < 0) return;
      script(fd);
      ::close(fd);
    });
  }
  ~FakeHost() {
    ::shutdown(lfd, SHUT_RDWR);
    if (th.joinable()) th.join();
    ::close(lfd);
    std::filesystem::remove_all(dir);
  }
};

// Read one frame (blocking); nullopt on EOF.
std::optional<Frame> read_frame(int fd, FrameDecoder& d) {
  char buf[4096];
  for (;;) {
    if (auto f = d.next()) return f;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return std::nullopt;
    d.append(std::string_view(buf, size_t(n)));
  }
}

void write_str(int fd, const std::string& s) {
  ASSERT_EQ(::send(fd, s.data(), s.size(), MSG_NOSIGNAL), ssize_t(s.size()));
}

}  // namespace

TEST(MuxHostClient, NoHost) {
  HostClient hc;
  EXPECT_EQ(hc.connect("/tmp/amux-no-such-dir/x.sock"), "no session host at /tmp/amux-no-such-dir/x.sock");
  FakeHost bound_only([](int) {}, false);  // a stale socket file: ECONNREFUSED
  EXPECT_EQ(hc.connect(bound_only.path), "no session host at " + bound_only.path);
  EXPECT_NE(hc.connect("/tmp/" + std::string(200, 'x')).find("too long"), std::string::npos);
}

TEST(MuxHostClient, SilentHostTimesOut) {
  FakeHost h([](int fd) {
    char b[256];
    while (::read(fd, b, sizeof b) > 0) {
    }
  });
  HostClient hc;
  EXPECT_EQ(hc.connect(h.path, 300), "timed out talking to " + h.path);
  EXPECT_EQ(hc.fd(), -1);
}

TEST(MuxHostClient, HostErrorTextIsTheError) {
  FakeHost h([](int fd) {
    FrameDecoder d;
    auto hello = read_frame(fd, d);
    ASSERT_TRUE(hello);
    EXPECT_EQ(hello->type, MsgType::Hello);
    EXPECT_EQ(check_hello(hello->json()), "");
    write_str(fd, encode_json(MsgType::Error, {{"error", "protocol version 1, expected 2"}}));
  });
  HostClient hc;
  EXPECT_EQ(hc.connect(h.path), "protocol version 1, expected 2");
}

TEST(MuxHostClient, RequestResponseAndClose) {
  FakeHost h([](int fd) {
    FrameDecoder d;
    ASSERT_TRUE(read_frame(fd, d));
    write_str(fd, encode_json(MsgType::Welcome, {{"proto", 1}, {"server", "host"}, {"id", "abcd0123"}}));
    auto req = read_frame(fd, d);
    ASSERT_TRUE(req);
    EXPECT_EQ(req->type, MsgType::Request);
    EXPECT_EQ(req->json()["op"], "state");
    // An unrelated event first: request() skips it.
    write_str(fd, encode_json(MsgType::Event, {{"text", "noise"}}) +
                      encode_json(MsgType::Response, {{"ok", true}, {"n", 7}}));
    req = read_frame(fd, d);
    ASSERT_TRUE(req);  // the second request is answered by closing
  });
  HostClient hc;
  ASSERT_EQ(hc.connect(h.path), "");
  EXPECT_EQ(hc.welcome()["id"], "abcd0123");
  auto r = hc.request({{"op", "state"}});
  EXPECT_EQ(r["n"], 7);
  r = hc.request({{"op", "state"}}, 5000);
  EXPECT_EQ(r["ok"], false);
  EXPECT_EQ(r["error"], "host closed the connection");

  HostClient moved(std::move(hc));
  EXPECT_EQ(hc.fd(), -1);
  moved.close();
  EXPECT_EQ(moved.fd(), -1);
}
