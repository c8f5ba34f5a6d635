#include "plan/rollover.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "plan/planner_fixture.h"
#include "plan/tiers.h"

namespace certgate::plan {
namespace {

using namespace testing;

// The fixture's CA ends in 300 days: inside the default rollover_before of a year.
Fixture ending_ca(int devices) {
  Fixture f;
  f.observed.ca.not_before = kNow - days{3650 - 300};
  f.observed.ca.not_after = kNow + days{300};
  for (int i = 0; i < devices; ++i) {
    const std::string name = "d" + std::to_string(i);
    f.desired.devices.push_back(device(name));
    f.observed.certs.push_back(cert("0" + std::to_string(i), name, kNow + days{200}));
  }
  return f;
}

// The state once the rollover ran: the old CA in STATE/ca-previous with the old certificates,
// a new CA in STATE/ca with each device's successor.
Fixture during_overlap(int devices) {
  Fixture f = ending_ca(devices);
  f.observed.previous.exists = true;
  f.observed.previous.ca = f.observed.ca;
  f.observed.previous.crl = f.observed.crl;
  f.observed.previous.next_crl_number = 5;
  f.observed.ca.not_before = kNow - days{1};
  f.observed.ca.not_after = kNow + days{3649};
  f.observed.crl.number = 5;
  f.observed.next_crl_number = 6;
  for (Cert& c : f.observed.certs) c.previous_ca = true;
  for (int i = 0; i < devices; ++i) {
    Cert c = cert("A" + std::to_string(i), "d" + std::to_string(i), kNow + days{364});
    f.observed.certs.push_back(c);
  }
  std::sort(f.observed.certs.begin(), f.observed.certs.end(),
            [](const Cert& a, const Cert& b) { return a.serial < b.serial; });
  return f;
}

const Action* find(const Plan& p, ActionKind kind, const std::string& subject) {
  auto it = std::find_if(p.actions.begin(), p.actions.end(),
                         [&](const Action& a) { return a.kind == kind && a.subject == subject; });
  return it == p.actions.end() ? nullptr : &*it;
}

TEST_CASE("rollover: a CA within rollover_before makes the next one and renews every device") {
  Fixture f = ending_ca(3);
  const Plan p = f.plan();
  REQUIRE(!p.actions.empty());
  CHECK(p.actions[0].kind == ActionKind::issue);
  CHECK(p.actions[0].object == ObjectKind::ca);
  CHECK(p.actions[0].subject == kNextCaSubject);
  CHECK(p.actions[0].reason ==
        "CA rollover: the CA ends 2027-09-19T12:00:00Z, within rollover_before 1y");
  CHECK(starts_rollover(p));
  CHECK_FALSE(makes_ca(p));
  CHECK(p.count(ActionKind::renew) == 3);
  for (const Action& a : p.actions) {
    if (a.kind != ActionKind::renew) continue;
    CHECK(a.reason == "CA rollover: its successor is signed by the new CA");
    CHECK_FALSE(a.revokes_predecessor);
    CHECK(a.after == "2027-06-11T12:00:00Z");  // the old certificate keeps its own end
  }
  // The new CA's first CRL; the old one's is not due; nothing is revoked.
  const Action* crl = find(p, ActionKind::crl, "crl");
  REQUIRE(crl != nullptr);
  CHECK(crl->reason == "the new CA's first CRL");
  CHECK(find(p, ActionKind::crl, kPreviousCrlSubject) == nullptr);
  CHECK(p.revocations == 0);
  CHECK(p.refusal.empty());
  CHECK(ca_pem_changes(f.observed, p));
  // A year and a day before the end: nothing yet.
  f.observed.ca.not_after = kNow + days{366};
  CHECK(f.plan().actions.empty());
}

TEST_CASE("rollover: another key type or common name in [ca] rolls over, another validity not") {
  Fixture f;
  f.desired.devices = {device("alice")};
  f.observed.certs = {cert("0A", "alice", kNow + days{200})};
  CHECK(f.plan().actions.empty());
  f.desired.ca.key = base::KeyType::ec_p384;
  CHECK(f.lines()[0] == "issue next-ca: CA rollover: [ca] key is ec-p384, the CA's is ec-p256");
  f.desired.ca.key = base::KeyType::ec_p256;
  f.desired.ca.common_name = "Office CA";
  CHECK(f.lines()[0] ==
        "issue next-ca: CA rollover: [ca] common_name is \"Office CA\", the CA's is \"Test CA\"");
  CHECK(f.plan().ca_differences.empty());
  f.desired.ca.common_name = "Test CA";
  f.desired.ca.validity = 5 * 365 * desired::kDay;
  CHECK(f.plan().actions.empty());
  CHECK(f.plan().ca_differences.size() == 1);
}

TEST_CASE("rollover: during the overlap nothing is renewed, and both CAs revoke") {
  Fixture f = during_overlap(2);
  Plan p = f.plan();
  CHECK(p.actions.empty());
  REQUIRE(p.notes.size() == 1);
  CHECK(p.notes[0].starts_with("CA rollover: the previous CA \"Test CA\" stays trusted"));
  // Revoking a device revokes its certificate of each CA, and signs both CRLs.
  f.desired.devices[0].revoked = base::RevocationReason::keyCompromise;
  p = f.plan();
  CHECK(p.count(ActionKind::revoke) == 2);
  CHECK(p.revocations == 1);
  const Action* crl = find(p, ActionKind::crl, "crl");
  const Action* old = find(p, ActionKind::crl, kPreviousCrlSubject);
  REQUIRE(crl != nullptr);
  REQUIRE(old != nullptr);
  CHECK(crl->after == "6");
  CHECK(old->before == "4");
  CHECK(old->after == "5");
  CHECK(old->reason == "certificates are revoked or superseded");
  CHECK(p.crl_number == 6);
}

TEST_CASE("rollover: the previous CA's CRL is refreshed while it has live certificates") {
  Fixture f = during_overlap(1);
  f.observed.previous.crl.next_update = kNow + days{2};
  const Plan p = f.plan();
  REQUIRE(p.actions.size() == 1);
  CHECK(p.actions[0].subject == kPreviousCrlSubject);
  CHECK(p.actions[0].reason.starts_with("nextUpdate "));
}

TEST_CASE("rollover: a device revoked in the previous CA only signs its CRL") {
  Fixture f = during_overlap(1);
  // d0's successor A0 is revoked already (and on the new CA's CRL); its old certificate is not.
  REQUIRE(f.observed.certs[1].serial == "A0");
  f.observed.certs[1].status = observed::CertStatus::revoked;
  f.observed.crl.serials = {"A0"};
  f.desired.devices[0].revoked = base::RevocationReason::unspecified;
  const Plan p = f.plan();
  CHECK(p.count(ActionKind::revoke) == 1);
  CHECK(find(p, ActionKind::crl, kPreviousCrlSubject) != nullptr);
  CHECK(find(p, ActionKind::crl, "crl") == nullptr);
}

TEST_CASE("rollover: the previous CA retires once none of its certificates is live") {
  Fixture f = during_overlap(2);
  const base::Instant after_old = kNow + days{201};
  f.observed.crl.next_update = after_old + days{20};
  Plan p = f.plan(after_old);
  REQUIRE(p.actions.size() == 1);
  CHECK(p.actions[0].kind == ActionKind::retire);
  CHECK(p.actions[0].subject == kPreviousCaSubject);
  CHECK(retires_previous_ca(p));
  CHECK(ca_pem_changes(f.observed, p));
  // A revoked but unexpired certificate of the old CA does not keep it: nginx refuses it
  // either way once the CA is gone.
  f.observed.certs[0].status = observed::CertStatus::revoked;
  f.observed.certs[0].not_after = after_old + days{10};
  f.observed.previous.crl.serials = {f.observed.certs[0].serial};
  p = f.plan(after_old);
  CHECK(retires_previous_ca(p));
  CHECK(find(p, ActionKind::crl, kPreviousCrlSubject) == nullptr);
}

// An installed intermediate under root "Root", ending in 300 days like ending_ca's CA.
Fixture ending_intermediate(int devices) {
  Fixture f = ending_ca(devices);
  f.desired.ca.mode = desired::CaMode::intermediate;
  f.observed.ca.root_common_name = "Root";
  f.observed.ca.root_public_key_sha256 = std::string(64, 'b');
  f.observed.ca.root_crl = f.observed.crl;
  f.observed.tiers.root_common_name = "Root";
  f.observed.tiers.issuer_dn = "CN=Test CA";
  return f;
}

bool has_note(const Plan& p, const std::string& start) {
  return std::any_of(p.notes.begin(), p.notes.end(),
                     [&](const std::string& n) { return n.starts_with(start); });
}

TEST_CASE("rollover: a two-tier CA asks the root for its next intermediate, renewing nothing") {
  Fixture f = ending_intermediate(2);
  Plan p = f.plan();
  const Action* request = find(p, ActionKind::issue, kNextCaRequestSubject);
  REQUIRE(request != nullptr);
  CHECK(request->object == ObjectKind::ca);
  CHECK(request->reason ==
        "CA rollover: the CA ends 2027-09-19T12:00:00Z, within rollover_before 1y");
  CHECK(request->detail.find("(serialNumber 2)") != std::string::npos);
  CHECK(requests_next_intermediate(p));
  CHECK_FALSE(starts_rollover(p));
  CHECK_FALSE(makes_ca(p));
  CHECK(p.count(ActionKind::renew) == 0);
  CHECK_FALSE(ca_pem_changes(f.observed, p));
  CHECK(has_note(p, "CA rollover: waiting for the root: sign STATE/ca-next/intermediate.csr"));
  // The third generation after the second.
  f.observed.ca.subject_serial_number = "2";
  p = f.plan();
  request = find(p, ActionKind::issue, kNextCaRequestSubject);
  REQUIRE(request != nullptr);
  CHECK(request->detail.find("(serialNumber 3)") != std::string::npos);
}

TEST_CASE("rollover: a two-tier CA waits for the root, then installs what it signed") {
  Fixture f = ending_intermediate(2);
  f.observed.next.awaiting_root = true;
  f.observed.next.csr_public_key_sha256 = std::string(64, 'c');
  Plan p = f.plan();
  CHECK_FALSE(requests_next_intermediate(p));
  CHECK_FALSE(starts_rollover(p));
  CHECK(p.count(ActionKind::renew) == 0);
  CHECK(has_note(p, "CA rollover: waiting for the root"));
  // The source holds an intermediate for the next key that cannot be installed yet.
  observed::SourceTiers& src = f.observed.tiers;
  src.has_intermediate = true;
  src.intermediate_is_next = true;
  src.intermediate_common_name = "Test CA";
  src.intermediate_not_after = kNow + days{1000};
  src.intermediate_problem = "ca/intermediate.crt is not signed by the root ca/root.crt";
  p = f.plan();
  CHECK_FALSE(starts_rollover(p));
  CHECK(std::any_of(p.warnings.begin(), p.warnings.end(), [](const std::string& w) {
    return w ==
           "the next intermediate in the source cannot be installed: ca/intermediate.crt is "
           "not signed by the root ca/root.crt";
  }));
  // Once it can: installed and moved in, every device renewed under it, as for one tier.
  src.intermediate_problem = "";
  p = f.plan();
  const Action* start = find(p, ActionKind::issue, kNextCaSubject);
  REQUIRE(start != nullptr);
  CHECK(start->reason == "CA rollover: the root signed STATE/ca-next/intermediate.csr");
  CHECK(start->detail.starts_with("install intermediate Test CA signed by Root, until 2029-08-"));
  CHECK(p.count(ActionKind::renew) == 2);
  for (const Action& a : p.actions)
    if (a.kind == ActionKind::renew)
      CHECK(a.reason == "CA rollover: its successor is signed by the new CA");
  CHECK(ca_pem_changes(f.observed, p));
  CHECK_FALSE(has_note(p, "ca/intermediate.crt is not the installed intermediate"));
  const Action* crl = find(p, ActionKind::crl, "crl");
  REQUIRE(crl != nullptr);
  CHECK(crl->reason == "the new CA's first CRL");
}

TEST_CASE("rollover: an intermediate whose root revoked it rolls over, and its successor signs") {
  Fixture f = ending_intermediate(2);
  f.observed.ca.not_after = kNow + days{3000};  // far from its end
  f.observed.ca.serial = "5F3A";
  CHECK_FALSE(requests_next_intermediate(f.plan()));
  f.observed.ca.root_crl.serials = {"5F3A"};
  Plan p = f.plan();
  const Action* request = find(p, ActionKind::issue, kNextCaRequestSubject);
  REQUIRE(request != nullptr);
  CHECK(request->reason == "CA rollover: the root revoked the intermediate (serial 5F3A)");
  CHECK(p.count(ActionKind::renew) == 0);  // the revoked one signs nothing
  // Once the root signed the successor: installed, and every device renewed under it at once.
  f.observed.next.awaiting_root = true;
  f.observed.tiers.has_intermediate = true;
  f.observed.tiers.intermediate_is_next = true;
  f.observed.tiers.intermediate_not_after = kNow + days{1000};
  p = f.plan();
  CHECK(starts_rollover(p));
  CHECK(p.count(ActionKind::renew) == 2);
}

TEST_CASE("rollover: an intermediate in the state under mode self-signed does not roll over") {
  Fixture f = ending_intermediate(1);
  f.desired.ca.mode = desired::CaMode::self_signed;
  const Plan p = f.plan();
  CHECK_FALSE(starts_rollover(p));
  CHECK_FALSE(requests_next_intermediate(p));
  CHECK(p.count(ActionKind::renew) == 0);
  CHECK(std::any_of(p.warnings.begin(), p.warnings.end(), [](const std::string& w) {
    return w.starts_with(
        "CA rollover (the CA ends 2027-09-19T12:00:00Z, within rollover_before "
        "1y) not started: the CA in the state is an intermediate of the root "
        "Root");
  }));
}

TEST_CASE("rollover: a swap cut halfway says so") {
  Fixture f = during_overlap(1);
  f.observed.ca = {};
  f.observed.interrupted_rollover = true;
  CHECK(has_note(f.plan(), "a CA rollover was interrupted"));
}

TEST_CASE("rollover: the next generation counts up from the subject's serialNumber") {
  observed::Ca ca;
  CHECK(next_generation(ca) == "2");
  ca.subject_serial_number = "2";
  CHECK(next_generation(ca) == "3");
  ca.subject_serial_number = "41";
  CHECK(next_generation(ca) == "42");
  ca.subject_serial_number = "ABC-7";  // another tool's: certgate's generations start over
  CHECK(next_generation(ca) == "2");
}

TEST_CASE("rollover: the gates accept both intermediates while both are trusted") {
  observed::SourceTiers t;
  Plan p;
  CHECK(gate_issuer_dns(t, p).empty());  // one tier: the gates do not check the issuer
  t.previous_issuer_dn = "CN=Old";       // a one-tier rollover's outgoing CA
  CHECK(gate_issuer_dns(t, p).empty());
  t.issuer_dn = "CN=Current";
  t.next_issuer_dn = "CN=Next,serialNumber=2";
  CHECK(gate_issuer_dns(t, p) == std::vector<std::string>{"CN=Current", "CN=Old"});
  Action a;
  a.kind = ActionKind::issue;
  a.object = ObjectKind::ca;
  a.subject = kNextCaSubject;
  p.actions = {a};  // the swap: the next one and the current one, which becomes the previous
  CHECK(gate_issuer_dns(t, p) == std::vector<std::string>{"CN=Next,serialNumber=2", "CN=Current"});
  p.actions[0].kind = ActionKind::retire;
  p.actions[0].subject = kPreviousCaSubject;
  CHECK(gate_issuer_dns(t, p) == std::vector<std::string>{"CN=Current"});
}

}  // namespace
}  // namespace certgate::plan
