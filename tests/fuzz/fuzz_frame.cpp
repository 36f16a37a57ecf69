// fuzz_frame.cpp — the bytes a socket peer sends, through the frame decoder
// and on to what each side reads out of every frame.
//
// Why: both sockets (a session host's, the supervisor's) are open to any
// process of the user, and each side trusts nothing the other sends. The
// input is cut into pieces as reads would cut it (FrameDecoder must give the
// same frames for any cut), with a small or the real frame limit; every
// frame is re-encoded (the round trip must hold) and its payload read the
// way the receivers read it: the Hello check, a Request's op and arguments
// (host and supervisor, incl. a dispatched record), an Attach or Resize
// size and bindings (host), a Response's or Event's sessions, record and
// tile (view), an Exited summary (attach client). Throwing ProtocolError or
// nlohmann::json::exception is the documented failure; anything else — a
// crash, undefined behaviour, another exception — is a bug.
//
// Input: [limit selector] [cut seed] then the stream.
#include <stdexcept>
#include <string>

#include "fuzz/fuzz_check.h"
#include "mux/store/session_id.h"
#include "mux/store/session_record.h"
#include "mux/wire/messages.h"
#include "mux/wire/ops.h"
#include "mux/wire/protocol.h"
#include "mux/wire/session_view.h"
#include "view/session_info.h"
#include "view/tile_image.h"

namespace fuzz_frame {

using amux::mux::Frame;
using amux::mux::MsgType;
using nlohmann::json;

// What a request's handler reads, host and supervisor alike: the op, then
// its arguments with the types the handlers read them with.
void read_request(const json& req) {
  if (!req.is_object() || !req.contains("op") || !req["op"].is_string()) return;
  auto op = amux::mux::parse_op(req["op"].get<std::string>());
  if (!op) return;
  FUZZ_CHECK(amux::mux::parse_op(amux::mux::op_name(*op)) == op, "op name round trip");
  if (auto it = req.find("id"); it != req.end() && it->is_string())
    (void)amux::mux::is_session_id(it->get<std::string>());
  amux::mux::read_int(req, "rows", 10, 1, 1000);
  amux::mux::read_int(req, "cols", 40, 1, 1000);
  amux::mux::read_int(req, "interval_ms", 100, 20, 10000);
  amux::mux::read_int64(req, "lines", 0);
  if (*op == amux::mux::Op::Dispatch) {
    amux::mux::SessionRecord r;
    try {
      r = amux::mux::SessionRecord::from_json(req.value("record", json::object()));
    } catch (const std::invalid_argument&) {
      return;
    }
    // What the supervisor stores and sends on reads back.
    (void)amux::mux::SessionRecord::from_json(
        json::parse(r.to_json().dump(-1, ' ', false, json::error_handler_t::replace)));
    (void)amux::mux::session_json(r, false);
  }
}

// What the view reads out of a supervisor's or a host's Response and Event.
void read_view(const json& j) {
  if (!j.is_object()) return;
  auto one = [](const json& s) {
    try {
      auto info = amux::view::SessionInfo::from_json(s);
      (void)amux::view::row_detail(info, true);
      (void)info.age_ms(0);
    } catch (const json::exception&) {
    }
  };
  if (j.contains("sessions") && j["sessions"].is_array())
    for (const auto& s : j["sessions"]) one(s);
  if (j.contains("session")) one(j["session"]);
  if (j.contains("text")) {
    amux::view::TileEvent ev = amux::view::read_tile_event(j);
    amux::view::TileImage img;
    img.set(ev.text, ev.cursor_row, ev.cursor_col, ev.title);
    int top = 0, left = 0;
    img.window(5, 20, &top, &left);
  }
}

void on_frame(const Frame& f, size_t limit) {
  // Encoding what was decoded gives the same frame back.
  std::string again = amux::mux::encode_frame(f.type, f.payload, limit);
  amux::mux::FrameDecoder d(limit);
  d.append(again);
  auto g = d.next();
  FUZZ_CHECK(g && g->type == f.type && g->payload == f.payload, "frame round trip");
  FUZZ_CHECK(d.buffered() == 0, "round trip left bytes");
  (void)amux::mux::msg_type_name(f.type);

  if (f.type == MsgType::Input || f.type == MsgType::Output || f.type == MsgType::Detach) return;
  json j;
  try {
    j = f.json();
  } catch (const amux::mux::ProtocolError&) {
    return;
  }
  // A reply is encoded with invalid UTF-8 replaced: it never throws.
  (void)amux::mux::encode_json(MsgType::Response, j, SIZE_MAX);
  try {
    switch (f.type) {
      case MsgType::Hello:
        (void)amux::mux::check_hello(j);
        break;
      case MsgType::Request:
        read_request(j);
        break;
      case MsgType::Attach:
        (void)amux::mux::read_term_size(j, 1000, 1000);
        try {
          amux::keymap::ChordMatcher m(amux::mux::read_bindings(j));
        } catch (const std::invalid_argument&) {
        }
        break;
      case MsgType::Resize:
        (void)amux::mux::read_term_size(j, 1000, 1000);
        break;
      case MsgType::Response:
      case MsgType::Event:
      case MsgType::Welcome:
        read_view(j);
        break;
      case MsgType::Exited:
      case MsgType::Error:
      case MsgType::Leave:
        (void)j.value("state", std::string());
        (void)j.value("detail", std::string());
        (void)j.value("error", std::string());
        (void)j.value("action", std::string());
        break;
      default:
        break;
    }
  } catch (const json::exception&) {
    // The receivers answer "bad request" or drop the frame.
  }
}

}  // namespace fuzz_frame

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  amux::fuzz::Bytes in(data, size);
  const size_t limit = (in.byte() & 1) ? 256 : amux::mux::kMaxFrame;
  amux::fuzz::Cuts cuts(in.byte());
  std::string_view stream = in.rest();

  // Whole, then in pieces: the same frames, the same error.
  auto run = [&](bool pieces) {
    std::vector<amux::mux::Frame> frames;
    std::string error;
    amux::mux::FrameDecoder dec(limit);
    size_t i = 0;
    try {
      while (i < stream.size()) {
        size_t n = pieces ? cuts.next(stream.size() - i) : stream.size();
        dec.append(stream.substr(i, n));
        i += n;
        while (auto f = dec.next()) frames.push_back(std::move(*f));
      }
    } catch (const amux::mux::ProtocolError& e) {
      error = e.what();
    }
    return std::make_pair(std::move(frames), error);
  };
  auto whole = run(false);
  auto cut = run(true);
  FUZZ_CHECK(whole.first.size() == cut.first.size(), "frame count depends on the cut");
  for (size_t k = 0; k < whole.first.size(); ++k)
    FUZZ_CHECK(whole.first[k].type == cut.first[k].type && whole.first[k].payload == cut.first[k].payload,
               "frame depends on the cut");
  FUZZ_CHECK(whole.second.empty() == cut.second.empty(), "error depends on the cut");
  for (const amux::mux::Frame& f : whole.first) fuzz_frame::on_frame(f, limit);
  return 0;
}
