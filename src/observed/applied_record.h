// STATE/state.json: what the last successful apply applied (source, commit, when). apply
// writes it, status and the agent read it; its JSON form lives here, once. Pure: callers do the
// file I/O.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "base/result.h"
#include "base/time.h"

namespace certgate::observed {

struct AppliedRecord {
  std::string source;  // "file certgate.toml", "git 1a2b3c4 (main)"
  std::string commit;  // empty unless the source is git
  std::string source_sha256;
  base::Instant applied_at;
  // target -> path relative to its [nginx].dir -> sha256 of the file deployed there.
  std::map<std::string, std::map<std::string, std::string>> deployed;

  bool operator==(const AppliedRecord&) const = default;
};

// STATE/state.json's text for `record`.
std::string format_applied_record(const AppliedRecord& record);

// Parses STATE/state.json's text; Errc::invalid when it is not ours.
Result<AppliedRecord> parse_applied_record(std::string_view text);

}  // namespace certgate::observed
