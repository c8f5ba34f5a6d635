#include "edge/edge_status.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace certgate::edge {

EdgeStatus after_tick(EdgeStatus before, bool succeeded, base::Instant at) {
  if (succeeded) return EdgeStatus{at, 0};
  before.consecutive_failures += 1;
  return before;
}

std::string format_status(const EdgeStatus& s) {
  nlohmann::ordered_json j;
  j["consecutive_failures"] = s.consecutive_failures;
  if (s.last_success) j["last_success"] = base::format_rfc3339(*s.last_success);
  return j.dump(2) + "\n";
}

EdgeStatus parse_status(const std::string& text) {
  EdgeStatus s;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return s;
  if (j.contains("consecutive_failures") && j["consecutive_failures"].is_number_integer())
    s.consecutive_failures = std::max(0, j["consecutive_failures"].get<int>());
  if (j.contains("last_success") && j["last_success"].is_string()) {
    if (auto at = base::parse_rfc3339(j["last_success"].get<std::string>())) s.last_success = *at;
  }
  return s;
}

EdgeStatus read_status(sys::Filesystem& fs, const std::string& path) {
  auto text = fs.read(path);
  return text ? parse_status(*text) : EdgeStatus{};
}

Result<void> write_status(sys::Filesystem& fs, const std::string& path, const EdgeStatus& status) {
  return fs.write_atomic(path, format_status(status), 0600);
}

}  // namespace certgate::edge
