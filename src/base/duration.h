// Durations as written in certgate.toml: a whole number and one unit, like "30d" or "90m".
//
// Units: s (seconds), m (minutes), h (hours), d (days), w (weeks), y (365 days). A duration is
// always positive. Used by desired/ for validity, renew_before and CRL timing, and by cli/ for
// --interval.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/result.h"

namespace certgate::base {

// Parses "30d" into seconds. Fails with Errc::invalid and a message that names the rules.
Result<std::chrono::seconds> parse_duration(std::string_view text);

// The shortest exact spelling, weeks aside: 2592000s -> "30d", 5400s -> "90m", 31536000s -> "1y".
std::string format_duration(std::chrono::seconds d);

}  // namespace certgate::base
