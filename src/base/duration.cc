#include "base/duration.h"

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>

namespace certgate::base {
namespace {

struct Unit {
  char suffix;
  std::int64_t seconds;
};

// Largest first, so format_duration picks the shortest exact spelling.
constexpr std::array<Unit, 6> kUnits = {{
    {'y', 365 * 86400},
    {'w', 7 * 86400},
    {'d', 86400},
    {'h', 3600},
    {'m', 60},
    {'s', 1},
}};

// Far beyond any certificate lifetime; keeps every later sum of instants from overflowing.
constexpr std::int64_t kMaxSeconds = 1000LL * 365 * 86400;

Error bad(std::string_view text, std::string_view why) {
  return make_error(Errc::invalid,
                    "bad duration \"" + std::string(text) + "\": " + std::string(why) +
                        " (a whole number and one of s, m, h, d, w, y, e.g. \"30d\")");
}

}  // namespace

Result<std::chrono::seconds> parse_duration(std::string_view text) {
  if (text.size() < 2) return bad(text, "too short");
  const char suffix = text.back();
  const Unit* unit = nullptr;
  for (const Unit& u : kUnits) {
    if (u.suffix == suffix) unit = &u;
  }
  if (unit == nullptr) return bad(text, "unknown unit");
  const std::string_view digits = text.substr(0, text.size() - 1);
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec == std::errc::result_out_of_range) return bad(text, "too large");
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.front() == '-' ||
      digits.front() == '+') {
    return bad(text, "not a whole number");
  }
  if (n <= 0) return bad(text, "must be positive");
  if (n > kMaxSeconds / unit->seconds) return bad(text, "too large");
  return std::chrono::seconds(n * unit->seconds);
}

std::string format_duration(std::chrono::seconds d) {
  const std::int64_t s = d.count();
  for (const Unit& u : kUnits) {
    // Weeks are read but not written: "14d" is what people write and expect to see back.
    if (u.suffix == 'w') continue;
    if (s != 0 && s % u.seconds == 0) return std::to_string(s / u.seconds) + u.suffix;
  }
  return std::to_string(s) + "s";
}

}  // namespace certgate::base
