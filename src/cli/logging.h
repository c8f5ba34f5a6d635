// Logging setup for every command: spdlog on stderr, as text or one JSON object per line.
#pragma once

#include <string>

namespace certgate::cli {

// REQUIRES: format is "text" or "json". verbosity > 0 is more, < 0 less (default: info).
void setup_logging(const std::string& format, int verbosity);

}  // namespace certgate::cli
