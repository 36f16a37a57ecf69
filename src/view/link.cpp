// link.cpp — see link.h.
#include "view/link.h"

#include <vector>

#include "mux/wire/uv_conn.h"

namespace amux::view {

struct Link::State {
  std::unique_ptr<mux::UvConn> conn;
  Link* owner = nullptr;
  bool connected = false;
  bool welcomed = false;
  bool closed = false;
  std::vector<std::pair<mux::MsgType, std::string>> queued;
  FrameFn on_frame;
  CloseFn on_close;
};

Link::Link(uv_loop_t* loop, const std::string& path, FrameFn on_frame, CloseFn on_close)
    : st_(std::make_shared<State>()) {
  st_->owner = this;
  st_->on_frame = std::move(on_frame);
  st_->on_close = std::move(on_close);
  st_->conn = std::make_unique<mux::UvConn>(loop);
  std::weak_ptr<State> weak = st_;
  auto st = st_;
  st->conn->connect(path, [weak](const std::string& err) {
    auto s = weak.lock();
    if (!s || s->closed) return;
    if (!err.empty()) {
      s->conn->close(err);
      return;
    }
    s->connected = true;
    s->conn->send_json(mux::MsgType::Hello, mux::make_hello());
  });
  // The close callback keeps the state alive until the handle is closed,
  // then frees the connection (UvConn allows that from on_close).
  st->conn->start(
      [weak](mux::UvConn& c, mux::Frame& f) {
        auto s = weak.lock();
        if (!s || s->closed) return;
        if (!s->welcomed) {
          if (f.type == mux::MsgType::Welcome) {
            s->welcomed = true;
            for (auto& [t, p] : s->queued) c.send(t, p);
            s->queued.clear();
            return;
          }
          std::string why = "refused";
          try {
            why = f.json().value("error", why);
          } catch (...) {
          }
          c.close(why);
          return;
        }
        if (!s->owner || !s->on_frame) return;
        FrameFn fn = s->on_frame;  // the callback may destroy the Link
        fn(f);
      },
      [st](mux::UvConn&, const std::string& reason) mutable {
        st->closed = true;
        CloseFn cb = st->owner ? st->on_close : nullptr;
        st->on_frame = nullptr;
        st->on_close = nullptr;
        auto keep = std::move(st->conn);  // freed when this callback returns
        st.reset();
        if (cb) cb(reason);
        (void)keep;
      });
}

Link::~Link() {
  st_->owner = nullptr;
  st_->on_frame = nullptr;
  st_->on_close = nullptr;
  if (!st_->closed && st_->conn) st_->conn->close();
}

void Link::send_json(mux::MsgType t, const nlohmann::json& j) {
  if (st_->closed || !st_->conn) return;
  if (!st_->welcomed) {
    st_->queued.emplace_back(t, j.dump());
    return;
  }
  st_->conn->send_json(t, j);
}

bool Link::ready() const { return st_->welcomed && !st_->closed; }
bool Link::closed() const { return st_->closed; }
size_t Link::queued_bytes() const {
  return st_->conn && !st_->closed ? st_->conn->queued_bytes() : 0;
}

void async_request(uv_loop_t* loop, const std::string& path, const nlohmann::json& req,
                   std::function<void(const nlohmann::json&)> done) {
  // The Link owns itself through the holder until the first answer or close.
  auto holder = std::make_shared<std::unique_ptr<Link>>();
  auto cb = std::make_shared<std::function<void(const nlohmann::json&)>>(std::move(done));
  auto finish = [holder, cb](const nlohmann::json& j) {
    if (*cb) {
      auto f = std::move(*cb);
      *cb = nullptr;
      f(j);
    }
  };
  *holder = std::make_unique<Link>(
      loop, path,
      [holder, finish](mux::Frame& f) {
        if (f.type != mux::MsgType::Response && f.type != mux::MsgType::Error) return;
        nlohmann::json j;
        try {
          j = f.json();
        } catch (...) {
          j = {{"ok", false}, {"error", "bad response"}};
        }
        if (f.type == mux::MsgType::Error) j = {{"ok", false}, {"error", j.value("error", std::string("refused"))}};
        finish(j);
        holder->reset();  // closes the connection
      },
      [holder, finish](const std::string& reason) {
        finish({{"ok", false}, {"error", reason.empty() ? std::string("connection closed") : reason}});
        holder->reset();
      });
  (*holder)->send_json(mux::MsgType::Request, req);
}

}  // namespace amux::view
