#include "plan/next_change.h"

#include <doctest/doctest.h>

namespace certgate::plan {
namespace {

using namespace std::chrono;

const base::Instant kNow = sys_days{2026y / November / 23} + 12h;

struct Fixture {
  desired::DesiredState desired;
  observed::ObservedState observed;

  std::string next() {
    auto c = next_change(desired, observed, kNow);
    return c ? base::format_rfc3339(c->at) + " " + c->reason : "none";
  }
};

TEST_CASE("next change: none when nothing is timed") {
  Fixture f;
  CHECK(f.next() == "none");
}

TEST_CASE("next change: the earliest of fallback, not_after, renewal, expiry and CRL") {
  Fixture f;
  f.observed.crl.exists = true;
  f.observed.crl.next_update = kNow + days{20};  // refresh due at +13d (crl_refresh_before 7d)
  CHECK(f.next() == "2026-12-06T12:00:00Z the CRL refresh is due");
  desired::Device alice;
  alice.name = "alice";
  f.desired.devices = {alice};
  observed::Cert c;
  c.serial = "0A";
  c.device = "alice";
  c.not_after = kNow + days{40};  // enters renew_before (30d) at +10d
  f.observed.certs = {c};
  CHECK(f.next() == "2026-12-03T12:00:00Z the certificate 0A of device alice enters renew_before");
  f.desired.devices[0].not_after = kNow + days{5};
  CHECK(f.next() == "2026-11-28T12:00:00Z not_after of device alice passes");
  desired::Site admin;
  admin.name = "admin";
  admin.fallback = desired::Fallback{{}, kNow + 3s};
  f.desired.sites = {admin};
  CHECK(f.next() == "2026-11-23T12:00:03Z the fallback of site admin closes");
}

TEST_CASE("next change: instants already past are not candidates") {
  Fixture f;
  desired::Site admin;
  admin.name = "admin";
  admin.fallback = desired::Fallback{{}, kNow};
  f.desired.sites = {admin};
  CHECK(f.next() == "none");
  // A certificate inside renew_before: its renewal is due now (the plan does it); next is expiry.
  desired::Device alice;
  alice.name = "alice";
  f.desired.devices = {alice};
  observed::Cert c;
  c.serial = "0A";
  c.device = "alice";
  c.not_after = kNow + days{2};
  f.observed.certs = {c};
  CHECK(f.next() == "2026-11-25T12:00:00Z the certificate 0A of device alice expires");
}

TEST_CASE("next change: a revoked certificate leaves the CRL at its notAfter") {
  Fixture f;
  observed::Cert c;
  c.serial = "0B";
  c.device = "gone";
  c.status = observed::CertStatus::revoked;
  c.not_after = kNow + days{3};
  f.observed.certs = {c};
  CHECK(f.next() == "none");  // not on the CRL: nothing changes
  f.observed.crl.exists = true;
  f.observed.crl.serials = {"0B"};
  f.observed.crl.next_update = kNow + days{30};
  CHECK(f.next() == "2026-11-26T12:00:00Z the revoked certificate 0B leaves the CRL");
}

}  // namespace
}  // namespace certgate::plan
