// When the plan changes by itself: the next instant after `now` at which compute_plan (or the
// nginx files rendered from it) would give a different answer with no commit and no one
// touching the state. The agent wakes then instead of waiting out its interval, so a fallback
// door closes at its `until`, not up to an interval later. PURE.
#pragma once

#include <optional>
#include <string>

#include "desired/desired_state.h"
#include "observed/observed_state.h"

namespace certgate::plan {

struct NextChange {
  base::Instant at;
  std::string reason;  // "the fallback of site admin closes"

  bool operator==(const NextChange&) const = default;
};

// The earliest instant strictly after `now` among: each site fallback's `until`; each device's
// `not_after`; for each live certificate of a device that is not revoked, the start of its
// renew_before window and its notAfter; the CRL's refresh (nextUpdate - crl_refresh_before) and
// nextUpdate; the notAfter of each revoked certificate the CRL lists (it leaves the CRL then).
// nullopt when there is none.
std::optional<NextChange> next_change(const desired::DesiredState& desired,
                                      const observed::ObservedState& observed, base::Instant now);

}  // namespace certgate::plan
