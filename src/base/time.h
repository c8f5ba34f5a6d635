// Instants: RFC 3339 timestamps and calendar dates, always held as UTC seconds.
//
// certgate.toml writes instants as "2026-12-15T00:00:00Z" (any UTC offset, optional fraction,
// which is dropped) and dates as "2027-03-31". --now takes the same RFC 3339 form.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/result.h"

namespace certgate::base {

using Instant = std::chrono::sys_seconds;

// Parses an RFC 3339 date-time with a mandatory offset ("Z" or "+02:00"). Fails with
// Errc::invalid naming what is wrong.
Result<Instant> parse_rfc3339(std::string_view text);

// Parses a calendar date "YYYY-MM-DD" into 00:00:00Z of that day.
Result<Instant> parse_date(std::string_view text);

// Builds an instant from broken-down UTC fields, checking every range (February 30 fails).
// `offset_minutes` is the local offset east of UTC that the fields are written in.
Result<Instant> make_instant(int year, int month, int day, int hour, int minute, int second,
                             int offset_minutes);

// "2026-12-15T00:00:00Z".
std::string format_rfc3339(Instant t);

// "2026-12-15".
std::string format_date(Instant t);

}  // namespace certgate::base
