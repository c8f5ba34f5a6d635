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

RolloverPlan plan_rollover(const desired::DesiredState& desired,
                           const observed::ObservedState& observed, base::Instant now) {
  RolloverPlan out;
  const observed::Ca& ca = observed.ca;
  if (!ca.exists) return out;
  if (observed.interrupted_rollover)
    out.notes.push_back(
        "a CA rollover was interrupted (STATE/ca-next is there): the next apply "
        "finishes it before anything else");
  if (desired.ca.is_intermediate()) {
    if (ca.not_after - now <= desired.ca.rollover_before)
      out.notes.push_back(
          "the intermediate CA ends " + base::format_date(ca.not_after) +
          ": a two-tier CA does not roll over by itself yet; have the root sign a new "
          "intermediate before then");
    return out;
  }
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
  std::string why = rollover_reason(desired.ca, ca, now);
  if (why.empty()) return out;
  Action a;
  a.kind = ActionKind::issue;
  a.object = ObjectKind::ca;
  a.subject = kNextCaSubject;
  a.detail = desired.ca.common_name + ", " + std::string(to_string(desired.ca.key)) + ", " +
             base::format_duration(desired.ca.validity) +
             "; both CAs are trusted until the old one's last certificate ends";
  a.reason = "CA rollover: " + why;
  out.start = std::move(a);
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

bool starts_rollover(const Plan& plan) { return has(plan, ActionKind::issue, kNextCaSubject); }
bool retires_previous_ca(const Plan& plan) {
  return has(plan, ActionKind::retire, kPreviousCaSubject);
}

const Action* previous_crl_action(const Plan& plan) {
  for (const Action& a : plan.actions)
    if (a.kind == ActionKind::crl && a.subject == kPreviousCrlSubject) return &a;
  return nullptr;
}

}  // namespace certgate::plan
