// test_mux_messages.cpp — numbers from JSON another process wrote
// (mux/sys/json_num.h, mux/wire/messages.h, the record loader) are clamped,
// never cast out of range (undefined behaviour; on x86 1e300 became
// INT_MIN, so an Attach with "rows": 1e300 gave a 1-row screen).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "mux/store/session_record.h"
#include "mux/sys/json_num.h"
#include "mux/wire/messages.h"

namespace amux::mux {
namespace {

using nlohmann::json;

TEST(JsonNum, ClampsEveryNumber) {
  EXPECT_EQ(json_int<int>(json(1e300), 1, 1000), 1000);
  EXPECT_EQ(json_int<int>(json(-1e300), 1, 1000), 1);
  EXPECT_EQ(json_int<int>(json(std::numeric_limits<double>::quiet_NaN()), 1, 1000), 1);
  EXPECT_EQ(json_int<int>(json(24.9), 1, 1000), 24);
  EXPECT_EQ(json_int<int>(json(uint64_t(1) << 63), 1, 1000), 1000);
  EXPECT_EQ(json_int<int>(json(int64_t(-5)), 1, 1000), 1);
  EXPECT_EQ(json_int<int>(json(int64_t(1) << 40)), std::numeric_limits<int>::max());
  EXPECT_EQ(json_int<uint64_t>(json(-3)), 0u);
  EXPECT_EQ(json_int<int64_t>(json(1e300)), std::numeric_limits<int64_t>::max());
  EXPECT_THROW(json_int<int>(json("12")), json::type_error);
  EXPECT_THROW(json_int<int>(json::array()), json::type_error);
}

TEST(Messages, TermSizeOfAnyNumber) {
  TermSize s = read_term_size(json{{"rows", 1e300}, {"cols", -1e300}}, 1000, 1000);
  EXPECT_EQ(s.rows, 1000);
  EXPECT_EQ(s.cols, 1);
  s = read_term_size(json{{"rows", 24}, {"cols", 80.5}}, 1000, 1000);
  EXPECT_EQ(s.rows, 24);
  EXPECT_EQ(s.cols, 80);
  EXPECT_THROW(read_term_size(json{{"rows", 24}}, 1000, 1000), json::exception);
  EXPECT_THROW(read_term_size(json{{"rows", "24"}, {"cols", 80}}, 1000, 1000), json::exception);
}

TEST(Messages, RequestArguments) {
  EXPECT_EQ(read_int(json{{"rows", 1e19}}, "rows", 10, 1, 1000), 1000);
  EXPECT_EQ(read_int(json::object(), "rows", 10, 1, 1000), 10);
  EXPECT_EQ(read_int(json::array(), "rows", 10, 1, 1000), 10);
  EXPECT_EQ(read_int64(json{{"lines", -1e300}}, "lines", 0), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(read_int64(json{{"lines", 20}}, "lines", 0), 20);
  EXPECT_THROW(read_int(json{{"rows", "12"}}, "rows", 10, 1, 1000), json::type_error);
}

TEST(Messages, Bindings) {
  auto b = read_bindings(json::parse(R"({"bindings":[{"keys":"C-b d","action":"detach"}]})"));
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].keys, "C-b d");
  EXPECT_EQ(b[0].action, "detach");
  EXPECT_THROW(read_bindings(json::parse(R"({"bindings":[{"keys":1,"action":"detach"}]})")), json::exception);
}

TEST(Messages, RecordNumbersAreClamped) {
  SessionRecord r = SessionRecord::from_json(json::parse(
      R"({"id":"1a2b3c4d","pid":1e300,"rows":2.5,"cols":-1e300,"exitCode":-1e20,"signal":9.0,"createdAt":1e300})"));
  EXPECT_EQ(r.pid, std::numeric_limits<int>::max());
  EXPECT_EQ(r.rows, 2);
  EXPECT_EQ(r.cols, std::numeric_limits<int>::min());
  EXPECT_EQ(r.exit_code, std::numeric_limits<int>::min());
  EXPECT_EQ(r.signal, 9);
  EXPECT_EQ(r.created_at, std::numeric_limits<int64_t>::max());
  EXPECT_THROW(SessionRecord::from_json(json::parse(R"({"pid":"12"})")), json::exception);
}

}  // namespace
}  // namespace amux::mux
