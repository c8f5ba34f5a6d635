#include "observed/last_seen.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "observed/overlap.h"

namespace certgate::observed {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// The decimal number of exactly text[at, at + n), or -1.
int digits(std::string_view text, size_t at, size_t n) {
  if (at + n > text.size()) return -1;
  int v = 0;
  const char* first = text.data() + at;
  auto [end, ec] = std::from_chars(first, first + n, v);
  return ec == std::errc{} && end == first + n ? v : -1;
}

bool is_serial(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// The value of " KEY=" in `fields`, up to `next` (the following key) or the end.
std::optional<std::string_view> field(std::string_view fields, std::string_view key,
                                      std::string_view next) {
  const size_t at = fields.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  const size_t begin = at + key.size();
  const size_t end = next.empty() ? fields.size() : fields.find(next, begin);
  if (end == std::string_view::npos) return std::nullopt;
  return fields.substr(begin, end - begin);
}

void note(AccessLogSeen& seen, const LogLine& line) {
  ++seen.lines;
  auto [it, inserted] = seen.serials.try_emplace(line.serial, Sighting{line.at, line.verify});
  if (!inserted && !(line.at < it->second.at)) it->second = Sighting{line.at, line.verify};
}

}  // namespace

std::optional<base::Instant> parse_time_local(std::string_view t) {
  // dd/Mon/yyyy:HH:MM:SS +hhmm, 26 characters.
  if (t.size() != 26 || t[2] != '/' || t[6] != '/' || t[11] != ':' || t[14] != ':' ||
      t[17] != ':' || t[20] != ' ' || (t[21] != '+' && t[21] != '-'))
    return std::nullopt;
  auto month = std::find(kMonths.begin(), kMonths.end(), t.substr(3, 3));
  const int day = digits(t, 0, 2), year = digits(t, 7, 4), hour = digits(t, 12, 2),
            minute = digits(t, 15, 2), second = digits(t, 18, 2), off_h = digits(t, 22, 2),
            off_m = digits(t, 24, 2);
  if (month == kMonths.end() || day < 0 || year < 0 || hour < 0 || minute < 0 || second < 0 ||
      off_h < 0 || off_m < 0)
    return std::nullopt;
  const int offset = (t[21] == '-' ? -1 : 1) * (off_h * 60 + off_m);
  auto at = base::make_instant(year, static_cast<int>(month - kMonths.begin()) + 1, day, hour,
                               minute, second, offset);
  if (!at) return std::nullopt;
  return *at;
}

std::optional<LogLine> parse_access_line(std::string_view line) {
  const size_t open = line.find('[');
  const size_t close = line.find(']', open);
  if (open == std::string_view::npos || close == std::string_view::npos) return std::nullopt;
  auto at = parse_time_local(line.substr(open + 1, close - open - 1));
  if (!at) return std::nullopt;
  // nginx escapes '"' inside $request as \x22, so the request ends at the line's last quote
  // and nothing a client sends can pose as the fields after it.
  const size_t quote = line.rfind('"');
  if (quote == std::string_view::npos || quote <= close + 2 || line[close + 2] != '"')
    return std::nullopt;
  const std::string_view fields = line.substr(quote + 1);
  auto verify = field(fields, " verify=", " serial=");
  auto serial = field(fields, " serial=", " device=");
  if (!verify || !serial || !is_serial(*serial)) return std::nullopt;  // "-": no certificate
  return LogLine{upper(*serial), *at, std::string(*verify)};
}

void add_access_lines(std::string_view text, bool starts_mid_line, AccessLogSeen& seen) {
  size_t begin = 0;
  if (starts_mid_line) {
    begin = text.find('\n');
    if (begin == std::string_view::npos) return;
    ++begin;
  }
  // A line counts only with its newline: the last one may be half written.
  for (size_t end; (end = text.find('\n', begin)) != std::string_view::npos; begin = end + 1) {
    if (auto line = parse_access_line(text.substr(begin, end - begin))) note(seen, *line);
  }
}

AccessLogSeen read_access_log(sys::Filesystem& fs, const std::string& target,
                              const std::string& path, std::uint64_t max_bytes) {
  AccessLogSeen seen;
  seen.target = target;
  seen.path = path;
  auto tail = fs.read_tail(path, max_bytes);
  if (!tail) {
    seen.problem = tail.error().message;
    return seen;
  }
  seen.bytes_read = tail->bytes.size();
  seen.is_tail = tail->offset > 0;
  add_access_lines(tail->bytes, seen.is_tail, seen);
  // Rotated a short while ago: the rest of the budget goes to the previous file, which an
  // absent or unreadable one simply does not add to.
  if (!seen.is_tail && seen.bytes_read < max_bytes) {
    if (auto older = fs.read_tail(path + ".1", max_bytes - seen.bytes_read)) {
      seen.bytes_read += older->bytes.size();
      seen.is_tail = older->offset > 0;
      add_access_lines(older->bytes, seen.is_tail, seen);
    }
  }
  return seen;
}

std::vector<AccessLogSeen> read_access_logs(sys::Filesystem& fs,
                                            const desired::DesiredState& desired) {
  // TODO(#13): read the access logs of [[host]]s through their SSH sessions.
  if (!desired.hosts.empty() || desired.nginx.access_log.empty()) return {};
  return {read_access_log(fs, "local", desired.nginx.access_log)};
}

std::map<std::string, DeviceSeen> last_seen_by_device(const ObservedState& observed,
                                                      const std::vector<AccessLogSeen>& logs,
                                                      base::Instant now) {
  std::map<std::string, DeviceSeen> out;
  std::map<std::string, const Cert*> newest;  // one pass, not one per device
  for (const Cert& c : observed.certs) {
    if (c.is_live(now)) {
      const Cert*& n = newest[c.device];
      if (!n || is_newer(c, *n)) n = &c;
    }
    auto sighting = last_seen_serial(logs, c.serial);
    if (!sighting) continue;
    auto [it, inserted] = out.try_emplace(c.device, DeviceSeen{c.serial, *sighting, false});
    if (!inserted && it->second.sighting.at < sighting->at)
      it->second = DeviceSeen{c.serial, *sighting, false};
  }
  for (auto& [device, seen] : out) {
    auto it = newest.find(device);
    if (it == newest.end()) continue;
    // $time_local counts seconds: a device seen with its old and its new certificate within the
    // same second has the new one installed, so that one is what it uses.
    if (it->second->serial != seen.serial) {
      auto fresh = last_seen_serial(logs, it->second->serial);
      if (fresh && fresh->at == seen.sighting.at)
        seen = DeviceSeen{it->second->serial, *fresh, false};
    }
    seen.is_newest = it->second->serial == seen.serial;
  }
  return out;
}

std::optional<Sighting> last_seen_serial(const std::vector<AccessLogSeen>& logs,
                                         const std::string& serial) {
  std::optional<Sighting> best;
  for (const AccessLogSeen& log : logs) {
    auto it = log.serials.find(serial);
    if (it != log.serials.end() && (!best || best->at < it->second.at)) best = it->second;
  }
  return best;
}

}  // namespace certgate::observed
