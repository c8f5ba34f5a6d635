// Taking the snapshot of observed/snapshot.h on the CA host: `certgate snapshot`, and `sync` /
// `agent --snapshot-file` after each tick.
#pragma once

#include <chrono>
#include <string>

#include "base/result.h"
#include "cli/global_options.h"
#include "cli/pipeline.h"
#include "observed/snapshot.h"
#include "sys/filesystem.h"

namespace certgate::cli {

// What `run` (run_pipeline on the CA host) observed, without its secrets, taken at `now`, with
// the CA certificate and CRL and the digests of the pickup files the devices are served.
Result<observed::Snapshot> take_snapshot(const PlanRun& run, sys::Filesystem& fs,
                                         base::Instant now);

// Loads, observes (connecting to every [[host]]) and returns the snapshot's JSON text; prints
// why on stderr when it cannot.
Result<std::string> snapshot_text(const GlobalOptions& g, sys::Filesystem& fs, base::Instant now);

// A published snapshot is committed again, though only its taken_at changed, once it is this
// old: CI's --max-snapshot-age then tells a live agent from a dead one.
inline constexpr std::chrono::seconds kSnapshotHeartbeat{3600};

// Commits `text` as snapshot.json to `branch` of `repo` (source/git_publish.h, through a bare
// clone in STATE/git/snapshot.git) when it says something the published one does not, or when
// that one is kSnapshotHeartbeat old (taken_at and the last apply's time change at every tick
// and alone make no commit). Returns the branch's tip.
Result<std::string> publish_snapshot(const GlobalOptions& g, sys::Filesystem& fs,
                                     const std::string& repo, const std::string& branch,
                                     const std::string& text);

// Writes `text` to `path` atomically, mode 0644: nothing in it is secret.
Result<void> write_snapshot(sys::Filesystem& fs, const std::string& path, const std::string& text);

}  // namespace certgate::cli
