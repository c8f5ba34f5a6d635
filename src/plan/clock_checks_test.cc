#include "plan/clock_checks.h"

#include <doctest/doctest.h>

#include "plan/planner.h"

namespace certgate::plan {
namespace {

using namespace std::chrono;
using observed::Cert;

const base::Instant kNow = sys_days{2026y / November / 23} + 12h;

// A CA, one device with a current certificate, a current CRL and an apply an hour ago: a plan
// with nothing to do, until a test moves one of the instants.
struct Fixture {
  desired::DesiredState desired;
  observed::ObservedState observed;

  Fixture() {
    desired::Device alice;
    alice.name = "alice";
    desired.devices = {alice};
    observed.ca = {true, "", kNow - days{100}, kNow + days{3650}, base::KeyType::ec_p256};
    desired.ca.validity = days{3750} - observed::kBackdate;  // the CA's, so [ca] matches it
    observed.crl.exists = true;
    observed.crl.is_signed_by_ca = true;
    observed.crl.number = 4;
    observed.next_crl_number = 5;
    observed.crl.this_update = kNow - days{2};
    observed.crl.next_update = kNow + days{20};
    Cert c;
    c.serial = "0A";
    c.device = "alice";
    c.has_file = true;
    c.key = base::KeyType::ec_p256;
    c.not_before = kNow - days{10};
    c.not_after = kNow + days{300};
    observed.certs = {c};
    observed.last_applied =
        observed::AppliedRecord{"file certgate.toml", "", "", kNow - 1h, {}, {}, {}, {}};
  }

  Plan plan(PlanOptions options = {}) {
    return compute_plan(desired, observed, PlanInputs{}, options, kNow);
  }
};

TEST_CASE("clock: nothing to say when the clock is after everything certgate signed") {
  Fixture f;
  auto p = f.plan();
  CHECK(p.is_empty());
  CHECK(p.refusal.empty());
  CHECK(p.notes.empty());
  CHECK_FALSE(p.crl_refresh_due);
}

TEST_CASE("clock: a clock before the last apply is refused, unless allowed") {
  Fixture f;
  f.observed.last_applied->applied_at = kNow + days{340};
  auto p = f.plan();
  CHECK(p.refusal ==
        "the clock reads 2026-11-23T12:00:00Z, before the last apply at 2027-10-29T12:00:00Z "
        "(the clock went back, or was ahead then); certificates and a CRL signed now could be "
        "expired or not yet valid for nginx; fix the clock, or if it is right now, apply with "
        "--allow-clock-rewind");
  CHECK(f.plan({false, true}).refusal.empty());
  CHECK(f.plan({true, false}).refusal == p.refusal);  // --allow-mass-revoke is not the way
}

TEST_CASE("clock: a CRL signed in the future is refused and signed again at the real time") {
  Fixture f;
  f.observed.last_applied.reset();
  f.observed.crl.this_update = kNow + days{340};
  f.observed.crl.next_update = kNow + days{370};
  auto p = f.plan();
  CHECK(p.refusal.starts_with(
      "the clock reads 2026-11-23T12:00:00Z, before the CRL's thisUpdate 2027-10-29T12:00:00Z"));
  CHECK(p.crl_refresh_due);
  REQUIRE(p.actions.size() == 1);
  CHECK(p.actions[0].kind == ActionKind::crl);
  CHECK(p.actions[0].reason ==
        "thisUpdate 2027-10-29T12:00:00Z is in the future: nginx rejects a CRL that is not yet "
        "valid");
}

TEST_CASE("clock: certificates and a CA not valid yet are noted by name") {
  Fixture f;
  f.observed.certs[0].not_before = kNow + days{340};
  f.observed.ca.not_before = kNow + days{1};
  f.desired.ca.validity = days{3649} - observed::kBackdate;  // still the CA's: no drift note
  auto p = f.plan();
  REQUIRE(p.notes.size() == 2);
  CHECK(p.notes[0] ==
        "the CA certificate is not valid before 2026-11-24T12:00:00Z: nginx and clients refuse "
        "everything it signed until then");
  CHECK(p.notes[1] ==
        "certificates of alice are not valid yet (until as late as 2027-10-29T12:00:00Z): they "
        "were signed while the clock was ahead, and nginx refuses them until then");
}

TEST_CASE("clock: a clock far past the last apply gets a note, not a refusal") {
  Fixture f;
  f.observed.last_applied->applied_at = kNow - days{30};
  CHECK(f.plan().notes.empty());  // exactly crl_validity: an agent could have been stopped
  f.observed.last_applied->applied_at = kNow - days{30} - 1s;
  auto p = f.plan();
  CHECK(p.refusal.empty());
  REQUIRE(p.notes.size() == 1);
  CHECK(p.notes[0].starts_with("the last apply was at 2026-10-24T11:59:59Z"));
  CHECK(p.notes[0].ends_with(
      "longer than a CRL lives (crl_validity 30d): check that the clock is right before "
      "applying"));
}

}  // namespace
}  // namespace certgate::plan
