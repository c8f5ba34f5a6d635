// Crash tests of a whole apply (../shared/STYLE.md section 7): a FaultyFilesystem stops at
// change N, for every N, and a power cut drops what was not durable; recover() and the next
// apply must then leave a consistent CA database, which the checks below state as
// tests/integration/pki_crash.sh does. Unlike a kill -9, this catches a missing sync().
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "apply/recover.h"
#include "observed/manifest.h"
#include "observed/observe.h"
#include "pki/ca.h"
#include "pki/ca_database.h"
#include "pki/inspect.h"
#include "pki/intermediate.h"
#include "pki/random.h"
#include "plan/planner.h"
#include "support/apply_run.h"
#include "support/fake_runner.h"
#include "support/faulty_filesystem.h"
#include "support/test_csr.h"

namespace certgate::apply {
namespace {

using namespace std::chrono;
using testing::FaultyFilesystem;
using testing::kStateDir;

const base::Instant kNow = sys_days{2026y / November / 23} + 12h;
const std::string kCa = "/state/ca/";
const std::string kNginx = "/etc/nginx/certgate/";

// dev-100 (server key), dev-101 (CSR), and a site with a probe.
desired::DesiredState desired_state() {
  desired::DesiredState s = testing::desired_with_devices(2);
  s.devices[1].csr_path = "csr/dev-101.csr";
  s.devices[1].csr_pem = testing::kTestCsr;
  desired::Site site;
  site.name = "admin";
  site.server_names = {"admin.example.com"};
  site.probe = desired::Probe{"https://127.0.0.1:8443", "127.0.0.1", 8443, "/"};
  s.sites = {site};
  return s;
}

std::string bytes_at(const FaultyFilesystem& fs, const std::string& path) {
  auto it = fs.files().find(path);
  return it == fs.files().end() ? std::string() : it->second.bytes;
}

std::vector<pki::IndexEntry> index_of(const FaultyFilesystem& fs) {
  auto index = pki::parse_index(bytes_at(fs, kCa + "index.txt"));
  REQUIRE(index);
  return *index;
}

// What must hold in the CA database at any time, also right after a crash.
struct History {
  std::map<std::string, std::string> newcerts;  // serial -> PEM, as first seen
  long crl_number = 0;                          // the highest seen

  void check(FaultyFilesystem& fs) {
    if (!fs.files().contains(kCa + "ca.crt")) return;  // the CA setup did not finish
    std::set<std::string> serials;
    for (const pki::IndexEntry& e : index_of(fs)) {
      CAPTURE(e.serial);
      CHECK(serials.insert(e.serial).second);  // no serial twice
      const std::string pem = bytes_at(fs, kCa + "newcerts/" + e.serial + ".pem");
      auto [it, is_new] = newcerts.emplace(e.serial, pem);
      CHECK(it->second == pem);  // a serial is never reused for another certificate
      if (!is_new) continue;     // parsing every certificate again would be most of the test
      auto cert = pki::inspect_certificate(pem);
      REQUIRE_MESSAGE(cert, "index.txt names a serial without its newcerts/SERIAL.pem");
      CHECK(cert->serial == e.serial);
    }
    std::string next_serial = bytes_at(fs, kCa + "serial");
    if (!next_serial.empty()) next_serial.pop_back();
    CHECK_FALSE(serials.contains(next_serial));  // openssl ca would reuse it
    auto crl = pki::inspect_crl(bytes_at(fs, kCa + "crl.pem"), bytes_at(fs, kCa + "ca.crt"));
    if (!crl) return;
    CHECK(crl->number >= crl_number);  // RFC 5280 5.2.3: CRL numbers only increase
    crl_number = crl->number;
    auto db = pki::CaDatabase(fs, kStateDir).read();
    REQUIRE(db);
    CHECK(db->next_crl_number > crl->number);
  }
};

// What must hold once an apply has run to its end after the crash.
void check_converged(FaultyFilesystem& fs, const desired::DesiredState& desired,
                     base::Instant now) {
  const auto index = index_of(fs);
  std::set<std::string> revoked;
  for (const pki::IndexEntry& e : index) {
    if (e.status == pki::IndexStatus::revoked && now < e.expires) revoked.insert(e.serial);
  }
  for (const desired::Device& d : desired.devices) {
    CAPTURE(d.name);
    const std::string dir = "/state/devices/" + d.name + "/";
    const std::string cert = bytes_at(fs, dir + "cert.pem");
    const std::string key = bytes_at(fs, dir + "key.pem");
    if (d.revoked) {
      CHECK(key.empty());
      CHECK_FALSE(fs.files().contains(dir + "bundle.p12"));
      continue;
    }
    auto info = pki::inspect_certificate(cert);
    REQUIRE(info);
    const bool valid = std::any_of(index.begin(), index.end(), [&](const pki::IndexEntry& e) {
      return e.serial == info->serial && e.status == pki::IndexStatus::valid;
    });
    CHECK(valid);
    CHECK(bytes_at(fs, kCa + "newcerts/" + info->serial + ".pem") == cert);
    if (d.csr_pem.empty()) {
      CHECK(pki::key_matches(key, cert));
      CHECK(fs.files().contains(dir + "bundle.p12"));
    } else {
      CHECK(key.empty());
    }
  }
  auto crl = pki::inspect_crl(bytes_at(fs, kCa + "crl.pem"), bytes_at(fs, kCa + "ca.crt"));
  REQUIRE(crl);
  CHECK(std::set<std::string>(crl->serials.begin(), crl->serials.end()) == revoked);
  // The CA's CRL, then a rollover's outgoing CA's.
  CHECK(bytes_at(fs, kNginx + "crl.pem").find(bytes_at(fs, kCa + "crl.pem")) != std::string::npos);
  for (const auto& [path, file] : fs.files()) {
    CAPTURE(path);
    CHECK(path.find("/next/") == std::string::npos);
    CHECK(
        (path.find("/.certgate-") == std::string::npos || path.ends_with(observed::kManifestFile)));
    CHECK(path != "/state/staging");
  }
  auto observed = observed::observe(fs, kStateDir, desired, now);
  REQUIRE(observed);
  CHECK(plan::compute_plan(desired, *observed, {}, {}, now).is_empty());
}

// nginx may read its files at any time, and reloads load them: when nginx -t runs, each must
// be durable, or a crash would bring back other bytes than nginx was given.
void check_nginx_reads_durable_files(FaultyFilesystem& fs, testing::FakeRunner& runner,
                                     std::vector<std::string>& problems) {
  runner.on("nginx -t", 0, [&fs, &problems] {
    const auto durable = fs.durable_files();
    for (const auto& [path, file] : fs.files()) {
      if (!path.starts_with(kNginx) || path.find("/.certgate-") != std::string::npos) continue;
      if (!durable.contains(path) || durable.at(path) != file) problems.push_back(path);
    }
  });
}

// Paths whose bytes differ between `a` and `b`, left aside the leftovers of finished work that
// the next run clears (next/, the journal, a deploy's folders).
std::vector<std::string> changed_paths(
    const std::map<std::string, testing::MemFilesystem::File>& a,
    const std::map<std::string, testing::MemFilesystem::File>& b) {
  std::set<std::string> paths;
  for (const auto* files : {&a, &b}) {
    for (const auto& [path, file] : *files) {
      if (path.find("/next/") != std::string::npos ||
          path.find("/.certgate-") != std::string::npos || path == "/state/staging")
        continue;
      if (!a.contains(path) || !b.contains(path) || a.at(path) != b.at(path)) paths.insert(path);
    }
  }
  return std::vector<std::string>(paths.begin(), paths.end());
}

// recover() stopped at each of its changes, the power cut, and recover() run again must end
// where one uninterrupted recover() of `fs` ends.
void check_recover_crashes(const FaultyFilesystem& fs, History& history) {
  FaultyFilesystem reference = fs;
  REQUIRE(recover(reference, kStateDir));
  for (int m = 1; m <= reference.change_count(); ++m) {
    CAPTURE(m);
    FaultyFilesystem again = fs;
    again.fail_at(m);
    REQUIRE_FALSE(recover(again, kStateDir));
    again.crash();
    history.check(again);
    REQUIRE(recover(again, kStateDir));
    CHECK(changed_paths(reference.files(), again.files()).empty());
  }
}

// Stops `fs` at every change of one apply of `desired` at `now` (and once after its last),
// cuts the power, checks the database, crashes recover() at each of its own changes, and
// checks that the next apply converges. `base` is the state before the apply.
void crash_everywhere(const FaultyFilesystem& base, const desired::DesiredState& desired,
                      base::Instant now) {
  int total = 0;
  {
    FaultyFilesystem fs = base;
    testing::FakeRunner runner;
    REQUIRE(testing::apply_once(fs, runner, desired, now));
    total = fs.change_count();
  }
  History start;
  FaultyFilesystem first = base;
  start.check(first);
  for (int n = 1; n <= total + 1; ++n) {
    FaultyFilesystem fs = base;
    testing::FakeRunner runner;
    std::vector<std::string> problems;
    check_nginx_reads_durable_files(fs, runner, problems);
    fs.fail_at(n);
    auto cut = testing::apply_once(fs, runner, desired, now);
    const std::string last = fs.log().empty() ? "(none)" : fs.log().back();
    CAPTURE(n);
    CAPTURE(last);  // the last change made before the crash
    CHECK(problems.empty());
    CHECK(bool(cut) == (n > total));
    const auto before_crash = fs.files();
    fs.crash();
    if (n > total) CHECK(changed_paths(before_crash, fs.files()).empty());  // all durable
    History history = start;
    history.check(fs);
    check_recover_crashes(fs, history);
    REQUIRE(testing::apply_once(fs, runner, desired, now));
    history.check(fs);
    check_converged(fs, desired, now);
  }
}

TEST_CASE("crash: a first apply (CA, a server-key and a CSR device, CRL, nginx files)") {
  crash_everywhere(FaultyFilesystem(), desired_state(), kNow);
}

TEST_CASE("crash: renewals of a server-key and a CSR device with a revocation in one apply") {
  FaultyFilesystem base;
  testing::FakeRunner runner;
  desired::DesiredState first = desired_state();
  first.devices.push_back(testing::desired_with_devices(3).devices[2]);
  REQUIRE(testing::apply_once(base, runner, first, kNow));
  // Within renew_before of the 365d validity: dev-100 and the CSR device dev-101 renew.
  desired::DesiredState next = first;
  next.devices[2].revoked = base::RevocationReason::keyCompromise;
  crash_everywhere(base, next, kNow + days{340});
}

TEST_CASE("crash: a revocation, and the revoked probe certificate for a site's new probe") {
  FaultyFilesystem base;
  testing::FakeRunner runner;
  desired::DesiredState first = desired_state();
  first.sites[0].probe.reset();
  REQUIRE(testing::apply_once(base, runner, first, kNow));
  REQUIRE_FALSE(base.files().contains("/state/probe/revoked.crt"));
  desired::DesiredState next = desired_state();
  next.devices[0].revoked = base::RevocationReason::keyCompromise;
  crash_everywhere(base, next, kNow + hours{1});
}

TEST_CASE("crash: a CA rollover (the next CA, both moved, every device renewed under it)") {
  FaultyFilesystem base;
  testing::FakeRunner runner;
  desired::DesiredState first = desired_state();
  first.ca.validity = days{400};
  first.ca.rollover_before = days{100};
  REQUIRE(testing::apply_once(base, runner, first, kNow));
  // 90 days before the CA's end: within rollover_before, the devices' certificates not due.
  crash_everywhere(base, first, kNow + days{310});
  FaultyFilesystem fs = base;
  auto r = testing::apply_once(fs, runner, first, kNow + days{310});
  REQUIRE_MESSAGE(r, (r ? "" : r.error().message));
  CHECK(fs.files().contains("/state/ca-previous/ca.crt"));
}

// An offline root (in memory) that signs the intermediates of a two-tier CA.
struct Root {
  pki::CaMaterial ca;
  std::string crl;

  explicit Root(base::Instant now) {
    auto made = pki::create_ca({"Test Root", "", "", ""}, base::KeyType::ec_p256, now - hours{1},
                               now + days{3650});
    REQUIRE(made);
    ca = std::move(*made);
    auto signer = pki::CaSigner::open(ca.key_pem.reveal(), ca.cert_pem);
    REQUIRE(signer);
    auto list = signer->make_crl({}, 1, now - hours{1}, now + days{3000});
    REQUIRE(list);
    crl = *list;
  }
  // Signs the CSR at `csr_path` of `fs` into `desired`'s intermediate_cert, valid until `end`.
  void sign(const FaultyFilesystem& fs, const std::string& csr_path, base::Instant now,
            base::Instant end, desired::DesiredState& desired) const {
    auto serial = pki::random_serial();
    REQUIRE(serial);
    auto cert = pki::sign_intermediate(ca.key_pem.reveal(), ca.cert_pem, bytes_at(fs, csr_path),
                                       *serial, now - hours{1}, end);
    REQUIRE(cert);
    desired.ca.intermediate_cert = {"ca/intermediate.crt", *cert};
  }
};

TEST_CASE("crash: a two-tier CA rollover (the next CSR, then what the root signed moved in)") {
  const Root root(kNow);
  desired::DesiredState want = desired_state();
  want.ca.mode = desired::CaMode::intermediate;
  want.ca.rollover_before = days{100};
  want.ca.root_cert = {"ca/root.crt", root.ca.cert_pem};
  want.ca.root_crl = {"ca/root.crl", root.crl};
  FaultyFilesystem base;
  testing::FakeRunner runner;
  REQUIRE(testing::apply_once(base, runner, want, kNow));  // the intermediate's key and CSR
  root.sign(base, kCa + "intermediate.csr", kNow, kNow + days{400}, want);
  REQUIRE(testing::apply_once(base, runner, want, kNow));  // installed, the devices issued
  // 90 days before the intermediate's end: the next one's key and CSR, cut everywhere.
  crash_everywhere(base, want, kNow + days{310});
  REQUIRE(testing::apply_once(base, runner, want, kNow + days{310}));
  REQUIRE(base.files().contains("/state/ca-next/intermediate.csr"));
  // The root signs it: installed and moved in, every device renewed under it, cut everywhere.
  root.sign(base, "/state/ca-next/intermediate.csr", kNow + days{311}, kNow + days{900}, want);
  crash_everywhere(base, want, kNow + days{311});
  REQUIRE(testing::apply_once(base, runner, want, kNow + days{311}));
  CHECK(base.files().contains("/state/ca-previous/ca.crt"));
  CHECK_FALSE(base.files().contains("/state/ca-next/ca.key"));
}

}  // namespace
}  // namespace certgate::apply
