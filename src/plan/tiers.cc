#include "plan/tiers.h"

#include <algorithm>

#include "base/duration.h"
#include "plan/rollover.h"

namespace certgate::plan {

namespace {

std::string waiting_note(const desired::CaSpec& ca, const std::string& state_dir) {
  return "waiting for the root: sign " + state_dir +
         "/ca/intermediate.csr on the root's machine (certgate root sign ROOT_DIR "
         "intermediate.csr --out intermediate.crt) and commit the certificate as " +
         ca.intermediate_cert.path + ", with the root's " + ca.root_cert.path + " and " +
         ca.root_crl.path + "; no device is signed until then";
}

Action ca_action(std::string detail, std::string reason) {
  Action a;
  a.kind = ActionKind::issue;
  a.object = ObjectKind::ca;
  a.subject = "ca";
  a.detail = std::move(detail);
  a.reason = std::move(reason);
  return a;
}

// The root's CRL nginx will hold once the plan has run: the source's when it is deployable and
// newer, else the installed one.
const observed::Crl& served_root_crl(const observed::ObservedState& o, bool source_newer) {
  return source_newer ? o.tiers.root_crl : o.ca.root_crl;
}

void warn_root_crl(const observed::Crl& crl, const desired::CaSpec& ca, base::Instant now,
                   TierPlan& out) {
  if (!crl.exists) return;
  const std::string refresh =
      "sign a new one on the root's machine (certgate root crl ROOT_DIR) "
      "and commit it as " +
      ca.root_crl.path;
  if (crl.next_update <= now) {
    out.warnings.push_back("the root's CRL expired on " + base::format_rfc3339(crl.next_update) +
                           ": nginx refuses every device; " + refresh);
  } else if (crl.next_update - now < kRootCrlWarnBefore) {
    out.warnings.push_back("the root's CRL expires on " + base::format_rfc3339(crl.next_update) +
                           " (" +
                           base::format_duration(std::chrono::duration_cast<std::chrono::seconds>(
                               crl.next_update - now)) +
                           " from now); nginx refuses every device after it: " + refresh);
  }
}

}  // namespace

TierPlan plan_tiers(const desired::DesiredState& desired, const observed::ObservedState& observed,
                    base::Instant now) {
  TierPlan out;
  const desired::CaSpec& ca = desired.ca;
  if (!ca.is_intermediate()) return out;
  const observed::Ca& have = observed.ca;
  const observed::SourceTiers& src = observed.tiers;
  if (!have.exists && !have.awaiting_root) {
    out.ca = ca_action("intermediate " + ca.common_name + ", " + std::string(to_string(ca.key)) +
                           ": key and CSR for the root to sign",
                       "no CA yet");
    out.can_sign = false;
    out.notes.push_back(waiting_note(ca, observed.state_dir));
    return out;
  }
  if (have.awaiting_root) {
    if (!src.has_intermediate || !src.intermediate_problem.empty()) {
      out.can_sign = false;
      out.notes.push_back(waiting_note(ca, observed.state_dir));
      if (src.has_intermediate)
        out.warnings.push_back("the intermediate in the source cannot be installed: " +
                               src.intermediate_problem);
      return out;
    }
    out.ca = ca_action("install intermediate " + src.intermediate_common_name + " signed by " +
                           src.root_common_name + ", until " +
                           base::format_date(src.intermediate_not_after),
                       "the root signed STATE/ca/intermediate.csr");
    warn_root_crl(src.root_crl, ca, now, out);
    return out;
  }
  // Installed: a newer root CRL from the source is deployed; an older one is never (it could
  // bring a revoked intermediate back).
  const observed::Crl& installed = have.root_crl;
  // Taken over without STATE/ca/root.crt: the source's root is installed with its CRL, once it
  // is the root that signed ca.crt.
  const bool adopts_root = have.root_public_key_sha256.empty();
  if (adopts_root && !src.root_signed_installed) {
    // A one-tier CA (or one of another root) under mode = "intermediate": it keeps signing as
    // it is, never locked out by a mode change.
    out.warnings.push_back(
        "STATE/ca/ca.crt is not signed by the root in " + ca.root_cert.path +
        " (a one-tier CA, or another root's): it keeps signing as it is, and nginx keeps "
        "verifying devices against it alone; commit the root that signed it, or move to a "
        "two-tier CA by a rollover (not yet supported)");
    return out;
  }
  const bool deployable = src.root_crl_problem.empty() && src.root_crl.exists;
  // By crlNumber; a CRL without one (easy-rsa's) by thisUpdate.
  const auto later = [](const observed::Crl& a, const observed::Crl& b) {
    return a.number != b.number ? a.number > b.number : a.this_update > b.this_update;
  };
  const bool newer = deployable && (!installed.exists || later(src.root_crl, installed));
  if (newer) {
    Action a;
    a.kind = ActionKind::crl;
    a.object = ObjectKind::ca;
    a.subject = kRootCrlSubject;
    a.before = installed.exists ? std::to_string(installed.number) : "";
    a.after = std::to_string(src.root_crl.number);
    a.detail = "root crlNumber " + (a.before.empty() ? std::string("none") : a.before) + " -> " +
               a.after + "   nextUpdate " + base::format_date(src.root_crl.next_update);
    a.reason = adopts_root ? "the root " + src.root_common_name + " and its CRL, from the source"
                           : "a newer CRL of the root is in the source";
    out.root_crl = std::move(a);
  } else if (deployable && later(installed, src.root_crl)) {
    out.warnings.push_back(
        ca.root_crl.path + " is CRL number " + std::to_string(src.root_crl.number) + " of " +
        base::format_rfc3339(src.root_crl.this_update) + ", older than the installed " +
        std::to_string(installed.number) + ": it is not deployed");
  } else if (!src.root_crl_problem.empty()) {
    out.warnings.push_back(src.root_crl_problem + "; the installed root CRL stays");
  }
  const observed::Crl& served = served_root_crl(observed, newer);
  warn_root_crl(served, ca, now, out);
  if (std::binary_search(served.serials.begin(), served.serials.end(), have.serial)) {
    out.warnings.push_back("the root revoked this intermediate (serial " + have.serial +
                           "): nginx refuses every device it signed");
    out.can_sign = false;
  }
  if (src.has_intermediate && !src.intermediate_installed && !src.intermediate_is_next)
    out.notes.push_back(ca.intermediate_cert.path +
                        " is not the installed intermediate (STATE/ca/ca.crt); it is ignored");
  return out;
}

bool has_ca_after(const desired::DesiredState& desired, const observed::ObservedState& observed,
                  const Plan& plan) {
  if (observed.ca.exists || !desired.ca.is_intermediate()) return true;  // or made by this plan
  return makes_ca(plan) && observed.ca.awaiting_root;
}

bool ca_pem_changes(const observed::ObservedState& observed, const Plan& plan) {
  if (!observed.ca.exists || starts_rollover(plan) || retires_previous_ca(plan)) return true;
  const bool adopts_root =
      observed.ca.root_public_key_sha256.empty() &&
      std::any_of(plan.actions.begin(), plan.actions.end(), [](const Action& a) {
        return a.kind == ActionKind::crl && a.object == ObjectKind::ca;
      });
  return adopts_root;
}

}  // namespace certgate::plan
