// The planner during renewals and replacements: overlap instead of revocation (DESIGN.md
// section 3, "Device lifecycle").
#include <doctest/doctest.h>

#include <algorithm>

#include "plan/deploy.h"
#include "plan/next_change.h"
#include "plan/planner.h"
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

TEST_CASE("plan: a renewal keeps the predecessor valid and allowed until its own notAfter") {
  Fixture f;
  f.desired.devices = {device("alice")};
  f.observed.certs = {cert("0A", "alice", kNow + days{20})};
  auto p = f.plan();
  REQUIRE(p.actions.size() == 1);  // no revocation, so no CRL either
  const Action& renew = p.actions[0];
  CHECK(renew.kind == ActionKind::renew);
  CHECK_FALSE(renew.revokes_predecessor);
  CHECK(renew.after == base::format_rfc3339(kNow + days{20}));
  CHECK(renew.detail.ends_with("new certificate, the old one stays valid until 2026-12-13"));
  CHECK(p.revocations == 0);
  // The maps keep the old serial beside the new certificate.
  CHECK(live_certs_after(p, f.observed, kNow) ==
        std::vector<std::pair<std::string, std::string>>{{"alice", "(new)"}, {"alice", "0A"}});
  // Once renewed, the older certificate still fits the device: it stays until it expires.
  Cert newer = cert("0B", "alice", kNow + days{365});
  newer.not_before = kNow;
  f.observed.certs.push_back(newer);
  CHECK(f.plan().is_empty());
  f.observed.crl.next_update = kNow + days{30};
  CHECK(f.plan(kNow + days{19}).is_empty());
}

TEST_CASE("plan: a replacement keeps the old certificate for the overlap, then revokes it") {
  Fixture f;
  desired::Device d = device("alice");
  d.key = base::KeyType::ec_p384;
  f.desired.devices = {d};
  f.observed.certs = {cert("0A", "alice", kNow + days{200})};
  auto p = f.plan();
  REQUIRE(p.actions.size() == 1);
  CHECK(p.actions[0].kind == ActionKind::renew);
  CHECK_FALSE(p.actions[0].revokes_predecessor);
  CHECK(p.actions[0].after == base::format_rfc3339(kNow + days{7}));
  CHECK(p.actions[0].detail ==
        "key ec-p256 -> ec-p384; new certificate, the old one stays valid until 2026-11-30");
  CHECK(p.revocations == 0);
  // The successor, issued at kNow (backdated by kBackdate like every certificate).
  Cert newer = cert("0B", "alice", kNow + days{365});
  newer.key = base::KeyType::ec_p384;
  newer.not_before = kNow - observed::kBackdate;
  f.observed.certs.push_back(newer);
  CHECK(f.plan(kNow + days{7} - 1s).is_empty());
  auto ended = f.plan(kNow + days{7});
  REQUIRE(ended.actions.size() == 2);
  CHECK(ended.actions[0].kind == ActionKind::revoke);
  CHECK(ended.actions[0].serial == "0A");
  CHECK(ended.actions[0].revocation_reason == RevocationReason::superseded);
  CHECK(ended.actions[0].reason.starts_with("replaced by 0B; the overlap of 7d ended"));
  CHECK(ended.actions[1].kind == ActionKind::crl);
  CHECK(ended.revocations == 0);  // announced by the plan that replaced it
  CHECK(ended.access.empty());    // alice keeps the door with 0B
  // The agent wakes when the overlap ends, and when an enrollment link expires before that.
  auto next = next_change(f.desired, f.observed, kNow + days{1});
  REQUIRE(next.has_value());
  CHECK(next->at == kNow + days{7});
  f.observed.enroll_links = {{"alice", std::string(40, 'a'), kNow, kNow + days{2}}};
  next = next_change(f.desired, f.observed, kNow + days{1});
  REQUIRE(next.has_value());
  CHECK(next->at == kNow + days{2});
  CHECK(next->reason == "the enrollment link of device alice expires");
}

TEST_CASE("plan: overlap 0s revokes the predecessor at once and counts it") {
  Fixture f;
  f.desired.defaults.overlap = seconds{0};
  desired::Device d = device("alice");
  d.owner = "alice@example.com";
  f.desired.devices = {d};
  f.observed.certs = {cert("0A", "alice", kNow + days{200})};
  auto p = f.plan();
  REQUIRE(p.actions.size() == 2);
  CHECK(p.actions[0].revokes_predecessor);
  CHECK(p.actions[0].after == base::format_rfc3339(kNow));
  CHECK(p.actions[0].detail.ends_with("the old one is revoked at once (overlap 0s)"));
  CHECK(p.actions[1].kind == ActionKind::crl);
  CHECK(p.revocations == 1);
  CHECK(live_certs_after(p, f.observed, kNow) ==
        std::vector<std::pair<std::string, std::string>>{{"alice", "(new)"}});
  // Expiry renewals keep their predecessor whatever the overlap.
  f.desired.devices = {device("alice")};
  f.observed.certs = {cert("0A", "alice", kNow + days{3})};
  CHECK_FALSE(f.plan().actions[0].revokes_predecessor);
}

TEST_CASE("plan: a CSR device is renewed by signing its CSR again and keeps the old one") {
  Fixture f;
  desired::Device d = device("alice");
  d.csr_path = "csr/alice.csr";
  f.desired.devices = {d};
  Cert old_cert = cert("0A", "alice", kNow + days{10});
  old_cert.public_key_sha256 = "aa";
  old_cert.key_origin = observed::KeyOrigin::csr;
  f.observed.certs = {old_cert};
  f.observed.csrs = {{"alice", base::KeyType::ec_p256, "aa", ""}};
  auto p = f.plan();
  REQUIRE(p.actions.size() == 1);
  CHECK(p.actions[0].kind == ActionKind::renew);
  CHECK(p.actions[0].detail.starts_with("expires 2026-12-03"));
  CHECK_FALSE(p.actions[0].revokes_predecessor);
  Cert resigned = cert("0B", "alice", kNow + days{365});
  resigned.public_key_sha256 = "aa";  // the same key: the CSR signed again
  resigned.key_origin = observed::KeyOrigin::csr;
  resigned.not_before = kNow;
  f.observed.certs.push_back(resigned);
  CHECK(f.plan(kNow + days{9}).is_empty());  // same key: kept until it expires
}

TEST_CASE("plan: revoking a device with two live certificates revokes both and counts one") {
  Fixture f;
  desired::Device d = device("alice");
  d.revoked = RevocationReason::keyCompromise;
  f.desired.devices = {d, device("bob"), device("carol")};
  Cert newer = cert("0B", "alice", kNow + days{365});
  newer.not_before = kNow - days{1};
  f.observed.certs = {cert("0A", "alice", kNow + days{20}), newer,
                      cert("0C", "bob", kNow + days{200}), cert("0D", "carol", kNow + days{200})};
  auto p = f.plan();
  REQUIRE(p.actions.size() == 3);
  CHECK(p.actions[0].serial == "0B");  // newest first
  CHECK(p.actions[1].serial == "0A");
  CHECK(p.actions[0].revocation_reason == RevocationReason::keyCompromise);
  CHECK(p.actions[1].revocation_reason == RevocationReason::keyCompromise);
  CHECK(p.revocations == 1);
  CHECK(p.refusal.empty());  // one device of three, not two of three
  CHECK(live_certs_after(p, f.observed, kNow) ==
        std::vector<std::pair<std::string, std::string>>{{"bob", "0C"}, {"carol", "0D"}});
  // Deleting it ends both as well.
  f.desired.devices = {device("bob"), device("carol")};
  p = f.plan();
  CHECK(p.count(ActionKind::revoke) == 2);
  CHECK(p.revocations == 1);
}

TEST_CASE("plan: replacements count against max_revocations only when they revoke at once") {
  Fixture f;
  f.desired.safety.max_revocations = 1;
  desired::Device a = device("a"), b = device("b");
  a.key = b.key = base::KeyType::ec_p384;
  f.desired.devices = {a, b};
  f.observed.certs = {cert("0A", "a", kNow + days{200}), cert("0B", "b", kNow + days{200})};
  CHECK(f.plan().revocations == 0);  // the old certificates stay valid for the overlap
  CHECK(f.plan().refusal.empty());
  f.desired.defaults.overlap = seconds{0};
  CHECK(f.plan().revocations == 2);
  CHECK_FALSE(f.plan().refusal.empty());
  f.desired.devices = {device("a"), device("b")};
  f.observed.certs = {cert("0A", "a", kNow + days{2}), cert("0B", "b", kNow + days{2})};
  CHECK(f.plan().count(ActionKind::renew) == 2);
  CHECK(f.plan().refusal.empty());
}

}  // namespace
}  // namespace certgate::plan
