// `certgate status`: the devices with their certificates, the CA, the CRL and the last apply,
// as text and as JSON (schemas/status.schema.json). PURE.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/time.h"
#include "desired/desired_state.h"
#include "observed/applied_record.h"
#include "observed/last_seen.h"
#include "observed/observed_state.h"
#include "plan/plan.h"

namespace certgate::render {

// One live certificate of a device. During a renewal overlap a device has several; the newest
// (observed::is_newer) is the one it should use, an older one works until `ends_at`.
struct CertificateStatus {
  std::string serial;
  std::optional<base::Instant> not_before;  // unknown without the certificate's file
  base::Instant not_after;
  bool is_newest = false;
  // newest: valid | renew-due; older: overlap (still works) | superseded-pending (its overlap
  // has ended: the next apply revokes it); a deleted device's: orphan.
  std::string state;
  base::Instant ends_at;                        // when it stops working (observed::predecessor_end)
  std::string ends_by;                          // "not_after" or "overlap": which rule sets ends_at
  std::optional<observed::Sighting> last_seen;  // in the access logs read

  bool operator==(const CertificateStatus&) const = default;
};

struct DeviceStatus {
  std::string name;
  std::string state;   // valid | renew-due | expired | revoked | missing | orphan
  std::string serial;  // the newest live certificate's, else the latest one's
  std::optional<base::Instant> not_after;
  std::vector<std::string> groups;
  std::vector<CertificateStatus> certificates;  // the live ones, newest first
  // The certificate nginx saw this device present last, when an access log was read and saw it.
  std::optional<observed::DeviceSeen> last_seen;
  // No longer in the desired state: an orphan (its certificate still live, revoked by the next
  // apply) or revoked, still on the CRL until its certificate's notAfter.
  bool deleted = false;

  // Last seen with another certificate than its newest live one: it has not picked up a renewal.
  bool uses_old_certificate() const { return last_seen && !last_seen->is_newest; }
  bool operator==(const DeviceStatus&) const = default;
};

// One row per device of the desired state, then one per device that is no longer in it
// (`deleted`) while its certificate matters: still live ("orphan") or revoked and not yet
// expired (on the CRL: "revoked"), sorted by name. `logs` (observed::read_access_logs) say which
// serial each device presented last; empty when none was read.
std::vector<DeviceStatus> device_statuses(const desired::DesiredState& desired,
                                          const observed::ObservedState& observed,
                                          base::Instant now,
                                          const std::vector<observed::AccessLogSeen>& logs = {});

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
  // A pull host ([[host]] mode = "pull"): its files are its folder on the [publish] branch,
  // generated_from is what that folder's manifest names, and this is the publish commit that
  // last changed the folder (empty: nothing published for it yet).
  bool is_pull = false;
  std::string published_commit = "";

  bool in_sync() const { return unreachable.empty() && files.empty() && !reload_pending; }

  bool operator==(const TargetStatus&) const = default;
};

// `desired` says which targets are pull hosts; without it none is.
std::vector<TargetStatus> target_statuses(const observed::ObservedState& observed,
                                          const plan::Plan& plan,
                                          const desired::DesiredState* desired = nullptr);

// `plan` is the plan of this moment; status reports its file actions as each target's drift.
// `logs` are the access logs read (or found unreadable), each said once.
std::string status_text(const desired::DesiredState& desired,
                        const observed::ObservedState& observed,
                        const std::optional<observed::AppliedRecord>& applied,
                        const plan::Plan& plan, base::Instant now,
                        const std::vector<observed::AccessLogSeen>& logs = {});
std::string status_json(const desired::DesiredState& desired,
                        const observed::ObservedState& observed,
                        const std::optional<observed::AppliedRecord>& applied,
                        const plan::Plan& plan, base::Instant now,
                        const std::vector<observed::AccessLogSeen>& logs = {});

}  // namespace certgate::render
