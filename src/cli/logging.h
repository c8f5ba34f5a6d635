// Logging setup for every command: spdlog on stderr, as text or one JSON object per line.
#pragma once

#include <string>

namespace certgate::cli {

// REQUIRES: format is "text" or "json". verbosity > 0 is more, < 0 less (default: info).
void setup_logging(const std::string& format, int verbosity);

// Warnings and errors logged since the start, whatever the verbosity shows: a run that logged
// one said more than its plan, and is not answered from the cache (cli/run_cache.h).
long warnings_logged();

// True after setup_logging("json", ...): each line is a JSON object.
bool logging_json();

// The JSON fields of one log line, without braces: "msg" (the whole message), "event" (its
// words before the first key=value) and each key=value as a field, so `issued device=alice
// serial=4A01` gives "msg":..., "device":"alice", "serial":"4A01", "event":"issued".
std::string json_log_fields(std::string_view message);

}  // namespace certgate::cli
