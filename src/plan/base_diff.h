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
#include <string_view>
#include <vector>

#include "base/time.h"
#include "desired/desired_state.h"
#include "plan/plan.h"

namespace certgate::plan {

enum class DeviceChangeKind { added, removed, revoked, unrevoked, groups, expires };

struct DeviceChange {
  DeviceChangeKind kind = DeviceChangeKind::added;
  std::string device = "";
  // The human column: "groups admins, ops" or "no groups" (added; ", revoked (R)" when it comes
  // revoked), "" or "already revoked" (removed), "keyCompromise" (revoked), "was keyCompromise"
  // (unrevoked), "admins -> admins, ops" or "no groups -> admins" (groups), and for expires
  // "not_after 2027-03-31" (set), "not_after 2027-03-31 -> 2027-06-30" (moved), "not_after
  // 2027-03-31 removed", with " (passed)" when the new one is not after `now`. A not_after that
  // ends a day (a date in the TOML) shows as the date, any other as RFC 3339.
  std::string detail = "";

  bool operator==(const DeviceChange&) const = default;
  auto operator<=>(const DeviceChange&) const = default;
};

struct BaseDiff {
  std::string base_ref = "";          // as given: "main", "origin/main"
  std::string base_commit = "";       // its full commit id
  std::vector<DeviceChange> devices;  // sorted by device, then kind
  std::vector<std::string> sites_added;
  std::vector<std::string> sites_removed;
  // Sorted, each with its `why`, the most specific reason, in this order of precedence:
  //   gain of a device: "new device", "unrevoked", "not_after moved to DATE" / "not_after
  //     removed", "new site", "site allows any device of the CA", "in allow_devices", then by the
  //     device's first group the site allows: "group G added to allow_groups" / "joined group G";
  //   loss of a device: "deleted", "revoked (REASON)", "not_after passed", "site removed", "site
  //     no longer allows any device of the CA", "removed from allow_devices", then "group G
  //     removed from allow_groups" / "left group G";
  //   public paths: "public_paths" or "[enroll] links" (gain), "site removed", "[enroll] links
  //     removed", "removed from public_paths" (loss);
  //   fallback networks: "fallback until RFC3339" (gain), "site removed", "fallback closed".
  std::vector<AccessChange> access;
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
// devices are past not_after and which fallbacks are open. Each side's access is
// wanted_access (plan/access.h) of its sites with its live devices (not revoked, not past
// not_after). warnings, in order: broad_warning of each gain (public path "/", a broad fallback),
// "site S now lets in any device of the CA: ..." for a site that had allow_groups or
// allow_devices and has neither, then the mass-revocation guard of planner.cc measured on the
// change: "apply will refuse this change without --allow-mass-revoke: it revokes N of the M live
// devices, more than [safety].max_revocations = K" (head's) or "..., more than half of them"
// (N >= 2, M = base's live devices). base_ref and base_commit are left for the caller.
BaseDiff diff_desired(const desired::DesiredState& base, const desired::DesiredState& head,
                      base::Instant now);

}  // namespace certgate::plan
