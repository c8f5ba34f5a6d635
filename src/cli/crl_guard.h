// The CRL refresh that depends on the CA database alone. An expired CRL makes nginx turn every
// client away, so it is not optional (DESIGN.md section 1): when apply cannot or must not carry
// out the desired state (it does not parse, its commit is broken, the plan is refused), a CRL
// that is due is still signed, with the CRL settings of the last good apply, and deployed alone
// (crl.pem, test, reload, rolled back on failure) to the targets that apply recorded in
// STATE/state.json, and committed, signed, to the folders of the pull hosts it published
// ([publish]), where their edges fetch it. Nothing else changes: "refused" means nothing else is
// deployed.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "cli/global_options.h"
#include "sys/command_runner.h"
#include "sys/filesystem.h"

namespace certgate::cli {

struct CrlGuardReport {
  long signed_crl = -1;               // the number of the CRL signed now; -1: none was due
  std::vector<std::string> deployed;  // targets that got the CRL
  std::vector<std::string> failed;    // "target: why"
  std::vector<std::string> skipped;   // "target: why": no crl.pem of certgate's there

  bool is_ok() const { return failed.empty(); }
};

// Signs the CRL when it is due (nextUpdate within the recorded crl_refresh_before, thisUpdate in
// the future, missing, or `force_sign`) and brings every recorded target's crl.pem to the
// state's. A target whose crl.pem certgate did not write, or that holds no crl.pem, is left
// alone. Without a CA there is nothing to guard; without a state.json, no target to deploy to.
// REQUIRES: the caller holds STATE/lock. Errc::io or Errc::crypto when signing fails; per-target
// failures are in the report.
Result<CrlGuardReport> guard_crl(const GlobalOptions& g, sys::Filesystem& fs,
                                 sys::CommandRunner& runner, const std::string& state,
                                 base::Instant now, bool force_sign);

// Prints what guard_crl did ("Refreshed the CRL only: CRL 8 deployed to local.") and reports each
// failed target on stderr.
void print_crl_guard(const CrlGuardReport& report);

}  // namespace certgate::cli
