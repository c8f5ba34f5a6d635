#include "plan/planner.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "plan/planner_fixture.h"
#include "support/string_vector.h"

namespace certgate::plan {
namespace {

using namespace std::chrono;
using base::RevocationReason;
using observed::Cert;
using testing::cert;
using testing::device;
using testing::Fixture;
using testing::kNow;

TEST_CASE("plan: an empty state gets a CA, a certificate per device and a CRL") {
  Fixture f;
  f.observed = {};
  f.desired.devices = {device("alice"), device("bob")};
  CHECK(f.lines() ==
        std::vector<std::string>{"issue ca: no CA yet", "issue alice: no valid certificate",
                                 "issue bob: no valid certificate", "crl crl: no CRL yet"});
}

TEST_CASE("plan: nothing to do when certificates and CRL are current") {
  Fixture f;
  f.desired.devices = {device("alice")};
  f.observed.certs = {cert("0A", "alice", kNow + days{200})};
  CHECK(f.plan().is_empty());
}

TEST_CASE("plan: a site with a probe gets a revoked probe certificate, once") {
  Fixture f;
  desired::Site site;
  site.name = "admin";
  site.probe = desired::Probe{"https://127.0.0.1:8443", "127.0.0.1", 8443, "/"};
  f.desired.sites = {site};
  CHECK(f.lines() == std::vector<std::string>{
                         "issue revoked-probe: sites have a probe and there is no revoked probe "
                         "certificate",
                         "crl crl: certificates are revoked or superseded"});
  f.observed.has_revoked_probe = true;
  CHECK(f.plan().is_empty());
}

TEST_CASE("plan: a large CRL is noted") {
  Fixture f;
  for (int i = 0; i < 5000; ++i) {
    Cert c = cert("R" + std::to_string(100000 + i), "gone", kNow + days{10});
    c.status = observed::CertStatus::revoked;
    f.observed.certs.push_back(c);
  }
  std::sort(f.observed.certs.begin(), f.observed.certs.end(),
            [](const Cert& a, const Cert& b) { return a.serial < b.serial; });
  auto p = f.plan();
  REQUIRE_FALSE(p.notes.empty());
  CHECK(p.notes[0].starts_with("the CRL lists 5000 unexpired revoked certificates"));
  f.observed.certs.pop_back();
  CHECK(f.plan().notes.empty());
}

TEST_CASE("plan: renewal starts exactly at renew_before") {
  Fixture f;
  f.desired.devices = {device("alice")};
  f.observed.certs = {cert("0A", "alice", kNow + days{30} + 1s)};
  CHECK(f.plan().is_empty());
  f.observed.certs = {cert("0A", "alice", kNow + days{30} - 1s)};
  auto p = f.plan();
  REQUIRE(p.actions.size() == 1);  // the predecessor is not revoked: no CRL
  CHECK(p.actions[0].kind == ActionKind::renew);
  CHECK(p.actions[0].serial == "0A");
  CHECK(p.actions[0].reason.starts_with("expires 2026-12-23 (in 29d < renew_before"));
}

TEST_CASE("plan: an expired certificate is replaced by a new issue") {
  Fixture f;
  f.desired.devices = {device("alice")};
  f.observed.certs = {cert("0A", "alice", kNow - 1s)};
  CHECK(f.lines() == std::vector<std::string>{"issue alice: no valid certificate"});
}

TEST_CASE("plan: not_after caps renewal and revokes once passed") {
  Fixture f;
  desired::Device d = device("contractor");
  d.not_after = kNow + days{10};
  f.desired.devices = {d};
  f.observed.certs = {cert("0A", "contractor", kNow + days{15})};
  CHECK(f.plan().is_empty());  // a renewal could not outlast not_after
  auto lines = f.lines(kNow + days{10});
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "revoke contractor: not_after 2026-12-03T12:00:00Z has passed");
}

TEST_CASE("plan: revoked devices and deleted devices are revoked with their reasons") {
  Fixture f;
  desired::Device lost = device("carol");
  lost.revoked = RevocationReason::keyCompromise;
  f.desired.devices = {lost, device("erin"), device("frank")};
  f.observed.certs = {cert("0A", "carol", kNow + days{200}), cert("0B", "dave", kNow + days{200}),
                      cert("0C", "erin", kNow + days{200}), cert("0D", "frank", kNow + days{200})};
  auto p = f.plan();
  REQUIRE(p.actions.size() == 3);
  CHECK(p.actions[0].revocation_reason == RevocationReason::keyCompromise);
  CHECK(p.actions[1].subject == "dave");
  CHECK(p.actions[1].revocation_reason == RevocationReason::cessationOfOperation);
  CHECK(p.actions[1].reason == "device is no longer in the desired state");
  CHECK(p.actions[2].kind == ActionKind::crl);
  CHECK(p.revocations == 2);
  CHECK(p.refusal.empty());
}

TEST_CASE("plan: a key type or owner change renews, and so does a new CSR key") {
  Fixture f;
  desired::Device d = device("alice");
  d.key = base::KeyType::rsa_2048;
  f.desired.devices = {d};
  f.observed.certs = {cert("0A", "alice", kNow + days{200})};
  CHECK(f.lines()[0] == "renew alice: key ec-p256 -> rsa-2048");
  d.key = base::KeyType::ec_p256;
  d.owner = "alice@example.com";
  f.desired.devices = {d};
  CHECK(f.lines()[0] == "renew alice: owner (none) -> alice@example.com");
  d.owner = "";
  d.csr_path = "csr/alice.csr";
  f.desired.devices = {d};
  f.observed.certs[0].public_key_sha256 = "aa";
  f.observed.csrs = {{"alice", base::KeyType::ec_p256, "bb", ""}};
  CHECK(f.lines()[0] == "renew alice: the CSR in the source has a new key");
  f.observed.csrs = {{"alice", base::KeyType::ec_p256, "aa", ""}};
  CHECK(f.plan().is_empty());
}

TEST_CASE("plan: the CRL is regenerated before nextUpdate, when unsigned, or when it drifts") {
  Fixture f;
  f.observed.crl.next_update = kNow + days{7} + 1s;
  CHECK(f.plan().is_empty());
  f.observed.crl.next_update = kNow + days{7} - 1s;
  auto p = f.plan();
  REQUIRE(p.actions.size() == 1);
  CHECK(p.actions[0].before == "4");
  CHECK(p.actions[0].after == "5");
  CHECK(p.actions[0].detail == "crlNumber 4 -> 5   nextUpdate 2026-12-23");
  f.observed.crl.next_update = kNow + days{20};
  f.observed.crl.is_signed_by_ca = false;
  CHECK(f.lines() == std::vector<std::string>{"crl crl: the CRL is not signed by this CA"});
  f.observed.crl.is_signed_by_ca = true;
  Cert revoked = cert("0C", "erin", kNow + days{100});
  revoked.status = observed::CertStatus::revoked;
  f.observed.certs = {revoked};
  CHECK(f.lines() == std::vector<std::string>{
                         "crl crl: the CRL does not list exactly the revoked certificates"});
  f.observed.crl.serials = {"0C"};
  CHECK(f.plan().is_empty());
  // Expired revoked certificates leave the CRL (RFC 5280 3.3): not listing them is right.
  f.observed.certs[0].not_after = kNow - 1s;
  f.observed.crl.serials = {};
  CHECK(f.plan().is_empty());
}

TEST_CASE("plan: more revocations than max_revocations are refused unless allowed") {
  Fixture f;
  f.desired.safety.max_revocations = 1;
  f.observed.certs = {cert("0A", "a", kNow + days{200}), cert("0B", "b", kNow + days{200})};
  CHECK(f.plan().refusal ==
        "this plan revokes or replaces the certificates of 2 devices, more than "
        "[safety].max_revocations = 1; check the desired state, or apply with --allow-mass-revoke");
  CHECK(f.plan(kNow, true).refusal.empty());
}

// Devices a..(a+n-1) with live certificates, of which the desired state keeps `kept`.
Fixture with_devices(int n, int kept) {
  Fixture f;
  for (int i = 0; i < n; ++i) {
    const std::string name(1, static_cast<char>('a' + i));
    f.observed.certs.push_back(cert("0" + std::to_string(i), name, kNow + days{200}));
    if (i < kept) f.desired.devices.push_back(device(name));
  }
  return f;
}

TEST_CASE("plan: revoking more than half of the live devices is refused, one never is") {
  // The default [safety].max_revocations = 5 lets all of these through the absolute rule.
  CHECK(with_devices(3, 0).plan().refusal ==
        "this plan revokes or replaces the certificates of 3 devices of the 3 that hold a live "
        "certificate, more than half of them; check the desired state, or apply with "
        "--allow-mass-revoke");
  CHECK(with_devices(3, 0).plan().live_devices == 3);
  CHECK(with_devices(3, 1).plan().refusal.starts_with(
      "this plan revokes or replaces the certificates of 2 devices of the 3"));
  CHECK(with_devices(1, 0).plan().refusal.empty());  // 1 of 1: a single revocation
  CHECK(with_devices(2, 1).plan().refusal.empty());  // 1 of 2
  CHECK(with_devices(4, 2).plan().refusal.empty());  // 2 of 4: half, not more
  CHECK(with_devices(3, 0).plan(kNow, true).refusal.empty());
  // When both rules fire, the absolute one is named.
  Fixture f = with_devices(3, 0);
  f.desired.safety.max_revocations = 2;
  CHECK(f.plan().refusal.starts_with(
      "this plan revokes or replaces the certificates of 3 devices, more than "
      "[safety].max_revocations = 2"));
}

TEST_CASE("plan: renewal never outlasts the CA, and an expired CA issues nothing and says so") {
  Fixture f;
  f.desired.devices = {device("alice"), device("bob")};
  // A two-tier CA whose next intermediate waits for the root to sign it (rollover_test): until
  // then the current one signs.
  f.desired.ca.mode = desired::CaMode::intermediate;
  f.observed.next.awaiting_root = true;
  f.observed.ca.root_common_name = "Root";
  f.observed.ca.root_crl = f.observed.crl;
  // A CA made ten years ago (so [ca]'s validity still describes it) that ends in 20 days.
  f.observed.ca.not_after = kNow + days{20};
  f.observed.ca.not_before = f.observed.ca.not_after - days{3650} - observed::kBackdate;
  // alice's certificate already ends with the CA: renewing would not extend it.
  f.observed.certs = {cert("0A", "alice", kNow + days{20})};
  auto p = f.plan();
  REQUIRE(p.actions.size() == 1);
  CHECK(p.actions[0].subject == "bob");  // a new device still gets a (short) certificate
  CHECK(std::find(p.notes.begin(), p.notes.end(),
                  "the CA expires on 2026-12-13: certificates cannot be renewed past it") !=
        p.notes.end());
  f.observed.ca.not_after = kNow - 1s;
  f.observed.ca.not_before = f.observed.ca.not_after - days{3650} - observed::kBackdate;
  p = f.plan();
  CHECK(p.actions.empty());
  CHECK(std::any_of(p.notes.begin(), p.notes.end(),
                    [](const std::string& n) { return n.starts_with("the CA expired on"); }));
}

TEST_CASE("plan: a refused plan still knows the CRL is due") {
  Fixture f;
  f.desired.safety.max_revocations = 0;
  f.observed.certs = {cert("0A", "gone", kNow + days{200})};
  CHECK_FALSE(f.plan().refusal.empty());
  CHECK_FALSE(f.plan().crl_refresh_due);
  f.observed.crl.next_update = kNow + days{1};
  CHECK(f.plan().crl_refresh_due);
}

TEST_CASE("plan: a device leaving its CSR is renewed with a key certgate makes") {
  Fixture f;
  f.desired.devices = {device("alice")};
  f.observed.certs = {cert("0A", "alice", kNow + days{200})};
  f.observed.certs[0].key_origin = observed::KeyOrigin::csr;
  CHECK(f.lines()[0] == "renew alice: no CSR any more: certgate makes the key and a bundle");
}

TEST_CASE("plan: a broken CSR keeps the current certificates") {
  Fixture f;
  desired::Device d = device("alice");
  d.csr_path = "csr/alice.csr";
  f.desired.devices = {d};
  f.observed.csrs = {{"alice", std::nullopt, "", "the request's signature does not verify"}};
  f.observed.certs = {cert("0A", "alice", kNow + days{20}), cert("0B", "alice", kNow + days{300})};
  f.observed.certs[0].public_key_sha256 = "aa";
  f.observed.certs[1].public_key_sha256 = "bb";
  auto p = f.plan(kNow + days{10});
  CHECK(p.actions.empty());  // nothing to compare the older one with: it ends on its own
  CHECK(p.access.empty());
}

TEST_CASE("plan: a CSR whose key was revoked as compromised is not signed again") {
  Fixture f;
  desired::Device d = device("alice");
  d.csr_path = "csr/alice.csr";
  f.desired.devices = {d};
  Cert lost = cert("0A", "alice", kNow + days{200});
  lost.status = observed::CertStatus::revoked;
  lost.reason = RevocationReason::keyCompromise;
  lost.public_key_sha256 = "aa";
  f.observed.certs = {lost};
  f.observed.crl.serials = {"0A"};
  f.observed.csrs = {{"alice", base::KeyType::ec_p256, "aa", ""}};
  auto p = f.plan();
  CHECK(p.actions.empty());
  CHECK(p.notes == std::vector<std::string>{
                       "device alice: its CSR's key was revoked as compromised (serial 0A); it "
                       "is not signed again: send a new CSR"});
  f.observed.csrs = {{"alice", base::KeyType::ec_p256, "bb", ""}};
  CHECK(f.lines() == std::vector<std::string>{"issue alice: no valid certificate"});
}

TEST_CASE("plan: the same inputs give the same plan") {
  Fixture f;
  f.desired.devices = {device("alice"), device("bob")};
  f.observed.certs = {cert("0A", "alice", kNow + days{2})};
  CHECK(f.plan() == f.plan());
}

}  // namespace
}  // namespace certgate::plan
