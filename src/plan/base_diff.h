// `certgate plan --base REF`: what a change of the desired state means for people, from the
// desired state alone (no state directory, no snapshot): the desired state at git REF (the base
// branch of a pull request) against the current one. PURE, like compute_plan.
//
// Both sides are read as "every device in the file that is not revoked and not past its
// not_after holds a live certificate", which is what the agent makes true; so the access diff
// says who gains or loses which site through devices, groups, allowlists, public paths and
// fallback doors, whatever the CA host holds today.
#pragma once

#include <string>
#include <vector>

#include "base/time.h"
#include "desired/desired_state.h"
#include "plan/plan.h"

namespace certgate::plan {

enum class DeviceChangeKind { added, removed, revoked, unrevoked, groups, expires };

struct DeviceChange {
  DeviceChangeKind kind = DeviceChangeKind::added;
  std::string device;
  // The human column: "groups admins, ops" (added), "keyCompromise" (revoked),
  // "admins -> admins, ops" (groups), "not_after 2027-03-31" (expires: not_after set or moved).
  std::string detail = "";

  bool operator==(const DeviceChange&) const = default;
  auto operator<=>(const DeviceChange&) const = default;
};

struct BaseDiff {
  std::string base_ref;               // as given: "main", "origin/main"
  std::string base_commit;            // its full commit id
  std::vector<DeviceChange> devices;  // sorted by device, then kind
  std::vector<std::string> sites_added;
  std::vector<std::string> sites_removed;
  std::vector<AccessChange> access;  // sorted, each with its `why`
  // Sites that open to everyone (public path "/", a broad fallback network) or to every device
  // of the CA (no allow_groups and no allow_devices any more), and what the mass-revocation
  // guard would say of the change (refused without --allow-mass-revoke).
  std::vector<std::string> warnings;
  int revocations = 0;  // devices the change revokes (revoked, removed, past not_after)

  bool is_empty() const {
    return devices.empty() && sites_added.empty() && sites_removed.empty() && access.empty();
  }
  bool operator==(const BaseDiff&) const = default;
};

std::string_view to_string(DeviceChangeKind kind);

// `base` is the desired state at the base ref, `head` the current one; `now` decides which
// devices are past not_after and which fallbacks are open. base_ref and base_commit are left
// for the caller.
BaseDiff diff_desired(const desired::DesiredState& base, const desired::DesiredState& head,
                      base::Instant now);

}  // namespace certgate::plan
