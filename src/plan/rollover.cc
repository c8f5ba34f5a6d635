#include "plan/rollover.h"

#include <algorithm>

#include "base/duration.h"

namespace certgate::plan {

std::string rollover_reason(const desired::CaSpec& want, const observed::Ca& have,
                            base::Instant now) {
  if (!have.exists) return "";
  if (have.not_after - now <= want.rollover_before)
    return "the CA ends " + base::format_rfc3339(have.not_after) + ", within rollover_before " +
           base::format_duration(want.rollover_before);
  if (!have.key || *have.key != want.key)
    return "[ca] key is " + std::string(to_string(want.key)) + ", the CA's is " +
           (have.key ? std::string(to_string(*have.key)) : "another type");
  if (have.common_name != want.common_name)
    return "[ca] common_name is \"" + want.common_name + "\", the CA's is \"" + have.common_name +
           "\"";
  return "";
}

std::string next_generation(const observed::Ca& ca) {
  const std::string& g = ca.subject_serial_number;
  const bool number = !g.empty() && g.size() < 9 &&
                      std::all_of(g.begin(), g.end(), [](char c) { return c >= '0' && c <= '9'; });
  return std::to_string(number ? std::stol(g) + 1 : 2);
}

namespace {

constexpr const char* kNextCsr = "STATE/ca-next/intermediate.csr";

Action ca_action(const char* subject, std::string detail, std::string reason) {
  Action a;
  a.kind = ActionKind::issue;
  a.object = ObjectKind::ca;
  a.subject = subject;
  a.detail = std::move(detail);
  a.reason = std::move(reason);
  return a;
}

// A two-tier CA's rollover before its swap: the next intermediate's CSR, the wait for the root,
// and the installation of what it signed.
void plan_next_intermediate(const desired::DesiredState& desired,
                            const observed::ObservedState& observed, base::Instant now,
                            RolloverPlan& out) {
  const desired::CaSpec& want = desired.ca;
  const observed::SourceTiers& src = observed.tiers;
  const std::string waiting =
      std::string("CA rollover: waiting for the root: sign ") + kNextCsr +
      " on the root's machine (certgate root sign ROOT_DIR intermediate.csr --out "
      "intermediate.crt) and commit it as " +
      want.intermediate_cert.path + "; the current intermediate signs until then (it ends " +
      base::format_rfc3339(observed.ca.not_after) + ")";
  if (observed.next.awaiting_root) {
    if (src.intermediate_is_next && src.intermediate_problem.empty()) {
      out.start = ca_action(kNextCaSubject,
                            "install intermediate " + src.intermediate_common_name + " signed by " +
                                src.root_common_name + ", until " +
                                base::format_date(src.intermediate_not_after) +
                                "; both are trusted until the old one's last certificate ends",
                            std::string("CA rollover: the root signed ") + kNextCsr);
      out.new_ca_end = src.intermediate_not_after;
      return;
    }
    out.notes.push_back(waiting);
    if (src.intermediate_is_next)
      out.warnings.push_back("the next intermediate in the source cannot be installed: " +
                             src.intermediate_problem);
    return;
  }
  std::string why = rollover_reason(want, observed.ca, now);
  const auto revokes = [&](const observed::Crl& crl) {
    return std::binary_search(crl.serials.begin(), crl.serials.end(), observed.ca.serial);
  };
  if (why.empty() &&
      (revokes(observed.ca.root_crl) || (src.root_crl_problem.empty() && revokes(src.root_crl))))
    why = "the root revoked the intermediate (serial " + observed.ca.serial + ")";
  if (why.empty()) return;
  out.request =
      ca_action(kNextCaRequestSubject,
                "next intermediate " + want.common_name + " (serialNumber " +
                    next_generation(observed.ca) + "), " + std::string(to_string(want.key)) +
                    ": key and CSR in STATE/ca-next for the root to sign",
                "CA rollover: " + why);
  out.notes.push_back(waiting);
}

}  // namespace

RolloverPlan plan_rollover(const desired::DesiredState& desired,
                           const observed::ObservedState& observed, base::Instant now) {
  RolloverPlan out;
  const observed::Ca& ca = observed.ca;
  if (observed.interrupted_rollover)
    out.notes.push_back(
        "a CA rollover was interrupted (STATE/ca-next is there): the next apply "
        "finishes it before anything else");
  if (!ca.exists) return out;
  if (observed.previous.exists) {
    const bool live =
        std::any_of(observed.certs.begin(), observed.certs.end(),
                    [&](const observed::Cert& c) { return c.previous_ca && c.is_live(now); });
    if (live) {
      base::Instant last = now;
      for (const observed::Cert& c : observed.certs)
        if (c.previous_ca && c.is_live(now)) last = std::max(last, c.not_after);
      out.notes.push_back("CA rollover: the previous CA \"" + observed.previous.ca.common_name +
                          "\" stays trusted beside the new one until its last certificate ends, " +
                          base::format_rfc3339(last));
      return out;
    }
    Action a;
    a.kind = ActionKind::retire;
    a.object = ObjectKind::ca;
    a.subject = kPreviousCaSubject;
    a.serial = observed.previous.ca.serial;
    a.detail = observed.previous.ca.common_name + ", serial " + observed.previous.ca.serial;
    a.reason =
        "none of its certificates is valid any more: it leaves ca.pem and crl.pem, its key is "
        "destroyed";
    out.retire = std::move(a);
    return out;
  }
  if (desired.ca.is_intermediate()) {
    plan_next_intermediate(desired, observed, now, out);
    return out;
  }
  std::string why = rollover_reason(desired.ca, ca, now);
  if (why.empty()) return out;
  if (!ca.root_public_key_sha256.empty()) {
    // nginx trusts the root, and the gates check the intermediate: a self-signed successor
    // would need both changed in one step.
    out.warnings.push_back("CA rollover (" + why + ") not started: the CA in the state is an " +
                           "intermediate of the root " + ca.root_common_name +
                           ", which does not roll over into a self-signed CA; set [ca] mode = " +
                           "\"intermediate\" to have the root sign its successor");
    return out;
  }
  out.start = ca_action(kNextCaSubject,
                        desired.ca.common_name + ", " + std::string(to_string(desired.ca.key)) +
                            ", " + base::format_duration(desired.ca.validity) +
                            "; both CAs are trusted until the old one's last certificate ends",
                        "CA rollover: " + why);
  out.new_ca_end = now + desired.ca.validity;
  return out;
}

Action previous_crl(const observed::Crl& crl, long number, base::Instant next_update,
                    std::string why) {
  Action a;
  a.kind = ActionKind::crl;
  a.object = ObjectKind::crl;
  a.subject = kPreviousCrlSubject;
  a.before = crl.exists ? std::to_string(crl.number) : "";
  a.after = std::to_string(number);
  a.detail = "previous CA's crlNumber " + (a.before.empty() ? std::string("none") : a.before) +
             " -> " + a.after + "   nextUpdate " + base::format_date(next_update);
  a.reason = std::move(why);
  return a;
}

void note_ca_end(const observed::Ca& ca, std::chrono::seconds renew_before, bool expired,
                 bool rolls_over, base::Instant now, std::vector<std::string>& notes) {
  if (expired) {
    notes.push_back("the CA expired on " + base::format_rfc3339(ca.not_after) +
                    ": nothing can be issued or renewed with it");
  } else if (ca.exists && !rolls_over && ca.not_after - now < renew_before) {
    notes.push_back("the CA expires on " + base::format_date(ca.not_after) +
                    ": certificates cannot be renewed past it");
  }
}

namespace {

bool has(const Plan& plan, ActionKind kind, const char* subject) {
  return std::any_of(plan.actions.begin(), plan.actions.end(),
                     [&](const Action& a) { return a.kind == kind && a.subject == subject; });
}

}  // namespace

std::vector<std::string> gate_issuer_dns(const observed::SourceTiers& t, const Plan& plan) {
  std::vector<std::string> out;
  const bool starts = starts_rollover(plan);
  for (const std::string* dn :
       {starts ? &t.next_issuer_dn : nullptr, &t.issuer_dn,
        starts || retires_previous_ca(plan) ? nullptr : &t.previous_issuer_dn})
    if (dn && !dn->empty() && (dn != &t.previous_issuer_dn || !out.empty())) out.push_back(*dn);
  return out;
}

bool starts_rollover(const Plan& plan) { return has(plan, ActionKind::issue, kNextCaSubject); }
bool requests_next_intermediate(const Plan& plan) {
  return has(plan, ActionKind::issue, kNextCaRequestSubject);
}
bool retires_previous_ca(const Plan& plan) {
  return has(plan, ActionKind::retire, kPreviousCaSubject);
}

const Action* previous_crl_action(const Plan& plan) {
  for (const Action& a : plan.actions)
    if (a.kind == ActionKind::crl && a.subject == kPreviousCrlSubject) return &a;
  return nullptr;
}

}  // namespace certgate::plan
