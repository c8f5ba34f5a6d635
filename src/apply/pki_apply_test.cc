#include "apply/pki_apply.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "apply/bundle_export.h"
#include "apply/recover.h"
#include "observed/observe.h"
#include "pki/ca_database.h"
#include "pki/inspect.h"
#include "pki/pkcs12.h"
#include "plan/planner.h"
#include "support/apply_run.h"
#include "support/mem_filesystem.h"
#include "support/test_csr.h"

namespace certgate::apply {
namespace {

using namespace std::chrono;

const base::Instant kNow = sys_days{2026y / November / 23} + 12h;

desired::DesiredState state_with(int devices) { return testing::desired_with_devices(devices); }

struct Harness {
  testing::MemFilesystem fs;
  desired::DesiredState desired;

  plan::Plan plan(base::Instant now = kNow) {
    auto o = observed::observe(fs, "/state", desired, now);
    REQUIRE(o);
    return plan::compute_plan(desired, *o, {}, {}, now);
  }
  ApplyReport apply(base::Instant now = kNow) {
    auto r = testing::apply_pki_once(fs, desired, now);
    REQUIRE(r);
    return *r;
  }
  std::string file(const std::string& path) { return fs.files().at(path).bytes; }
};

TEST_CASE("apply: issues every device in one batch, with a fixed number of syncs") {
  Harness h;
  h.desired = state_with(20);
  ApplyReport r = h.apply();
  CHECK(r.created_ca);
  CHECK(r.issued.size() == 20);
  CHECK(r.crl_number == 1);
  // Group commit: staging, install and revocation syncs, whatever the batch size.
  CHECK(h.fs.sync_count() <= 3);
  auto db = pki::CaDatabase(h.fs, "/state").read();
  REQUIRE(db);
  CHECK(db->index.size() == 20);
  CHECK(pki::CaDatabase(h.fs, "/state").list_newcerts()->size() == 20);
  const std::string dir = "/state/devices/dev-100/";
  CHECK(h.fs.files().at(dir + "key.pem").mode == 0600);
  CHECK(h.fs.files().at(dir + "bundle.p12").mode == 0600);
  CHECK(h.fs.files().at(dir + "bundle.pass").mode == 0600);
  CHECK(h.file(dir + "bundle.pass").size() == 25);
  CHECK(pki::key_matches(h.file(dir + "key.pem"), h.file(dir + "cert.pem")));
  CHECK(pki::is_signed_by(h.file(dir + "cert.pem"), h.file("/state/ca/ca.crt")));
  for (const auto& [path, f] : h.fs.files()) CHECK(path.find("/next/") == std::string::npos);
  CHECK(h.plan().is_empty());
}

TEST_CASE("apply: revocation marks index.txt, drops the device's secrets, lists it in the CRL") {
  Harness h;
  h.desired = state_with(2);
  h.apply();
  h.desired.devices[0].revoked = base::RevocationReason::keyCompromise;
  ApplyReport r = h.apply(kNow + hours{1});
  REQUIRE(r.revoked.size() == 1);
  CHECK(r.revoked[0] ==
        RevokedCert{"dev-100", r.revoked[0].serial, base::RevocationReason::keyCompromise});
  CHECK(r.superseded.empty());
  CHECK(r.crl_number == 2);
  auto db = pki::CaDatabase(h.fs, "/state").read();
  REQUIRE(db);
  const pki::IndexEntry& e = db->index[0].common_name() == "dev-100" ? db->index[0] : db->index[1];
  CHECK(e.status == pki::IndexStatus::revoked);
  CHECK(e.reason == base::RevocationReason::keyCompromise);
  CHECK_FALSE(h.fs.files().contains("/state/devices/dev-100/key.pem"));
  CHECK_FALSE(h.fs.files().contains("/state/devices/dev-100/bundle.p12"));
  CHECK(h.fs.files().contains("/state/devices/dev-100/cert.pem"));
  auto crl = pki::inspect_crl(h.file("/state/ca/crl.pem"), h.file("/state/ca/ca.crt"));
  REQUIRE(crl);
  CHECK(crl->serials == std::vector<std::string>{e.serial});
  CHECK(h.plan(kNow + hours{1}).is_empty());
}

TEST_CASE("apply: a renewal keeps the old certificate valid and the bundle's password") {
  Harness h;
  h.desired = state_with(1);
  h.apply();
  const std::string dir = "/state/devices/dev-100/";
  const std::string old_cert = h.file(dir + "cert.pem");
  const std::string password = h.file(dir + "bundle.pass");
  const base::Instant later = kNow + days{340};  // within renew_before of the 365d validity
  ApplyReport r = h.apply(later);
  REQUIRE(r.renewed.size() == 1);
  CHECK(r.revoked.empty());
  // The CRL is due by then anyway; it does not list the predecessor.
  auto crl = pki::inspect_crl(h.file("/state/ca/crl.pem"), h.file("/state/ca/ca.crt"));
  REQUIRE(crl);
  CHECK(crl->serials.empty());
  const std::string new_cert = h.file(dir + "cert.pem");
  CHECK(new_cert != old_cert);
  auto db = pki::CaDatabase(h.fs, "/state").read();
  REQUIRE(db->index.size() == 2);
  CHECK(db->index[0].status == pki::IndexStatus::valid);
  CHECK(db->index[1].status == pki::IndexStatus::valid);
  // The owner types the password they know; the bundle holds the new certificate.
  CHECK(h.file(dir + "bundle.pass") == password);
  const std::string pass = password.substr(0, password.size() - 1);  // without its newline
  auto in_bundle = pki::bundle_serial(h.file(dir + "bundle.p12"), pki::SecretString(pass));
  REQUIRE(in_bundle);
  CHECK(*in_bundle == pki::inspect_certificate(new_cert)->serial);
  CHECK(h.plan(later).is_empty());
}

TEST_CASE("apply: with overlap 0s a replacement revokes the old certificate as superseded") {
  Harness h;
  h.desired = state_with(1);
  h.apply();
  h.desired.defaults.overlap = seconds{0};
  h.desired.devices[0].owner = "dev@example.com";
  ApplyReport r = h.apply(kNow + hours{1});
  REQUIRE(r.renewed.size() == 1);
  // The predecessor is superseded, not revoked: nobody asked for a revocation.
  CHECK(r.revoked.empty());
  REQUIRE(r.superseded.size() == 1);
  CHECK(r.superseded[0].device == "dev-100");
  CHECK(r.superseded[0].reason == base::RevocationReason::superseded);
  CHECK(r.superseded[0].serial == r.renewed[0].replaces);
  CHECK(r.renewed[0].serial != r.renewed[0].replaces);
  auto db = pki::CaDatabase(h.fs, "/state").read();
  REQUIRE(db->index.size() == 2);
  CHECK(db->index[0].status == pki::IndexStatus::revoked);
  CHECK(db->index[0].reason == base::RevocationReason::superseded);
  CHECK(db->index[1].status == pki::IndexStatus::valid);
  CHECK(h.plan(kNow + hours{1}).is_empty());
}

TEST_CASE("apply: a renewal and a revocation together sign one CRL, numbered by the plan") {
  Harness h;
  h.desired = state_with(2);
  h.apply();
  const std::string old_serial =
      pki::inspect_certificate(h.file("/state/devices/dev-100/cert.pem"))->serial;
  const std::string revoked_serial =
      pki::inspect_certificate(h.file("/state/devices/dev-101/cert.pem"))->serial;
  h.desired.devices[1].revoked = base::RevocationReason::keyCompromise;
  const base::Instant later = kNow + days{340};  // dev-100 is within renew_before
  const plan::Plan plan = h.plan(later);
  REQUIRE(plan.count(plan::ActionKind::crl) == 1);
  REQUIRE(plan.count(plan::ActionKind::renew) == 1);
  REQUIRE(plan.count(plan::ActionKind::revoke) == 1);
  const auto crl_action = std::find_if(plan.actions.begin(), plan.actions.end(),
                                       [](auto& a) { return a.kind == plan::ActionKind::crl; });
  const size_t writes_before = h.fs.written().size();
  ApplyReport r = h.apply(later);
  CHECK(r.crl_number == std::stol(crl_action->after));
  std::vector<std::string> written(h.fs.written().begin() + writes_before, h.fs.written().end());
  // RFC 5280 5.2.3: one CRL per number; two CRLs numbered alike would be a reuse.
  CHECK(std::count(written.begin(), written.end(), "/state/ca/crl.pem") == 1);
  CHECK(std::count(written.begin(), written.end(), "/state/ca/crlnumber") == 1);
  auto crl = pki::inspect_crl(h.file("/state/ca/crl.pem"), h.file("/state/ca/ca.crt"));
  REQUIRE(crl);
  CHECK(crl->number == std::stol(crl_action->after));
  // The renewed certificate stays valid beside its successor: only the revoked one is listed.
  CHECK(crl->serials == std::vector<std::string>{revoked_serial});
  CHECK(std::find(crl->serials.begin(), crl->serials.end(), old_serial) == crl->serials.end());
  CHECK(h.plan(later).is_empty());
}

TEST_CASE("recover: uncommitted staging is discarded, committed staging is installed") {
  Harness h;
  h.desired = state_with(1);
  h.apply();
  pki::CaDatabase db(h.fs, "/state");
  // An apply killed after staging, before its commit: unknown serial in newcerts and next/.
  h.fs.put("/state/staging", "dev-100\n", 0600);
  h.fs.put("/state/ca/newcerts/4ABC.pem", "PEM");
  h.fs.put("/state/devices/dev-100/next/cert.pem", "torn");
  auto r = recover(h.fs, "/state");
  REQUIRE(r);
  CHECK(r->removed_newcerts == std::vector<std::string>{"4ABC"});
  CHECK(r->discarded_staging == std::vector<std::string>{"dev-100"});
  CHECK_FALSE(h.fs.files().contains("/state/ca/newcerts/4ABC.pem"));
  CHECK_FALSE(h.fs.files().contains("/state/devices/dev-100/next/cert.pem"));
  CHECK_FALSE(h.fs.files().contains("/state/staging"));
  // Temp files of writes killed half-way (the journal's, the cache's) go too.
  h.fs.put("/state/.staging.tmp.123.0", "dev-1");
  h.fs.put("/state/cache/.certs.tsv.tmp.123.1", "partial");
  r = recover(h.fs, "/state");
  REQUIRE(r);
  CHECK(r->removed_temp_files == 2);
  CHECK_FALSE(h.fs.files().contains("/state/cache/.certs.tsv.tmp.123.1"));
  // Killed after the commit, before install: the committed material is installed.
  h.fs.put("/state/staging", "dev-100\n", 0600);
  const std::string cert = h.file("/state/devices/dev-100/cert.pem");
  const std::string key = h.file("/state/devices/dev-100/key.pem");
  h.fs.put("/state/devices/dev-100/next/cert.pem", cert);
  h.fs.put("/state/devices/dev-100/next/key.pem", key, 0600);
  h.fs.put("/state/devices/dev-100/cert.pem", "old");
  r = recover(h.fs, "/state");
  REQUIRE(r);
  CHECK(r->installed_devices == std::vector<std::string>{"dev-100"});
  CHECK(h.file("/state/devices/dev-100/cert.pem") == cert);
  CHECK(h.plan().is_empty());
}

TEST_CASE("apply: a successful apply is recorded in state.json, 0600") {
  testing::MemFilesystem fs;
  fs.put("/state/x", "");
  observed::AppliedRecord r{"file certgate.toml", "", "ab", kNow, {}, {}, {}, {}};
  // Where it deployed and its CRL settings: what a due CRL follows when a later state is refused.
  r.targets = {{"local", "", 22, "", "/etc/nginx/certgate", "nginx -t", "nginx -s reload"},
               {"edge-1", "10.0.0.5", 2222, "deploy", "/srv/cg", "true", "sudo reload"}};
  r.crl_validity = std::chrono::hours{24 * 30};
  r.crl_refresh_before = std::chrono::hours{24 * 7};
  REQUIRE(record_applied(fs, "/state", r));
  CHECK(fs.files().at("/state/state.json").mode == 0600);
  CHECK(*observed::parse_applied_record(fs.files().at("/state/state.json").bytes) == r);
}

TEST_CASE("recover: an interrupted CA setup is discarded, a CA with certificates is kept") {
  testing::MemFilesystem fs;
  fs.put("/state/ca/ca.key", "KEY", 0600);
  fs.put("/state/ca/index.txt", "");
  auto r = recover(fs, "/state");
  REQUIRE(r);
  CHECK(r->discarded_ca_setup);
  CHECK_FALSE(fs.files().contains("/state/ca/ca.key"));
  CHECK(fs.files().at("/state/ca/ca.key.interrupted-setup").mode == 0600);
  fs.put("/state/ca/ca.key", "KEY", 0600);
  fs.put("/state/ca/index.txt", "V\t271123120000Z\t\t0A\tunknown\t/CN=a\n");
  r = recover(fs, "/state");
  REQUIRE(r);
  CHECK_FALSE(r->discarded_ca_setup);
  CHECK(fs.files().contains("/state/ca/ca.key"));
}

TEST_CASE("apply: a CSR device gets a certificate for the CSR's key and no stored key") {
  const std::string csr = testing::kTestCsr;
  Harness h;
  h.desired = state_with(1);
  h.desired.devices[0].csr_path = "csr/dev-100.csr";
  h.desired.devices[0].csr_pem = csr;
  h.apply();
  auto cert = pki::inspect_certificate(h.file("/state/devices/dev-100/cert.pem"));
  REQUIRE(cert);
  CHECK(cert->common_name == "dev-100");
  CHECK(cert->public_key_sha256 == pki::load_csr(csr)->public_key_sha256);
  CHECK_FALSE(h.fs.files().contains("/state/devices/dev-100/key.pem"));
  CHECK(h.plan().is_empty());
}

TEST_CASE("apply: the revoked probe certificate is issued revoked, listed in the CRL, kept 0600") {
  Harness h;
  h.desired = state_with(1);
  desired::Site site;
  site.name = "admin";
  site.probe = desired::Probe{"https://127.0.0.1:8443", "127.0.0.1", 8443, "/"};
  h.desired.sites = {site};
  h.apply();
  CHECK(h.fs.files().at("/state/probe/revoked.key").mode == 0600);
  auto cert = pki::inspect_certificate(h.file("/state/probe/revoked.crt"));
  REQUIRE(cert);
  CHECK(cert->common_name == observed::kRevokedProbeName);
  auto crl = pki::inspect_crl(h.file("/state/ca/crl.pem"), h.file("/state/ca/ca.crt"));
  REQUIRE(crl);
  CHECK(crl->serials == std::vector<std::string>{cert->serial});
  CHECK(h.plan().is_empty());
}

TEST_CASE("bundle: re-export reuses bundle.pass and refuses a device without a key") {
  Harness h;
  h.desired = state_with(1);
  h.apply();
  const std::string pass = h.file("/state/devices/dev-100/bundle.pass");
  REQUIRE(export_bundle(h.fs, "/state", "dev-100", base::P12Profile::modern, "/state/out.p12"));
  CHECK(h.fs.files().at("/state/out.p12").mode == 0600);
  CHECK(h.file("/state/devices/dev-100/bundle.pass") == pass);
  auto r = export_bundle(h.fs, "/state", "nobody", base::P12Profile::compat, "/state/x.p12");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::not_found);
}

}  // namespace
}  // namespace certgate::apply
