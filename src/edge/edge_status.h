// STATE/edge/HOST.status.json: what an edge remembers between ticks for its metrics, the time
// of its last successful tick and how many have failed since, so that `certgate edge --once` run
// by a timer reports the same as a long-running loop. Nothing in it decides what a tick does.
#pragma once

#include <optional>
#include <string>

#include "base/result.h"
#include "base/time.h"
#include "sys/filesystem.h"

namespace certgate::edge {

struct EdgeStatus {
  std::optional<base::Instant> last_success;
  int consecutive_failures = 0;

  bool operator==(const EdgeStatus&) const = default;
};

// The status after a tick that ended at `at`: a success resets the failures.
EdgeStatus after_tick(EdgeStatus before, bool succeeded, base::Instant at);

// The file's text (JSON) and back. parse_status gives the empty status for text that is not
// one: a lost or damaged file only resets the metrics' memory.
std::string format_status(const EdgeStatus& status);
EdgeStatus parse_status(const std::string& text);

// Reads and writes `path` (0600, atomically) through `fs`; read_status gives the empty status
// when the file is missing or unreadable.
EdgeStatus read_status(sys::Filesystem& fs, const std::string& path);
Result<void> write_status(sys::Filesystem& fs, const std::string& path, const EdgeStatus& status);

}  // namespace certgate::edge
