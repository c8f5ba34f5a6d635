// `certgate status`: the devices with their certificates, the CA, the CRL and the last apply,
// as text and as JSON (schemas/status.schema.json). PURE.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/time.h"
#include "desired/desired_state.h"
#include "observed/applied_record.h"
#include "observed/observed_state.h"
#include "plan/plan.h"

namespace certgate::render {

struct DeviceStatus {
  std::string name;
  std::string state;  // valid | renew-due | expired | revoked | missing | orphan
  std::string serial;
  std::optional<base::Instant> not_after;
  std::vector<std::string> groups;

  bool operator==(const DeviceStatus&) const = default;
};

// One row per device of the desired state, then one per live certificate of a device that is
// no longer in it ("orphan"), sorted by name.
std::vector<DeviceStatus> device_statuses(const desired::DesiredState& desired,
                                          const observed::ObservedState& observed,
                                          base::Instant now);

// The nginx files of one target as they compare with what apply would write now: each file
// that differs, with why ("drift": edited by hand since the last apply; "missing"; "pending":
// the desired state changed; "stale": a removed site's file), from `plan`'s file actions.
struct TargetStatus {
  std::string target;
  std::string dir;
  std::vector<std::pair<std::string, std::string>> files;  // path, state; empty when in sync
  bool reload_pending = false;
  std::string unreachable;     // why it could not be read; empty when it was
  std::string generated_from;  // what its http.conf says it came from: the last apply there
  std::string commit;          // the git commit in generated_from, if any

  bool in_sync() const { return unreachable.empty() && files.empty() && !reload_pending; }

  bool operator==(const TargetStatus&) const = default;
};

std::vector<TargetStatus> target_statuses(const observed::ObservedState& observed,
                                          const plan::Plan& plan);

// `plan` is the plan of this moment; status reports its file actions as each target's drift.
std::string status_text(const desired::DesiredState& desired,
                        const observed::ObservedState& observed,
                        const std::optional<observed::AppliedRecord>& applied,
                        const plan::Plan& plan, base::Instant now);
std::string status_json(const desired::DesiredState& desired,
                        const observed::ObservedState& observed,
                        const std::optional<observed::AppliedRecord>& applied,
                        const plan::Plan& plan, base::Instant now);

}  // namespace certgate::render
