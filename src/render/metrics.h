// Prometheus text exposition of a sync (for node_exporter's textfile collector): when it ran,
// whether it succeeded and how long it took, the applied commit, each live certificate's expiry,
// the CRL's nextUpdate, the actions still pending, and revocation latency per target (from the
// commit that asked for the revocation to the reload that enforced it); per device the number of
// live certificates and the newest one's expiry, and, from the access logs read, when the newest
// was last seen and whether the device was last seen with an older one. PURE.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/time.h"
#include "desired/desired_state.h"
#include "observed/last_seen.h"
#include "observed/observed_state.h"

namespace certgate::render {

struct SyncRun {
  base::Instant finished_at;
  bool succeeded = false;
  double duration_seconds = 0;
  std::string source;
  std::string commit;
  std::optional<base::Instant> commit_time;
  int planned_actions = 0;                           // actions of the plan this run computed
  std::vector<std::string> revoked_devices;          // revoked by this run
  std::map<std::string, base::Instant> reloaded_at;  // target -> reload
  // The access logs read after the run (observed::read_access_logs); empty: none known.
  std::vector<observed::AccessLogSeen> access_logs;
  // The desired state the run loaded (null: it did not load): the CRL's and each device's
  // renewal windows, which the alert rules compare with the dates.
  const desired::DesiredState* desired = nullptr;
  // Target -> whether it holds what the plan wanted after the run; empty when no rollout ran.
  std::map<std::string, bool> targets_in_sync = {};
  // The agent's interval (certgate agent --interval); unset for a sync on a timer.
  std::optional<double> interval_seconds = std::nullopt;
};

// `observed` is the state after the run (its last_applied is the last successful one).
std::string sync_metrics(const SyncRun& run, const observed::ObservedState& observed);

}  // namespace certgate::render
