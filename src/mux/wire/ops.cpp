// ops.cpp — the one table of request op names (ops.h says why).
#include "mux/wire/ops.h"

namespace amux::mux {

namespace {

struct OpName {
  Op op;
  std::string_view name;
};

constexpr OpName kOps[] = {
    {Op::State, "state"},       {Op::Capture, "capture"},   {Op::Logs, "logs"},
    {Op::Follow, "follow"},     {Op::Reply, "reply"},       {Op::Input, "input"},
    {Op::Stop, "stop"},         {Op::Shutdown, "shutdown"}, {Op::Rename, "rename"},
    {Op::Subscribe, "subscribe"}, {Op::ScreenWatch, "screen_watch"}, {Op::Notify, "notify"},
    {Op::SetLinger, "set_linger"}, {Op::CopyMode, "copy_mode"}, {Op::Dispatch, "dispatch"}, {Op::List, "list"},
    {Op::Rm, "rm"},             {Op::Respawn, "respawn"},   {Op::Ensure, "ensure"},
    {Op::Pin, "pin"},           {Op::Unpin, "unpin"},       {Op::Status, "status"},
    {Op::Watch, "watch"},       {Op::Explain, "explain"},
};

}  // namespace

std::string_view op_name(Op op) {
  for (const auto& o : kOps)
    if (o.op == op) return o.name;
  return "unknown";
}

std::optional<Op> parse_op(std::string_view name) {
  for (const auto& o : kOps)
    if (o.name == name) return o.op;
  return std::nullopt;
}

}  // namespace amux::mux
