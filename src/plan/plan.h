// Plan: what apply will do, as a plain value that records its inputs (Terraform's plan file).
//
// compute_plan (planner.h) makes it; render/ prints it as text or JSON; apply/ carries it out.
// Containers are ordered so the same inputs always give byte-identical output.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/pki_types.h"
#include "base/time.h"

namespace certgate::plan {

// Spelled as in the JSON plan and the human form. `publish` stands for `reload` on a pull host
// ([[host]] mode = "pull"): its files are committed to the [publish] branch, and `certgate edge`
// on the host tests them and reloads nginx there. `retire` ends the outgoing CA of a rollover
// (plan/rollover.h) once its last certificate ended.
enum class ActionKind { issue, renew, revoke, crl, file, reload, publish, retire };

// What an action acts on: the CA itself, a device's certificate, the CRL, a file, or the revoked
// probe certificate `certgate verify` presents (observed_state.h kRevokedProbeName).
enum class ObjectKind { ca, device, crl, file, probe };

struct Action {
  ActionKind kind = ActionKind::issue;
  ObjectKind object = ObjectKind::device;
  std::string target = "local";  // "local" or a host name
  std::string subject;           // device name, "ca", "crl" or a file path
  std::string detail;            // the human column: "ec-p256, 365d, groups admins"
  std::string reason;            // why: "new device", "expires ... < renew_before 30d"
  std::string serial;            // renew/revoke: the certificate acted on
  std::optional<base::RevocationReason> revocation_reason;  // revoke only
  std::string before;  // renew: old notAfter; crl: old crlNumber
  std::string after;   // renew: when the old certificate stops working; crl: new crlNumber
  // renew: the old certificate is revoked (superseded) as soon as its successor is installed
  // ([defaults].overlap = 0s); otherwise it stays valid beside it until `after`.
  bool revokes_predecessor = false;

  bool operator==(const Action&) const = default;
};

enum class AccessChangeKind { gain, lose };

// What passes a site's gate: a device by its certificate, anyone on a public path, or anyone
// from a fallback network.
enum class AccessKind { device, public_path, fallback };

// Who gains or loses a site's door, which is what a reviewer asks of a plan.
struct AccessChange {
  AccessKind kind = AccessKind::device;
  std::string who;  // the device name, the public path ("/healthz") or the CIDR ("0.0.0.0/0")
  std::string site;
  AccessChangeKind change = AccessChangeKind::gain;
  // Why, for a reviewer: "new device", "group admins", "revoked (keyCompromise)", "deleted",
  // "public_paths", "fallback until 2026-12-15T00:00:00Z". Not part of the ordering's meaning.
  std::string why = "";

  bool operator==(const AccessChange&) const = default;
  auto operator<=>(const AccessChange&) const = default;
};

// What the plan was computed from; apply PLAN recomputes these and refuses a plan whose inputs
// changed.
struct PlanInputs {
  std::string source;  // "file certgate.toml", "git 1a2b3c4 (main)"
  std::string commit;  // empty when the source is not git
  std::string state_dir;
  // sha256 of each input: "source:certgate.toml", "source:csr/bob.csr", "state:ca/index.txt"...
  std::map<std::string, std::string> fingerprints;

  bool operator==(const PlanInputs&) const = default;
};

inline constexpr int kPlanFormatVersion = 1;

struct Plan {
  int format_version = kPlanFormatVersion;
  PlanInputs inputs;
  base::Instant now;
  std::vector<Action> actions;       // in the order apply runs them
  std::vector<AccessChange> access;  // sorted
  // Devices this plan's change revokes a certificate of: revoked, expired and deleted devices,
  // and those whose replacement revokes the predecessor at once (overlap 0s). Renewals that keep
  // the predecessor valid revoke nothing, and the end of an overlap the plan that made it announced
  // is not counted again.
  int revocations = 0;
  int max_revocations = 0;
  // Devices holding a live certificate when the plan was made (the relative mass-revocation
  // rule compares `revocations` with it).
  int live_devices = 0;
  // Set when the plan must not be applied as it is (the mass-revocation guard, a clock that went
  // back); names the rule that fired.
  std::string refusal;
  // The CRL needs signing whatever the actions (missing, stale, near nextUpdate): a refused
  // plan still refreshes it, or nginx would turn every client away once it expires.
  bool crl_refresh_due = false;
  // The crlNumber of the CRL the targets serve once the plan has run (0: there is none): the crl
  // action's when there is one (apply signs exactly this number), else the current CRL's. The
  // planner alone chooses it.
  long crl_number = 0;
  // What a reviewer should know that is not an action ("the CA expires on ...").
  std::vector<std::string> notes;
  // How the CA in the state differs from [ca] (plan/ca_drift.h), also in `notes`: never acted on.
  std::vector<std::string> ca_differences = {};
  // What a reviewer must not miss: a change that opens a whole site to everyone.
  std::vector<std::string> warnings;

  bool is_empty() const { return actions.empty(); }
  int count(ActionKind kind) const;
  bool operator==(const Plan&) const = default;
};

// The plan makes the CA (a two-tier CA: its key and CSR, or the installation of what the root
// signed): an issue action on the CA, not the root-CRL deployment (crl on the CA) nor the next
// CA of a rollover (plan/rollover.h).
bool makes_ca(const Plan& plan);

std::string_view to_string(ActionKind kind);
std::string_view to_string(ObjectKind kind);
std::string_view to_string(AccessChangeKind kind);
std::string_view to_string(AccessKind kind);

}  // namespace certgate::plan
