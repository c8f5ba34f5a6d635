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

std::string status_text(const desired::DesiredState& desired,
                        const observed::ObservedState& observed,
                        const std::optional<observed::AppliedRecord>& applied, base::Instant now);
std::string status_json(const desired::DesiredState& desired,
                        const observed::ObservedState& observed,
                        const std::optional<observed::AppliedRecord>& applied, base::Instant now);

}  // namespace certgate::render
