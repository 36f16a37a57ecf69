// json_num.h — a JSON number read as an integer without undefined behaviour.
//
// Why: nlohmann's get<int>() of a floating-point value is a plain cast, and
// casting a double outside int's range (1e300, NaN) is undefined behaviour;
// a record file, a request or an event from another process may hold one.
// Every integer amux reads from JSON it did not write itself goes through
// here: any number is clamped into the range asked for (NaN: the low end),
// anything else is the json::type_error get<>() would throw. Header-only.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

#include <nlohmann/json.hpp>

namespace amux::mux {

template <typename T>
T json_int(const nlohmann::json& v, T lo = std::numeric_limits<T>::min(), T hi = std::numeric_limits<T>::max()) {
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (std::cmp_greater(u, hi)) return hi;
    if (std::cmp_less(u, lo)) return lo;
    return T(u);
  }
  if (v.is_number_integer()) {
    const int64_t i = v.get<int64_t>();
    if (std::cmp_less(i, lo)) return lo;
    if (std::cmp_greater(i, hi)) return hi;
    return T(i);
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isnan(d) || d <= double(lo)) return lo;
    if (d >= double(hi)) return hi;
    return T(d);
  }
  return v.get<T>();  // not a number: throws json::type_error
}

}  // namespace amux::mux
