// Who still uses an old certificate: the access log a target's nginx writes in `log_format
// certgate` (render/nginx_files.cc), read for the last time each serial was presented.
//
//   $remote_addr [$time_local] "$request" $status verify=$ssl_client_verify
//       serial=$ssl_client_serial device=$certgate_device
//
// observed/ reads the log (only its tail: a log can be gigabytes) and keeps per serial the
// latest instant; status and the metrics (render/) map serials to devices through
// ObservedState::certs. Only the local target's log is read: the access logs of [[host]]s sit
// on other machines and are not fetched over SSH yet.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "desired/desired_state.h"
#include "observed/observed_state.h"
#include "sys/filesystem.h"

namespace certgate::observed {

// How much of a log is read, from its end: some days of a busy gate, in a few milliseconds.
inline constexpr std::uint64_t kAccessLogTailBytes = 4 << 20;

// The last time nginx logged a request with one serial.
struct Sighting {
  base::Instant at;
  std::string verify;  // $ssl_client_verify of that request: SUCCESS, FAILED:reason

  bool operator==(const Sighting&) const = default;
};

// One target's access log as read.
struct AccessLogSeen {
  std::string target;   // "local"
  std::string path;     // its [nginx].access_log
  std::string problem;  // why it could not be read ("open ...: Permission denied"); empty: read
  std::uint64_t bytes_read = 0;
  bool is_tail = false;                     // only the end of a larger file was read
  long lines = 0;                           // lines of the format certgate that were read
  std::map<std::string, Sighting> serials;  // serial (uppercase hex) -> the latest sighting

  bool is_read() const { return problem.empty(); }
  bool operator==(const AccessLogSeen&) const = default;
};

// "02/Dec/2026:05:33:12 +0000" ($time_local) as an instant; nullopt when it is not that form.
std::optional<base::Instant> parse_time_local(std::string_view text);

// One line of the format certgate: the serial (uppercased) and when. nullopt for a line of
// another format, a garbled one, and one without a client certificate (serial "-" or empty).
struct LogLine {
  std::string serial;
  base::Instant at;
  std::string verify;
};
std::optional<LogLine> parse_access_line(std::string_view line);

// Adds the lines of `text` to `seen` (the latest sighting per serial wins; of equal instants,
// the later line). With `starts_mid_line` the text begins inside a line, whose rest is skipped.
void add_access_lines(std::string_view text, bool starts_mid_line, AccessLogSeen& seen);

// Reads the last `max_bytes` of `path`, and of its rotated predecessor `path`.1 (logrotate's
// delaycompress) while the budget lasts, through `fs`. Never fails: an absent or unreadable
// log is an AccessLogSeen with `problem` set.
AccessLogSeen read_access_log(sys::Filesystem& fs, const std::string& target,
                              const std::string& path,
                              std::uint64_t max_bytes = kAccessLogTailBytes);

// The access logs status and the metrics can read for `desired`: the local target's
// [nginx].access_log when there are no [[host]]s; none otherwise (not read over SSH yet).
std::vector<AccessLogSeen> read_access_logs(sys::Filesystem& fs,
                                            const desired::DesiredState& desired);

// What the logs say about one device: the serial it presented last and when, over all its
// certificates (a revoked or expired one included), and whether that is its newest live one.
struct DeviceSeen {
  std::string serial;
  Sighting sighting;
  bool is_newest = false;
  bool operator==(const DeviceSeen&) const = default;
};

// The latest sighting of each device's certificates in `logs`, by device name; devices never
// seen are absent. Serials map to devices through `observed.certs`; unknown serials are ignored.
std::map<std::string, DeviceSeen> last_seen_by_device(const ObservedState& observed,
                                                      const std::vector<AccessLogSeen>& logs,
                                                      base::Instant now);

// The latest sighting of `serial` in any of `logs`; nullopt when none saw it.
std::optional<Sighting> last_seen_serial(const std::vector<AccessLogSeen>& logs,
                                         const std::string& serial);

}  // namespace certgate::observed
