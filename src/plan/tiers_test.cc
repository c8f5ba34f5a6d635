#include "plan/tiers.h"

#include <doctest/doctest.h>

#include "plan/planner.h"

namespace certgate::plan {
namespace {

using namespace std::chrono;

const base::Instant kNow = sys_days{2026y / December / 3} + 12h;

struct TwoTiers {
  desired::DesiredState desired;
  observed::ObservedState observed;

  TwoTiers() {
    desired.ca.common_name = "Issuing CA";
    desired.ca.mode = desired::CaMode::intermediate;
    desired::Device alice;
    alice.name = "alice";
    desired.devices = {alice};
    observed.state_dir = "/var/lib/certgate";
  }
  // Installed: the intermediate (serial 5F3A) with root "Root" and its CRL number `number`.
  void install(long number, base::Instant next_update) {
    observed.ca = {true, "Issuing CA", kNow - days{1}, kNow + days{1800}, base::KeyType::ec_p256};
    observed.ca.serial = "5F3A";
    observed.ca.root_common_name = "Root";
    observed.ca.root_public_key_sha256 = std::string(64, 'b');
    observed.ca.root_crl = {true, number, kNow - days{1}, next_update, {}, true};
    observed::Cert c;  // alice's live certificate: nothing to do for her
    c.serial = "AA01";
    c.device = "alice";
    c.not_before = kNow - days{1};
    c.not_after = kNow + days{300};
    c.has_file = true;
    c.key = base::KeyType::ec_p256;
    observed.certs = {c};
  }
  // A new device, which the plan issues when the CA can sign.
  void add_bob() {
    desired::Device bob;
    bob.name = "bob";
    desired.devices.push_back(bob);
  }
  // The source's root CRL, deployable.
  void offer_root_crl(long number, base::Instant next_update) {
    observed.tiers.root_crl = {true, number, kNow, next_update, {}, true};
  }
  Plan plan() const { return compute_plan(desired, observed, {}, {}, kNow); }
};

bool has_issue(const Plan& p, const std::string& subject) {
  for (const Action& a : p.actions)
    if (a.kind == ActionKind::issue && a.subject == subject) return true;
  return false;
}

bool mentions(const std::vector<std::string>& lines, const std::string& text) {
  for (const std::string& l : lines)
    if (l.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("tiers: no CA yet makes the key and CSR and signs nothing else") {
  TwoTiers t;
  const Plan p = t.plan();
  REQUIRE(p.actions.size() == 1);
  CHECK(p.actions[0].object == ObjectKind::ca);
  CHECK(p.actions[0].detail.find("key and CSR for the root to sign") != std::string::npos);
  CHECK(mentions(p.notes, "waiting for the root: sign /var/lib/certgate/ca/intermediate.csr"));
  CHECK_FALSE(has_ca_after(t.desired, t.observed, p));
}

TEST_CASE("tiers: waiting for the root plans nothing, and what the root signed is installed") {
  TwoTiers t;
  t.observed.ca.awaiting_root = true;
  CHECK(t.plan().actions.empty());
  t.observed.tiers.has_intermediate = true;
  t.observed.tiers.intermediate_problem = "ca/intermediate.crt is not for the key of ...";
  Plan p = t.plan();
  CHECK(p.actions.empty());
  CHECK(mentions(p.warnings, "cannot be installed: ca/intermediate.crt is not for the key"));
  t.observed.tiers.intermediate_problem = "";
  t.observed.tiers.intermediate_common_name = "Issuing CA";
  t.observed.tiers.root_common_name = "Root";
  t.observed.tiers.intermediate_not_after = kNow + days{1800};
  t.offer_root_crl(1, kNow + days{365});
  p = t.plan();
  CHECK(has_issue(p, "ca"));
  CHECK(has_issue(p, "alice"));  // signed in the same apply, once installed
  CHECK(p.count(ActionKind::crl) == 1);
  CHECK(has_ca_after(t.desired, t.observed, p));
}

TEST_CASE("tiers: a newer root CRL is deployed, an older one never, with a CA CRL beside it") {
  TwoTiers t;
  t.install(4, kNow + days{300});
  t.offer_root_crl(4, kNow + days{300});
  t.observed.tiers.root_crl.this_update = t.observed.ca.root_crl.this_update;
  t.observed.crl = {true, 2, kNow - days{1}, kNow + days{29}, {}, true};
  CHECK(t.plan().actions.empty());
  t.offer_root_crl(5, kNow + days{365});
  Plan p = t.plan();
  REQUIRE(p.actions.size() == 2);
  CHECK(p.actions[0].subject == kRootCrlSubject);
  CHECK(p.actions[0].after == "5");
  CHECK(p.actions[1].object == ObjectKind::crl);  // crl.pem changes: the bundle is signed again
  CHECK(ca_pem_changes(t.observed, p) == false);
  t.offer_root_crl(3, kNow + days{365});
  p = t.plan();
  CHECK(p.actions.empty());
  CHECK(mentions(p.warnings, "ca/root.crl is CRL number 3 of"));
  CHECK(mentions(p.warnings, "older than the installed 4: it is not deployed"));
}

TEST_CASE(
    "tiers: the root CRL's end is warned a month ahead, a revoked intermediate stops signing") {
  TwoTiers t;
  t.install(4, kNow + days{20});
  t.offer_root_crl(4, kNow + days{20});
  t.observed.tiers.root_crl.this_update = t.observed.ca.root_crl.this_update;
  t.add_bob();
  Plan p = t.plan();
  CHECK(mentions(p.warnings, "the root's CRL expires on 2026-12-23"));
  CHECK(has_issue(p, "bob"));
  t.install(4, kNow - days{1});
  p = t.plan();
  CHECK(mentions(p.warnings, "the root's CRL expired on"));
  t.install(4, kNow + days{300});
  t.observed.ca.root_crl.serials = {"5F3A"};
  p = t.plan();
  CHECK(mentions(p.warnings, "the root revoked this intermediate (serial 5F3A)"));
  CHECK_FALSE(has_issue(p, "bob"));
}

TEST_CASE("tiers: a CA taken over without its root adopts the root that signed it, else keeps on") {
  TwoTiers t;
  t.install(-1, kNow);
  t.observed.ca.root_public_key_sha256 = "";
  t.observed.ca.root_crl = {};
  t.offer_root_crl(-1, kNow + days{180});
  t.observed.tiers.root_common_name = "Root";
  t.observed.tiers.root_signed_installed = true;
  Plan p = t.plan();
  REQUIRE_FALSE(p.actions.empty());
  CHECK(p.actions[0].subject == kRootCrlSubject);
  CHECK(p.actions[0].reason == "the root Root and its CRL, from the source");
  CHECK(ca_pem_changes(t.observed, p));
  t.observed.tiers.root_signed_installed = false;
  t.add_bob();
  p = t.plan();
  CHECK(mentions(p.warnings, "is not signed by the root in ca/root.crt"));
  CHECK(has_issue(p, "bob"));  // a mode change locks nobody out
}

}  // namespace certgate::plan
