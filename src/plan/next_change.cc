#include "plan/next_change.h"

#include <algorithm>
#include <map>

namespace certgate::plan {

namespace {

struct Earliest {
  base::Instant now;
  std::optional<NextChange> best;

  void consider(base::Instant at, const std::string& reason) {
    if (at <= now || (best && best->at <= at)) return;
    best = NextChange{at, reason};
  }
};

void consider_certs(const desired::DesiredState& desired, const observed::ObservedState& observed,
                    Earliest& e) {
  std::map<std::string, int> live;
  for (const observed::Cert& c : observed.certs) live[c.device] += c.is_live(e.now) ? 1 : 0;
  for (const observed::Cert& c : observed.certs) {
    // A device with two live certificates: the older one may be due to end when an overlap after
    // the newer one passes (the planner tells whether it is).
    if (c.is_live(e.now) && c.has_file && live[c.device] > 1)
      e.consider(observed::overlap_end(c, desired.defaults.overlap),
                 "the overlap after certificate " + c.serial + " of device " + c.device + " ends");
    const desired::Device* d = desired.find_device(c.device);
    if (c.is_live(e.now) && d && !d->is_revoked()) {
      e.consider(c.not_after - d->renew_before,
                 "the certificate " + c.serial + " of device " + c.device + " enters renew_before");
      e.consider(c.not_after,
                 "the certificate " + c.serial + " of device " + c.device + " expires");
    }
    if (c.status == observed::CertStatus::revoked &&
        std::binary_search(observed.crl.serials.begin(), observed.crl.serials.end(), c.serial))
      e.consider(c.not_after, "the revoked certificate " + c.serial + " leaves the CRL");
  }
}

}  // namespace

std::optional<NextChange> next_change(const desired::DesiredState& desired,
                                      const observed::ObservedState& observed, base::Instant now) {
  Earliest e{now, std::nullopt};
  for (const desired::Site& s : desired.sites) {
    if (s.fallback) e.consider(s.fallback->until, "the fallback of site " + s.name + " closes");
  }
  for (const desired::Device& d : desired.devices) {
    if (d.not_after) e.consider(*d.not_after, "not_after of device " + d.name + " passes");
  }
  consider_certs(desired, observed, e);
  // A link must die when it expires, not at the next tick after it: its page and bundle leave
  // the enroll site's files then.
  for (const observed::EnrollLink& link : observed.enroll_links)
    e.consider(link.expires_at, "the enrollment link of device " + link.device + " expires");
  if (observed.crl.exists) {
    e.consider(observed.crl.next_update - desired.ca.crl_refresh_before, "the CRL refresh is due");
    e.consider(observed.crl.next_update, "the CRL's nextUpdate passes");
  }
  return e.best;
}

}  // namespace certgate::plan
