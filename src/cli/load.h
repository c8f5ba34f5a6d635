// Loading the desired state for a command: source, parse, and the diagnostics printed on stderr.
#pragma once

#include <optional>
#include <string>

#include "base/diagnostic.h"
#include "base/time.h"
#include "cli/global_options.h"
#include "desired/desired_state.h"
#include "source/source.h"
#include "sys/filesystem.h"

namespace certgate::cli {

struct Loaded {
  source::SourceSnapshot snapshot;
  desired::DesiredState state;
  int warnings = 0;
};

// Prints each diagnostic as `file:line:col: severity: message` on stderr, sorted.
void print_diagnostics(const base::Diagnostics& diags);

// "1 device", "3 devices".
std::string count(size_t n, std::string_view noun);

// The source options of the global options: --source/--ref/--file, the git mirror in the state
// directory, --ssh-key and --known-hosts (default ~/.ssh/known_hosts).
source::SourceOptions source_options(const GlobalOptions& g);

// Reads and checks the desired state named by the global options, printing every diagnostic.
// Returns nullopt (after printing why) when the source cannot be read or has errors.
std::optional<Loaded> load_and_report(const GlobalOptions& g, base::Instant now,
                                      sys::Filesystem& fs);

// The same from explicit source options (plan --observed: no git mirror, so no state dir).
std::optional<Loaded> load_and_report(const source::SourceOptions& options, base::Instant now,
                                      sys::Filesystem& fs);

}  // namespace certgate::cli
