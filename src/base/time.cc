#include "base/time.h"

#include <cstdio>

namespace certgate::base {
namespace {

Error bad(std::string_view text, std::string_view why) {
  return make_error(Errc::invalid, "bad RFC 3339 time \"" + std::string(text) + "\": " +
                                       std::string(why) + " (e.g. \"2026-12-15T00:00:00Z\")");
}

// Reads exactly `width` digits at `pos`; -1 when they are not all digits.
int digits(std::string_view s, size_t pos, size_t width) {
  if (pos + width > s.size()) return -1;
  int v = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

bool is_separator(char c) { return c == 'T' || c == 't' || c == ' '; }

}  // namespace

Result<Instant> make_instant(int year, int month, int day, int hour, int minute, int second,
                             int offset_minutes) {
  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year(year),
                           std::chrono::month(static_cast<unsigned>(month)),
                           std::chrono::day(static_cast<unsigned>(day))};
  if (year < 1 || year > 9999 || !ymd.ok()) {
    return make_error(Errc::invalid, "no such date " + std::to_string(year) + "-" +
                                         std::to_string(month) + "-" + std::to_string(day));
  }
  // RFC 3339 allows second 60 for leap seconds; certgate folds it into the next second.
  if (hour > 23 || minute > 59 || second > 60) {
    return make_error(Errc::invalid, "no such time of day");
  }
  return Instant(sys_days(ymd)) + hours(hour) + minutes(minute) + seconds(second) -
         minutes(offset_minutes);
}

Result<Instant> parse_rfc3339(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  const int y = digits(text, 0, 4), mo = digits(text, 5, 2), d = digits(text, 8, 2);
  if (y < 0 || mo < 0 || d < 0 || text.size() < 10 || text[4] != '-' || text[7] != '-') {
    return bad(text, "expected YYYY-MM-DD at the start");
  }
  if (text.size() == 10) return bad(text, "missing time of day and UTC offset");
  if (!is_separator(text[10])) return bad(text, "expected 'T' after the date");
  const int h = digits(text, 11, 2), mi = digits(text, 14, 2), s = digits(text, 17, 2);
  if (h < 0 || mi < 0 || s < 0 || text.size() < 19 || text[13] != ':' || text[16] != ':') {
    return bad(text, "expected HH:MM:SS after the date");
  }
  size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == start) return bad(text, "empty fraction of a second");
  }
  if (pos == text.size()) return bad(text, "missing UTC offset (\"Z\" or \"+HH:MM\")");
  int offset = 0;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    const int oh = digits(text, pos + 1, 2), om = digits(text, pos + 4, 2);
    if (oh < 0 || om < 0 || text.size() < pos + 6 || text[pos + 3] != ':' || oh > 23 || om > 59) {
      return bad(text, "bad UTC offset");
    }
    offset = (text[pos] == '-' ? -1 : 1) * (oh * 60 + om);
    pos += 6;
  } else {
    return bad(text, "bad UTC offset");
  }
  if (pos != text.size()) return bad(text, "unexpected text after the UTC offset");
  auto t = make_instant(y, mo, d, h, mi, s, offset);
  if (!t) return bad(text, t.error().message);
  return t;
}

Result<Instant> parse_date(std::string_view text) {
  const int y = digits(text, 0, 4), mo = digits(text, 5, 2), d = digits(text, 8, 2);
  if (text.size() != 10 || y < 0 || mo < 0 || d < 0 || text[4] != '-' || text[7] != '-') {
    return make_error(Errc::invalid, "bad date \"" + std::string(text) + "\": expected YYYY-MM-DD");
  }
  auto t = make_instant(y, mo, d, 0, 0, 0, 0);
  if (!t)
    return make_error(Errc::invalid,
                      "bad date \"" + std::string(text) + "\": " + t.error().message);
  return t;
}

std::string format_rfc3339(Instant t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd(day);
  const hh_mm_ss hms(t - day);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

std::string format_date(Instant t) { return format_rfc3339(t).substr(0, 10); }

}  // namespace certgate::base
