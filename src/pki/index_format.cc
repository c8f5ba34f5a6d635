#include "pki/index_format.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace certgate::pki {

namespace {

using base::RevocationReason;

// apps/ca.c crl_reasons[], in code order 0..8 (7 is unused by RFC 5280).
constexpr std::array<std::pair<std::string_view, RevocationReason>, 8> kReasons{{
    {"unspecified", RevocationReason::unspecified},
    {"keyCompromise", RevocationReason::keyCompromise},
    {"CACompromise", RevocationReason::cACompromise},
    {"affiliationChanged", RevocationReason::affiliationChanged},
    {"superseded", RevocationReason::superseded},
    {"cessationOfOperation", RevocationReason::cessationOfOperation},
    {"certificateHold", RevocationReason::certificateHold},
    {"removeFromCRL", RevocationReason::removeFromCRL},
}};

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// apps/ca.c unpack_revinfo: case-insensitive, plus the three forms that carry an extra field.
std::optional<RevocationReason> reason_from_index(std::string_view name) {
  for (const auto& [spelling, reason] : kReasons) {
    if (equals_ignoring_case(spelling, name)) return reason;
  }
  if (equals_ignoring_case(name, "keyTime")) return RevocationReason::keyCompromise;
  if (equals_ignoring_case(name, "CAkeyTime")) return RevocationReason::cACompromise;
  if (equals_ignoring_case(name, "holdInstruction")) return RevocationReason::certificateHold;
  return std::nullopt;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int number(std::string_view s) {
  int n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

Error bad_line(size_t line, const std::string& what) {
  return make_error(Errc::invalid, "index.txt:" + std::to_string(line) + ": " + what);
}

// The revocation field "DATE[,REASON[,EXTRA]]" of an R line.
Result<void> parse_revocation(std::string_view field, IndexEntry& e) {
  auto parts = split(field, ',');
  auto when = parse_index_time(parts[0]);
  if (!when) return when.error();
  e.revoked_at = *when;
  if (parts.size() >= 2) {
    auto reason = reason_from_index(parts[1]);
    if (!reason)
      return make_error(Errc::invalid,
                        "unknown revocation reason \"" + std::string(parts[1]) + "\"");
    e.reason = *reason;
  }
  e.revocation_field = std::string(field);
  return {};
}

Result<IndexEntry> parse_line(std::string_view line) {
  auto f = split(line, '\t');
  if (f.size() != 6)
    return make_error(Errc::invalid,
                      "expected 6 tab-separated fields, found " + std::to_string(f.size()));
  IndexEntry e;
  if (f[0] == "V") {
    e.status = IndexStatus::valid;
  } else if (f[0] == "R") {
    e.status = IndexStatus::revoked;
  } else if (f[0] == "E") {
    e.status = IndexStatus::expired;
  } else {
    return make_error(Errc::invalid, "status must be V, R or E, not \"" + std::string(f[0]) + "\"");
  }
  auto expires = parse_index_time(f[1]);
  if (!expires) return expires.error();
  e.expires = *expires;
  if (e.status == IndexStatus::revoked) {
    if (auto r = parse_revocation(f[2], e); !r) return r.error();
  } else if (!f[2].empty()) {
    return make_error(Errc::invalid, "only R lines have a revocation date");
  }
  if (f[3].empty() || f[3].size() > 42 || !std::all_of(f[3].begin(), f[3].end(), [](char c) {
        return std::isxdigit(static_cast<unsigned char>(c)) != 0;
      }))
    return make_error(Errc::invalid, "serial must be hexadecimal");
  for (char c : f[3]) e.serial += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (e.serial.size() % 2 == 1) e.serial.insert(e.serial.begin(), '0');
  e.file = std::string(f[4]);
  e.subject = std::string(f[5]);
  if (e.subject.empty() || e.subject[0] != '/')
    return make_error(Errc::invalid, "subject must start with '/'");
  return e;
}

}  // namespace

std::string IndexEntry::common_name() const {
  // openssl's oneline form: "/O=Ex Ltd/CN=alice". Take the last CN, the most specific.
  std::string cn;
  for (std::string_view part : split(subject, '/')) {
    if (part.substr(0, 3) == "CN=") cn = std::string(part.substr(3));
  }
  return cn;
}

Result<std::vector<IndexEntry>> parse_index(std::string_view text) {
  std::vector<IndexEntry> out;
  size_t line_no = 0;
  for (std::string_view line : split(text, '\n')) {
    ++line_no;
    if (line.empty()) continue;
    auto e = parse_line(line);
    if (!e) return bad_line(line_no, e.error().message);
    out.push_back(std::move(*e));
  }
  return out;
}

std::string format_index_time(base::Instant t) {
  auto days = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd{days};
  std::chrono::hh_mm_ss hms{t - days};
  int year = static_cast<int>(ymd.year());
  char buf[32];
  const bool utc_time = year >= 1950 && year < 2050;
  std::snprintf(buf, sizeof buf,
                utc_time ? "%02d%02u%02u%02d%02d%02dZ" : "%04d%02u%02u%02d%02d%02dZ",
                utc_time ? year % 100 : year, static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buf;
}

Result<base::Instant> parse_index_time(std::string_view text) {
  if ((text.size() != 13 && text.size() != 15) || text.back() != 'Z' ||
      !all_digits(text.substr(0, text.size() - 1)))
    return make_error(Errc::invalid,
                      "time \"" + std::string(text) + "\" is not YYMMDDHHMMSSZ or YYYYMMDDHHMMSSZ");
  int year;
  std::string_view rest;
  if (text.size() == 13) {
    int yy = number(text.substr(0, 2));
    year = yy < 50 ? 2000 + yy : 1900 + yy;  // RFC 5280 4.1.2.5.1
    rest = text.substr(2);
  } else {
    year = number(text.substr(0, 4));
    rest = text.substr(4);
  }
  int month = number(rest.substr(0, 2)), day = number(rest.substr(2, 2));
  int hour = number(rest.substr(4, 2)), minute = number(rest.substr(6, 2));
  int second = number(rest.substr(8, 2));
  std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month(month),
                                  std::chrono::day(day)};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 59)
    return make_error(Errc::invalid, "time \"" + std::string(text) + "\" is out of range");
  return base::Instant{std::chrono::sys_days{ymd}} + std::chrono::hours{hour} +
         std::chrono::minutes{minute} + std::chrono::seconds{second};
}

std::optional<std::string_view> index_reason_name(base::RevocationReason r) {
  for (const auto& [name, reason] : kReasons) {
    if (reason == r) return name;
  }
  return std::nullopt;
}

std::string format_index(const std::vector<IndexEntry>& entries) {
  std::string out;
  out.reserve(entries.size() * 96);
  for (const IndexEntry& e : entries) {
    out += e.status == IndexStatus::valid ? "V" : e.status == IndexStatus::revoked ? "R" : "E";
    out += '\t';
    out += format_index_time(e.expires);
    out += '\t';
    if (e.status == IndexStatus::revoked && !e.revocation_field.empty()) {
      out += e.revocation_field;
    } else if (e.status == IndexStatus::revoked && e.revoked_at) {
      out += format_index_time(*e.revoked_at);
      if (e.reason) {
        auto name = index_reason_name(*e.reason);
        out += ',';
        out += name ? *name : "unspecified";
      }
    }
    out += '\t';
    out += e.serial;
    out += '\t';
    out += e.file;
    out += '\t';
    out += e.subject;
    out += '\n';
  }
  return out;
}

}  // namespace certgate::pki
