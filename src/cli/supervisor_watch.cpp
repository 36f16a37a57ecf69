// supervisor_watch.cpp — see supervisor_watch.h.
#include "cli/supervisor_watch.h"

#include "mux/wire/daemon_client.h"
#include "mux/wire/ops.h"
#include "mux/wire/protocol.h"

namespace amux::cli {

namespace {
constexpr int kAnswerTimeoutMs = 10000;
}

nlohmann::json SupervisorWatch::open(Context& ctx, bool all, const std::string& cwd) {
  if (std::string err = mux::connect_supervisor(ctx.paths, conn_); !err.empty()) throw CommandError(err);
  // Both requests go out at once; events queued between the two answers
  // are older than the list and are dropped by the caller's diff.
  auto ask = [&](const nlohmann::json& req) {
    if (std::string err = conn_.send(mux::MsgType::Request, req.dump()); !err.empty()) throw CommandError(err);
  };
  ask({{"op", mux::op_name(mux::Op::Watch)}});
  ask({{"op", mux::op_name(mux::Op::List)}, {"all", all}, {"cwd", cwd}});
  int answers = 0;
  while (true) {
    std::string err;
    auto f = conn_.receive(kAnswerTimeoutMs, &err);
    if (!f) throw CommandError("the background service did not answer: " + err);
    if (f->type != mux::MsgType::Response) continue;
    nlohmann::json j;
    try {
      j = f->json();
    } catch (const std::exception& e) {
      throw CommandError(std::string("bad answer from the background service: ") + e.what());
    }
    if (!j.value("ok", false)) throw CommandError(j.value("error", std::string("watch refused")));
    if (++answers == 2) return j.value("sessions", nlohmann::json::array());
  }
}

std::optional<nlohmann::json> SupervisorWatch::next(int timeout_ms, bool* timed_out, std::string* error) {
  if (timed_out) *timed_out = false;
  while (true) {
    std::string err;
    auto f = conn_.receive(timeout_ms, &err);
    if (!f) {
      // receive() says "timed out" only when the poll ran out.
      bool t = timeout_ms >= 0 && err.rfind("timed out", 0) == 0;
      if (timed_out) *timed_out = t;
      if (error) *error = t ? "" : err;
      return std::nullopt;
    }
    if (f->type != mux::MsgType::Event) continue;
    try {
      return f->json();
    } catch (...) {
      continue;
    }
  }
}

}  // namespace amux::cli
