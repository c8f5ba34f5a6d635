// Carrying out the PKI actions of a Plan: create the CA, issue and renew certificates (with
// their bundles), revoke, and write the CRL, through pki::CaDatabase and DeviceFiles.
//
// Issuance is batched (group commit, see device_files.h): the whole batch costs a few syncs,
// not one fsync per file per device, and a kill -9 at any point leaves a state that recover()
// completes or rolls back. REQUIRES: the caller holds STATE/lock and has run recover().
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "desired/desired_state.h"
#include "observed/applied_record.h"
#include "observed/observed_state.h"
#include "pki/secret.h"
#include "plan/plan.h"
#include "sys/filesystem.h"

namespace certgate::apply {

struct ApplyContext {
  sys::Filesystem& fs;
  std::string state_dir;
  base::Instant now;
  int threads = 1;  // key generation and bundles run on this many threads
  // The CA key's passphrase (cli/ca_passphrase.h), null when none was given; `passphrase_origin`
  // names where it came from, for messages (never the passphrase itself).
  const pki::SecretString* ca_passphrase = nullptr;
  std::string passphrase_origin = "";
  std::string passphrase_hint = "";  // how to give one, for the error when it is missing
};

// A certificate apply signed: for a new device, or a renewal (`replaces` the old serial).
struct IssuedCert {
  std::string device;
  std::string serial;
  std::string replaces = "";  // empty for a first certificate

  bool operator==(const IssuedCert&) const = default;
};

struct RevokedCert {
  std::string device;
  std::string serial;
  base::RevocationReason reason = base::RevocationReason::unspecified;

  bool operator==(const RevokedCert&) const = default;
};

struct ApplyReport {
  bool created_ca = false;
  // A two-tier CA's key and CSR were made: nothing is signed until the root signed it.
  bool awaiting_root = false;
  std::vector<IssuedCert> issued;   // first certificates
  std::vector<IssuedCert> renewed;  // successors (`replaces` set)
  // What the desired state revoked (a device marked revoked, or deleted): the revocations an
  // operator asked for, whose latency the metrics report.
  std::vector<RevokedCert> revoked;
  // Predecessors of renewals with overlap 0s, revoked as superseded once their successor was in:
  // routine, not a revocation anyone asked for.
  std::vector<RevokedCert> superseded;
  long crl_number = -1;  // -1: no CRL written
  // A CA rollover (plan/rollover.h): started, the outgoing CA's CRL signed, the outgoing CA
  // retired (its serial).
  bool rolled_over = false;
  bool requested_next_ca = false;  // two tiers: the next intermediate's key and CSR were made
  long previous_crl_number = -1;
  std::string retired_ca = "";
  // Device -> serial of the certificate issued or renewed for it, as $ssl_client_serial prints
  // it: what the plan's planned serials (plan::kPlannedSerial) turned out to be.
  std::map<std::string, std::string> new_serials = {};

  bool operator==(const ApplyReport&) const = default;
};

// Carries out the PKI actions of `plan` (issue, renew, revoke, crl) in order: CA, the revoked
// probe certificate, revocations, issuance batch, the superseded certificates of renewals, and
// one CRL numbered as the plan's crl action says (Errc::stale when the CA used that number
// already), signed also when the issuance failed. Stops at the first error otherwise; what was
// committed before it stays committed, and the next run converges.
// `observed` is what the plan was computed from; its certificate details, with those of the new
// certificates, become the certificate cache (pki/cert_cache.h).
Result<ApplyReport> apply_pki(const plan::Plan& plan, const desired::DesiredState& desired,
                              const observed::ObservedState& observed, ApplyContext& ctx);

// Records a successful apply in STATE/state.json (observed/applied_record.h), durably.
Result<void> record_applied(sys::Filesystem& fs, const std::string& state_dir,
                            const observed::AppliedRecord& record);

}  // namespace certgate::apply
