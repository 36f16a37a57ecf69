// Unit tests for UvConn's lifetime and bounds on a real libuv loop and unix
// socket: the object may be destroyed while open, while closing or from its
// own frame callback without libuv touching freed memory; close() is the one
// close path (on_close once); a peer that does not read is let go past the
// queue limit; a connection that stays silent is closed by its deadline.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "mux/wire/uv_conn.h"

using namespace amux::mux;

namespace {

// A loop with a listening socket; accepted connections go to `accepted`.
struct Fixture {
  uv_loop_t loop{};
  uv_pipe_t server{};
  std::string dir, path;
  std::vector<std::unique_ptr<UvConn>> accepted;

  Fixture() {
    uv_loop_init(&loop);
    char tmpl[] = "/tmp/amux-uvconn.XXXXXX";
    dir = mkdtemp(tmpl);
    path = dir + "/s.sock";
    uv_pipe_init(&loop, &server, 0);
    server.data = this;
    EXPECT_EQ(uv_pipe_bind(&server, path.c_str()), 0);
    EXPECT_EQ(uv_listen(reinterpret_cast<uv_stream_t*>(&server), 8, [](uv_stream_t* s, int) {
                auto* f = static_cast<Fixture*>(s->data);
                auto c = std::make_unique<UvConn>(&f->loop);
                EXPECT_EQ(c->accept_from(s), "");
                f->accepted.push_back(std::move(c));
              }), 0);
  }
  ~Fixture() {
    accepted.clear();
    uv_close(reinterpret_cast<uv_handle_t*>(&server), nullptr);
    uv_run(&loop, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop), 0) << "a handle was left open";
    unlink(path.c_str());
    rmdir(dir.c_str());
  }
  // Run the loop until pred holds (or 5 s of loop time pass).
  bool run_until(const std::function<bool()>& pred) {
    uv_timer_t t;
    uv_timer_init(&loop, &t);
    uv_timer_start(&t, [](uv_timer_t*) {}, 1, 1);  // keeps the loop turning
    uint64_t start = uv_now(&loop);
    while (!pred() && uv_now(&loop) - start < 5000) uv_run(&loop, UV_RUN_ONCE);
    uv_close(reinterpret_cast<uv_handle_t*>(&t), nullptr);
    uv_run(&loop, UV_RUN_NOWAIT);
    return pred();
  }
};

}  // namespace

TEST(UvConn, DestroyedWhileOpenClosesItsHandleAndThePeerSeesTheEnd) {
  Fixture f;
  auto client = std::make_unique<UvConn>(&f.loop);
  int closes = 0;
  std::string reason;
  client->connect(f.path, [](const std::string& err) { EXPECT_EQ(err, ""); });
  client->start([](UvConn&, Frame&) {}, [&](UvConn&, const std::string& r) { ++closes; reason = r; });
  ASSERT_TRUE(f.run_until([&] { return !f.accepted.empty(); }));
  f.accepted.clear();  // destroyed with its handle open: no close callback reaches it
  ASSERT_TRUE(f.run_until([&] { return closes > 0; }));
  EXPECT_EQ(closes, 1);
  EXPECT_EQ(reason, "closed by peer");
}

TEST(UvConn, CloseTwiceRunsOnCloseOnceAndTheOwnerMayFreeItThere) {
  Fixture f;
  std::unique_ptr<UvConn> client = std::make_unique<UvConn>(&f.loop);
  int closes = 0;
  client->connect(f.path, [](const std::string&) {});
  client->start([](UvConn&, Frame&) {}, [&](UvConn&, const std::string&) {
    ++closes;
    client.reset();  // freed from its own close callback
  });
  ASSERT_TRUE(f.run_until([&] { return !f.accepted.empty(); }));
  UvConn* raw = client.get();
  raw->close("one");
  raw->close("two");
  EXPECT_TRUE(f.run_until([&] { return closes > 0; }));
  EXPECT_EQ(closes, 1);
  EXPECT_EQ(client, nullptr);
}

TEST(UvConn, DestroyedWhileClosingOrConnecting) {
  Fixture f;
  {
    UvConn c(&f.loop);
    c.connect(f.path, [](const std::string&) { ADD_FAILURE() << "connect callback after destruction"; });
  }  // destroyed with the connect pending
  {
    UvConn c(&f.loop);
    c.start([](UvConn&, Frame&) {}, [](UvConn&, const std::string&) { ADD_FAILURE() << "on_close after destruction"; });
    c.close("closing");
  }  // destroyed while closing
  // The close callbacks run in the next turn; the fixture's teardown checks
  // that no handle is left.
  for (int i = 0; i < 3; i++) uv_run(&f.loop, UV_RUN_NOWAIT);
}

TEST(UvConn, FreedFromItsFrameCallbackStopsDelivering) {
  Fixture f;
  UvConn client(&f.loop);
  bool connected = false;
  client.connect(f.path, [&](const std::string& err) { connected = err.empty(); });
  client.start([](UvConn&, Frame&) {}, [](UvConn&, const std::string&) {});
  ASSERT_TRUE(f.run_until([&] { return connected && !f.accepted.empty(); }));
  int frames = 0;
  f.accepted[0]->start(
      [&](UvConn&, Frame&) {
        ++frames;
        f.accepted.clear();  // the connection goes while its read is being decoded
      },
      [](UvConn&, const std::string&) {});
  // Three frames in one read.
  client.send(MsgType::Request, "{}");
  client.send(MsgType::Request, "{}");
  client.send(MsgType::Request, "{}");
  ASSERT_TRUE(f.run_until([&] { return frames > 0 && client.closing(); }));
  EXPECT_EQ(frames, 1);
}

TEST(UvConn, APeerThatDoesNotReadIsLetGoPastTheQueueLimit) {
  Fixture f;
  UvConn client(&f.loop);  // connects, never reads
  client.connect(f.path, [](const std::string&) {});
  ASSERT_TRUE(f.run_until([&] { return !f.accepted.empty(); }));
  UvConn& srv = *f.accepted[0];
  std::string why;
  srv.start([](UvConn&, Frame&) {}, [&](UvConn&, const std::string& r) { why = r; });
  srv.set_queue_limit(256 << 10);
  std::string big(64 << 10, 'x');
  int sent = 0;
  while (sent < 1000 && srv.send(MsgType::Output, big)) ++sent;
  EXPECT_LT(sent, 1000);
  EXPECT_TRUE(srv.closing());
  EXPECT_TRUE(f.run_until([&] { return !why.empty(); }));
  EXPECT_NE(why.find("does not read"), std::string::npos) << why;
}

TEST(UvConn, ASilentConnectionIsClosedByItsDeadline) {
  Fixture f;
  UvConn client(&f.loop);
  std::string client_why;
  client.connect(f.path, [](const std::string&) {});
  client.start([](UvConn&, Frame&) {}, [&](UvConn&, const std::string& r) { client_why = r; });
  ASSERT_TRUE(f.run_until([&] { return !f.accepted.empty(); }));
  std::string why;
  f.accepted[0]->start([](UvConn&, Frame&) {}, [&](UvConn&, const std::string& r) { why = r; });
  f.accepted[0]->arm_timeout(50, "no hello");
  EXPECT_TRUE(f.run_until([&] { return !why.empty() && !client_why.empty(); }));
  EXPECT_EQ(why, "no hello");
  EXPECT_EQ(client_why, "closed by peer");
}
