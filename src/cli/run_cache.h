// The answer of a run that found nothing to do, kept so that the next run with the same inputs
// gives it without loading, observing and planning again: `plan` with no changes and the
// agent's tick with nothing new (`sync`, `apply` without a saved plan).
//
// Correct by construction rather than by a list of what might matter: the run reads through a
// sys::RecordingFilesystem, and the cache keeps the trace of every file it read (content hash,
// stat, listing), with the desired state's identity (a git commit, or the file's hash) and a
// key of everything else that shapes the answer (the binary, the options, the working
// directory, the user). A later run is answered from the cache only when the key matches, the
// source is the same, every traced read gives the same again, and the clock is inside the window
// in which nothing changes by itself: from the run's evaluation time to the earliest of
// plan::next_change (a renewal window, a CRL refresh, a fallback's end), the last apply plus
// crl_validity (the plan's "last apply long ago" note) and one hour. So a hand edit of a
// deployed file, a CRL near its nextUpdate, a new commit, `--now` in another window or another
// binary each compute the plan afresh.
//
// Only runs that printed nothing but the plan are kept: an empty plan without notes, warnings
// or diagnostics, no [[host]] (their files are read over SSH), no open enrollment link (links
// expire). STATE/cache/run-COMMAND.json, mode 0600; CERTGATE_NO_CACHE=1 turns it off.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/time.h"
#include "cli/global_options.h"
#include "cli/pipeline.h"
#include "plan/next_change.h"
#include "source/source.h"
#include "sys/filesystem.h"
#include "sys/recording_filesystem.h"

namespace certgate::cli {

// What a source snapshot is, for comparing two without keeping either.
struct SourceIdentity {
  std::string kind;
  std::string description;
  std::string file_path;
  std::string text_sha256;
  std::string commit;
  long long commit_time = 0;
  std::string signature_sha256;

  bool operator==(const SourceIdentity&) const = default;
};

SourceIdentity identity_of(const source::SourceSnapshot& s);

struct CachedRun {
  std::string key;
  SourceIdentity source;
  sys::Trace trace;
  base::Instant computed_at;
  base::Instant valid_until;
  std::string out;  // what the run printed on stdout
  std::optional<plan::NextChange> next_change;
  std::optional<base::Instant> applied_at;  // state.json's, when there is one
  std::chrono::seconds crl_validity{0};
  std::string access_log;  // [nginx].access_log, for sync's metrics on a hit
};

// Everything outside the traced files that shapes a run's answer: this binary, `command` and
// its `flags` (as text), the global options, the working directory, the user and whether
// stdout is a terminal. Empty when the cache is off (CERTGATE_NO_CACHE) or this binary cannot
// be identified.
std::string run_key(const GlobalOptions& g, std::string_view command, std::string_view flags);

// The cached answer for `key` at `now`, when it still holds; nullopt otherwise (no cache, another
// key, outside its window, another source, a traced file changed). Reads the source through
// `fs` (a git source is resolved, a URL fetched, as a run would) into `snapshot`.
std::optional<CachedRun> cached_run(const GlobalOptions& g, std::string_view command,
                                    const std::string& key, base::Instant now, sys::Filesystem& fs,
                                    source::SourceSnapshot* snapshot);

// The entry for `run`, which printed `out` and read through `trace`, when it may be kept (see
// the top of this file); nullopt otherwise. Its applied_at is the one `run` observed: an apply
// that records itself sets the one it wrote.
// `warned`: the run logged a warning or an error (cli/logging.h).
std::optional<CachedRun> cacheable(const PlanRun& run, const sys::Trace& trace,
                                   const std::string& key, base::Instant now, std::string out,
                                   bool warned);

// What a hit prints at `now`: the kept output, its header naming `now`.
std::string replay_text(const CachedRun& entry, base::Instant now);

// Writes STATE/cache/run-COMMAND.json; a failure is logged (debug) and ignored: the cache is only a
// shortcut.
void store_run(const GlobalOptions& g, std::string_view command, const CachedRun& entry,
               sys::Filesystem& fs);

// A Hasher for sys::RecordingFilesystem: sha256, hex.
sys::Hasher trace_hasher();

}  // namespace certgate::cli
