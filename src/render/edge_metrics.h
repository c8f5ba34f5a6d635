// Prometheus text exposition of a `certgate edge` tick (for node_exporter's textfile collector):
// when it ran, whether it succeeded, the consecutive failures, the last success, which publish
// commit and which source commit the files on the edge came from, and the dates of the CRL the
// edge's nginx serves (an edge that stops pulling is noticed before that CRL expires). PURE.
#pragma once

#include <optional>
#include <string>

#include "base/time.h"

namespace certgate::render {

struct EdgeRun {
  std::string host;  // --host
  base::Instant finished_at;
  bool succeeded = false;
  double duration_seconds = 0;
  int consecutive_failures = 0;               // 0 after a success
  std::optional<base::Instant> last_success;  // when a tick last succeeded; unset: never
  // From DIR/.certgate-manifest.json as the tick left it; empty: no files deployed yet.
  std::string published_commit;
  std::string source;         // "git 1a2b3c4 (main)": what the CA host rendered the files from
  std::string source_commit;  // its commit
  // The CRL in DIR/crl.pem (the one expiring first when it holds several); unset: none readable.
  std::optional<base::Instant> crl_this_update;
  std::optional<base::Instant> crl_next_update;
  long crl_number = -1;
};

// The metrics of `run`; families whose value is unknown are left out.
std::string edge_metrics(const EdgeRun& run);

}  // namespace certgate::render
