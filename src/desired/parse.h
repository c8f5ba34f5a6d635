// desired/: SourceSnapshot -> DesiredState, the second stage of the pipeline.
//
// Parses certgate.toml with toml++ and checks it against the schema of DESIGN.md section 3:
// syntax, unknown keys, types, value forms (names, durations, times, CIDRs, key types,
// revocation reasons), and references between tables (allowlists name devices, hosts name
// sites). Every problem is collected as a Diagnostic at its line and column; nothing stops at
// the first. The CSR files that devices name are read through the snapshot's SourceTree.
#pragma once

#include <optional>

#include "base/diagnostic.h"
#include "base/time.h"
#include "desired/desired_state.h"
#include "source/source.h"

namespace certgate::desired {

struct LoadResult {
  DesiredState state;  // meaningful only when diagnostics has no errors
  base::Diagnostics diagnostics;
};

// Parses and checks `snapshot`. `now`, when given, adds warnings about instants already past
// (a fallback window that has closed, a device past its not_after). Reads only through
// snapshot.tree; never fails outright: every problem is a diagnostic.
LoadResult load_desired(const source::SourceSnapshot& snapshot, std::optional<base::Instant> now);

// A [[site]] probe, https://HOST[:PORT][/PATH] with HOST a DNS name, an IPv4 address or a
// bracketed IPv6 address (also `certgate edge --probe`). Errc::invalid saying what is wrong.
Result<Probe> parse_probe(const std::string& url);

}  // namespace certgate::desired
