#include "plan/clock_checks.h"

#include <set>

#include "base/duration.h"

namespace certgate::plan {

std::string clock_refusal(const observed::ObservedState& observed, base::Instant now) {
  std::string why;
  if (observed.last_applied && now < observed.last_applied->applied_at)
    why = "the clock reads " + base::format_rfc3339(now) + ", before the last apply at " +
          base::format_rfc3339(observed.last_applied->applied_at);
  else if (observed.crl.exists && now < observed.crl.this_update)
    why = "the clock reads " + base::format_rfc3339(now) + ", before the CRL's thisUpdate " +
          base::format_rfc3339(observed.crl.this_update);
  if (why.empty()) return "";
  return why +
         " (the clock went back, or was ahead then); certificates and a CRL signed now could "
         "be expired or not yet valid for nginx; fix the clock, or if it is right now, apply "
         "with --allow-clock-rewind";
}

std::string crl_due_to_clock(const observed::ObservedState& observed, base::Instant now) {
  if (!observed.crl.exists || now >= observed.crl.this_update) return "";
  return "thisUpdate " + base::format_rfc3339(observed.crl.this_update) +
         " is in the future: nginx rejects a CRL that is not yet valid";
}

namespace {

void note_future_certs(const observed::ObservedState& observed, base::Instant now, Plan& plan) {
  std::set<std::string> devices;
  base::Instant latest = now;
  for (const observed::Cert& c : observed.certs) {
    if (!c.is_live(now) || !c.has_file || c.not_before <= now) continue;
    devices.insert(c.device);
    latest = std::max(latest, c.not_before);
  }
  if (devices.empty()) return;
  std::string names;
  for (const std::string& d : devices) names += (names.empty() ? "" : ", ") + d;
  plan.notes.push_back("certificates of " + names + " are not valid yet (until as late as " +
                       base::format_rfc3339(latest) +
                       "): they were signed while the clock was ahead, and nginx refuses them "
                       "until then");
}

}  // namespace

void note_clock(const desired::DesiredState& desired, const observed::ObservedState& observed,
                base::Instant now, Plan& plan) {
  if (observed.ca.exists && now < observed.ca.not_before)
    plan.notes.push_back("the CA certificate is not valid before " +
                         base::format_rfc3339(observed.ca.not_before) +
                         ": nginx and clients refuse everything it signed until then");
  note_future_certs(observed, now, plan);
  if (!observed.last_applied) return;
  const base::Instant last = observed.last_applied->applied_at;
  if (now - last > desired.ca.crl_validity)
    plan.notes.push_back("the last apply was at " + base::format_rfc3339(last) + ", " +
                         base::format_duration(now - last) +
                         " ago, longer than a CRL lives (crl_validity " +
                         base::format_duration(desired.ca.crl_validity) +
                         "): check that the clock is right before applying");
}

}  // namespace certgate::plan
