#include "plan/planner.h"

#include <algorithm>
#include <map>
#include <set>

#include "base/duration.h"
#include "observed/overlap.h"
#include "plan/access.h"
#include "plan/ca_drift.h"
#include "plan/clock_checks.h"
#include "plan/refusal.h"
#include "plan/rollover.h"
#include "plan/tiers.h"

namespace certgate::plan {

namespace {

using desired::Device;
using observed::Cert;
using std::chrono::seconds;

// "in 8d", "in 3h": how far `later` is from `now`, rounded down to the largest whole unit.
std::string in_time(base::Instant now, base::Instant later) {
  seconds d = std::max(seconds{0}, later - now);
  if (d >= desired::kDay) return "in " + std::to_string(d / desired::kDay) + "d";
  if (d >= std::chrono::hours{1}) return "in " + std::to_string(d / std::chrono::hours{1}) + "h";
  return "in " + std::to_string(d / std::chrono::minutes{1}) + "m";
}

std::string short_serial(const std::string& serial) {
  return serial.size() > 8 ? serial.substr(0, 8) + "…" : serial;
}

constexpr long kLargeCrl = 5000;

struct Planner {
  const desired::DesiredState& desired;
  const observed::ObservedState& observed;
  base::Instant now;
  Plan plan;
  std::set<std::string> live_after;  // devices with a live certificate once the plan has run
  // Live certificates per device, newest first: one pass over the database, not one per device.
  std::map<std::string, std::vector<const Cert*>> live_by_device;

  // Public keys (SPKI sha256) revoked as compromised -> the serial that revoked them.
  std::map<std::string, std::string> compromised_keys;
  TierPlan tiers = {};  // [ca] mode = "intermediate"
  RolloverPlan rollover = {};

  // Signed by the CA a rollover retires (STATE/ca-previous, or STATE/ca when this plan starts it).
  bool outgoing(const Cert& c) const { return c.previous_ca || rollover.start.has_value(); }
  const Cert* find_cert(const std::string& serial) const {
    auto it = std::lower_bound(observed.certs.begin(), observed.certs.end(), serial,
                               [](const Cert& c, const std::string& s) { return c.serial < s; });
    return it != observed.certs.end() && it->serial == serial ? &*it : nullptr;
  }

  void index_live_certs() {
    for (const Cert& c : observed.certs) {
      if (c.is_live(now)) live_by_device[c.device].push_back(&c);
      if (c.status == observed::CertStatus::revoked &&
          c.reason == base::RevocationReason::keyCompromise && !c.public_key_sha256.empty())
        compromised_keys[c.public_key_sha256] = c.serial;
    }
    for (auto& [device, certs] : live_by_device)
      std::sort(certs.begin(), certs.end(),
                [](const Cert* a, const Cert* b) { return observed::is_newer(*a, *b); });
  }

  void add(Action a) { plan.actions.push_back(std::move(a)); }

  // The mass-revocation guard counts devices, not certificates: a device that holds two (during
  // an overlap) is one device losing its door.
  std::set<std::string> revoked_devices;

  void revoke(const Cert& c, base::RevocationReason reason, std::string why, bool counts) {
    Action a;
    a.kind = ActionKind::revoke;
    a.subject = c.device;
    a.serial = c.serial;
    a.revocation_reason = reason;
    a.detail = "serial " + short_serial(c.serial) + ", reason " + std::string(to_string(reason));
    a.reason = std::move(why);
    add(std::move(a));
    if (counts && revoked_devices.insert(c.device).second) ++plan.revocations;
  }

  void issue(const Device& d, std::string why) {
    Action a;
    a.kind = ActionKind::issue;
    a.subject = d.name;
    a.detail = d.has_csr() ? "from CSR " + *d.csr_path : std::string(to_string(d.key));
    a.detail += ", " + base::format_duration(d.validity);
    if (!d.groups.empty()) {
      a.detail += ", groups ";
      for (size_t i = 0; i < d.groups.size(); ++i) a.detail += (i ? "," : "") + d.groups[i];
    }
    a.reason = std::move(why);
    add(std::move(a));
    live_after.insert(d.name);
    note_csr(d);
  }

  // Once per plan, by the action that signs the CSR.
  void note_csr(const Device& d) {
    if (d.has_csr() && !d.csr_cn_note.empty())
      plan.notes.push_back("device " + d.name + ", CSR " + *d.csr_path + ": " + d.csr_cn_note);
  }

  // The last instant a certificate issued now for `d` could be valid: its validity, capped by its
  // not_after and by the CA's own expiry (pki/ caps it the same way).
  base::Instant new_end(const Device& d) const {
    base::Instant end = now + d.validity;
    if (d.not_after) end = std::min(end, *d.not_after);
    if (rollover.new_ca_end) return std::min(end, *rollover.new_ca_end);  // a rollover's new CA
    return observed.ca.exists ? std::min(end, observed.ca.not_after) : end;
  }

  // Why `c` no longer fits `d`, or "" when it still does (observed::mismatch).
  std::string mismatch(const Device& d, const Cert& c) const {
    return observed::mismatch(d, c, observed.find_csr(d.name));
  }

  // Why the live certificate `c` of `d` must be replaced now, or "" when it need not be.
  // `for_expiry` tells a routine renewal from a change that replaces certificates.
  std::string renewal_reason(const Device& d, const Cert& c, bool& for_expiry) const {
    for_expiry = false;
    // A rollover: the successor comes from the new CA, the old certificate stays until its end.
    if (outgoing(c)) {
      for_expiry = true;
      return "CA rollover: its successor is signed by the new CA";
    }
    // Renewing only helps when the new certificate would end later: near the CA's expiry or a
    // not_after it would not, and renewing on every tick would flood the CRL.
    if (c.not_after - now < d.renew_before && new_end(d) > c.not_after) {
      for_expiry = true;
      return "expires " + base::format_date(c.not_after) + " (" + in_time(now, c.not_after) +
             " < renew_before " + base::format_duration(d.renew_before) + ")";
    }
    return mismatch(d, c);
  }

  // An older live certificate of `d` beside its newest one `newest`: kept until its own notAfter
  // when it still fits `d` (the predecessor of a renewal for expiry), until the overlap after
  // `newest` was issued when it does not (observed::overlap_end), then revoked as superseded.
  // Not counted by the mass-revocation guard: the plan that replaced it said when it would end.
  void plan_predecessor(const Device& d, const Cert& old, const Cert& newest) {
    if (mismatch(d, old).empty() || !newest.has_file) return;
    const base::Instant end = observed::overlap_end(newest, desired.defaults.overlap);
    if (now < end) return;
    revoke(old, base::RevocationReason::superseded,
           "replaced by " + newest.serial + "; the overlap of " +
               base::format_duration(desired.defaults.overlap) + " ended " +
               base::format_rfc3339(end),
           false);
  }

  // The serial that revoked the key of `d`'s CSR as compromised, or nullptr.
  const std::string* compromised_key_of(const Device& d) const {
    if (!d.has_csr()) return nullptr;
    const observed::Csr* csr = observed.find_csr(d.name);
    if (!csr || csr->public_key_sha256.empty()) return nullptr;
    auto it = compromised_keys.find(csr->public_key_sha256);
    return it == compromised_keys.end() ? nullptr : &it->second;
  }

  bool ca_expired() const {
    return observed.ca.exists && now >= observed.ca.not_after && !rollover.start;
  }
  // Nothing can be signed: the CA expired, or a two-tier CA waits for its root (or was revoked),
  // unless the plan installs its successor.
  bool cannot_sign() const { return ca_expired() || (!tiers.can_sign && !rollover.start); }

  void plan_device(const Device& d) {
    auto found = live_by_device.find(d.name);
    const std::vector<const Cert*> live =
        found == live_by_device.end() ? std::vector<const Cert*>{} : found->second;
    if (d.is_revoked()) {
      for (const Cert* c : live) revoke(*c, *d.revoked, "revoked in the desired state", true);
      return;
    }
    if (d.not_after && now >= *d.not_after) {
      for (const Cert* c : live)
        revoke(*c, base::RevocationReason::cessationOfOperation,
               "not_after " + base::format_rfc3339(*d.not_after) + " has passed", true);
      return;
    }
    for (size_t i = 1; i < live.size(); ++i) plan_predecessor(d, *live[i], *live[0]);
    if (!live.empty()) live_after.insert(d.name);
    if (d.has_csr()) {
      const observed::Csr* csr = observed.find_csr(d.name);
      if (csr && !csr->problem.empty()) return;  // desired/ reported it; keep what exists
    }
    if (cannot_sign()) return;  // compute_plan adds a note
    if (const std::string* serial = compromised_key_of(d)) {
      plan.notes.push_back("device " + d.name +
                           ": its CSR's key was revoked as compromised "
                           "(serial " +
                           *serial + "); it is not signed again: send a new CSR");
      return;
    }
    if (live.empty()) {
      issue(d, "no valid certificate");
      return;
    }
    bool for_expiry = false;
    std::string why = renewal_reason(d, *live[0], for_expiry);
    if (why.empty()) return;
    // A renewal keeps the old certificate valid until its own notAfter; a replacement for another
    // reason keeps it for the overlap, or revokes it at once with overlap 0s, which the
    // mass-revocation guard counts like any other revocation.
    const Cert& old = *live[0];
    const seconds overlap = desired.defaults.overlap;
    Action a;
    a.kind = ActionKind::renew;
    a.subject = d.name;
    a.serial = old.serial;
    a.before = base::format_rfc3339(old.not_after);
    a.revokes_predecessor = !for_expiry && overlap == seconds{0};
    const base::Instant ends = for_expiry ? old.not_after : std::min(old.not_after, now + overlap);
    a.after = base::format_rfc3339(a.revokes_predecessor ? now : ends);
    a.detail = why + "; new certificate, " +
               (a.revokes_predecessor ? "the old one is revoked at once (overlap 0s)"
                                      : "the old one stays valid until " + base::format_date(ends));
    if (a.revokes_predecessor && revoked_devices.insert(d.name).second) ++plan.revocations;
    a.reason = std::move(why);
    add(std::move(a));
    note_csr(d);
  }

  void plan_deleted_devices() {
    for (const Cert& c : observed.certs) {
      if (c.is_live(now) && desired.find_device(c.device) == nullptr)
        revoke(c, base::RevocationReason::cessationOfOperation,
               "device is no longer in the desired state", true);
    }
  }

  // An action of the plan revokes a certificate of the outgoing CA (`old`) or the issuing one.
  bool revokes_in(bool old) const {
    return std::any_of(plan.actions.begin(), plan.actions.end(), [&](const Action& a) {
      if (a.object == ObjectKind::probe) return !old;  // signed by the issuing CA
      if (a.kind != ActionKind::revoke && !a.revokes_predecessor) return false;
      const Cert* c = find_cert(a.serial);
      return c != nullptr && outgoing(*c) == old;
    });
  }

  const observed::Crl& outgoing_crl() const {  // as it is now
    return rollover.start ? observed.crl : observed.previous.crl;
  }

  // Why the issuing CA's CRL (the outgoing one's, `old`) must be signed again, or "". With
  // `count_actions` false, only what is due whatever the plan does, for the CRL in STATE/ca.
  std::string crl_reason(bool count_actions, bool old = false) const {
    if (count_actions && revokes_in(old)) return "certificates are revoked or superseded";
    if (count_actions && !old && tiers.root_crl) return "the root's CRL changes";
    if (count_actions && !old && rollover.start) return "the new CA's first CRL";
    const observed::Crl& crl = old ? outgoing_crl() : observed.crl;
    if (!crl.exists) return "no CRL yet";
    if (!crl.is_signed_by_ca) return "the CRL is not signed by this CA";
    std::string clock = !old || rollover.start ? crl_due_to_clock(observed, now) : "";
    if (!clock.empty()) return clock;
    if (crl.next_update - now < desired.ca.crl_refresh_before)
      return "nextUpdate " + base::format_rfc3339(crl.next_update) + " is " +
             in_time(now, crl.next_update) + " < crl_refresh_before " +
             base::format_duration(desired.ca.crl_refresh_before);
    std::vector<std::string> want;
    for (const Cert& c : observed.certs) {
      if (c.status == observed::CertStatus::revoked && now < c.not_after &&
          (count_actions ? outgoing(c) : c.previous_ca) == old)
        want.push_back(c.serial);
    }
    if (want != crl.serials) return "the CRL does not list exactly the revoked certificates";
    return "";
  }

  // nginx checks every client certificate against the whole CRL: measured here, 10,000 entries
  // cost about a fifth of the full-handshake rate. Expired certificates already leave the CRL.
  void note_crl_size() {
    const auto listed = std::count_if(observed.certs.begin(), observed.certs.end(), [&](auto& c) {
      return c.status == observed::CertStatus::revoked && now < c.not_after;
    });
    if (listed >= kLargeCrl)
      plan.notes.push_back("the CRL lists " + std::to_string(listed) +
                           " unexpired revoked certificates; nginx's handshakes slow down as it "
                           "grows (shorter device validity makes entries expire sooner)");
  }

  void plan_crl() {
    // A two-tier CA before its installation: no CA to sign a CRL with yet.
    if (desired.ca.is_intermediate() && !observed.ca.exists &&
        !(tiers.ca && observed.ca.awaiting_root))
      return;
    if (tiers.root_crl) add(*tiers.root_crl);
    note_crl_size();
    plan.crl_refresh_due = observed.ca.exists && !crl_reason(false).empty();
    plan.crl_number = observed.crl.exists ? observed.crl.number : 0;
    std::string why = crl_reason(true);
    if (why.empty()) return;
    Action a;
    a.kind = ActionKind::crl;
    a.object = ObjectKind::crl;
    a.subject = "crl";
    const long next = next_crl_number(observed);
    // A rollover's new CA signs its first CRL (numbers go on from the old CA's).
    a.before = observed.crl.exists && !rollover.start ? std::to_string(observed.crl.number) : "";
    a.after = std::to_string(next);
    plan.crl_number = next;
    a.detail = "crlNumber " + (a.before.empty() ? std::string("none") : a.before) + " -> " +
               a.after + "   nextUpdate " + base::format_date(now + desired.ca.crl_validity);
    a.reason = std::move(why);
    add(std::move(a));
  }

  // The outgoing CA's CRL, signed while it has certificates (nginx checks the CRL of each CA it
  // trusts), with numbers of its own.
  void plan_outgoing_crl() {
    if (!rollover.start && !(observed.previous.exists && !rollover.retire)) return;
    std::string why = crl_reason(true, true);
    if (why.empty()) return;
    const observed::Crl& crl = outgoing_crl();
    const long used = rollover.start ? next_crl_number(observed)
                                     : std::max(observed.previous.next_crl_number, crl.number + 1);
    add(previous_crl(crl, used, now + desired.ca.crl_validity, std::move(why)));
  }

  void plan_ca() {
    rollover = plan_rollover(desired, observed, now);
    if (desired.ca.is_intermediate()) tiers = plan_tiers(desired, observed, now);
    for (const std::optional<Action>& a : {tiers.ca, rollover.request, rollover.start})
      if (a) add(*a);
    if (observed.ca.exists || desired.ca.is_intermediate()) return;
    Action a;
    a.kind = ActionKind::issue;
    a.object = ObjectKind::ca;
    a.subject = "ca";
    a.detail = desired.ca.common_name + ", " + std::string(to_string(desired.ca.key)) + ", " +
               base::format_duration(desired.ca.validity);
    a.reason = "no CA yet";
    add(std::move(a));
  }

  // `certgate verify` needs a revoked certificate of this CA to show that nginx refuses it.
  void plan_probe() {
    const bool probes = std::any_of(desired.sites.begin(), desired.sites.end(),
                                    [](const desired::Site& s) { return s.probe.has_value(); });
    if (!probes || (observed.has_revoked_probe && !rollover.start) || cannot_sign()) return;
    Action a;
    a.kind = ActionKind::issue;
    a.object = ObjectKind::probe;
    a.subject = "revoked-probe";
    a.detail = "revoked at once, for certgate verify";
    a.reason = "sites have a probe and there is no revoked probe certificate";
    add(std::move(a));
  }
};

}  // namespace

Plan compute_plan(const desired::DesiredState& desired, const observed::ObservedState& observed,
                  const PlanInputs& inputs, const PlanOptions& options, base::Instant now) {
  Planner p{desired, observed, now, Plan{}, {}, {}, {}, {}, {}, {}};
  p.index_live_certs();
  p.plan.inputs = inputs;
  p.plan.now = now;
  p.plan.max_revocations = desired.safety.max_revocations;
  p.plan_ca();
  for (const Device& d : desired.devices) p.plan_device(d);
  p.plan_deleted_devices();
  p.plan_probe();
  p.plan_crl();
  p.plan_outgoing_crl();
  if (p.rollover.retire) p.add(*p.rollover.retire);
  plan_access(desired, observed, p.live_after, now, p.plan);
  p.plan.live_devices = static_cast<int>(p.live_by_device.size());
  p.plan.refusal = refusal(p.plan, options, clock_refusal(observed, now));
  note_clock(desired, observed, now, p.plan);
  for (const std::string& n : p.tiers.notes) p.plan.notes.push_back(n);
  for (const std::string& w : p.tiers.warnings) p.plan.warnings.push_back(w);
  for (const std::string& n : p.rollover.notes) p.plan.notes.push_back(n);
  for (const std::string& w : p.rollover.warnings) p.plan.warnings.push_back(w);
  // A rollover's reason says how [ca] differs; the new CA matches it.
  if (!p.rollover.start && !p.rollover.request)
    p.plan.ca_differences = ca_differences(desired.ca, observed.ca);
  if (!p.plan.ca_differences.empty()) p.plan.notes.push_back(ca_drift_note(p.plan.ca_differences));
  note_ca_end(observed.ca, desired.defaults.renew_before, p.ca_expired(),
              p.rollover.start.has_value(), now, p.plan.notes);
  return p.plan;
}

long next_crl_number(const observed::ObservedState& observed) {
  return std::max(observed.next_crl_number, observed.crl.number + 1);
}

}  // namespace certgate::plan
