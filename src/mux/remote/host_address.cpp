// host_address.cpp — see host_address.h.
#include "mux/remote/host_address.h"

namespace amux::mux {

std::optional<HostAddress> parse_host_address(const Config& c, const std::string& words) {
  size_t colon = words.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= words.size()) return std::nullopt;
  const HostEntry* h = c.host(words.substr(0, colon));
  if (!h) return std::nullopt;
  return HostAddress{h, words.substr(colon + 1)};
}

std::string unknown_host_error(const Config& c, const std::string& name) {
  std::string known;
  for (auto& h : c.hosts) known += (known.empty() ? "" : ", ") + h.name;
  return "no host '" + name + "' in config.toml" +
         (known.empty() ? std::string(" (add a [hosts." + name + "] table)") : " (configured: " + known + ")");
}

}  // namespace amux::mux
