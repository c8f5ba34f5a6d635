#include "observed/overlap.h"

#include <doctest/doctest.h>

namespace certgate::observed {
namespace {

using namespace std::chrono;
const base::Instant kNow = sys_days{2026y / December / 2};

Cert cert(const std::string& serial, base::Instant not_before, base::Instant not_after) {
  Cert c;
  c.serial = serial;
  c.device = "alice";
  c.has_file = true;
  c.not_before = not_before;
  c.not_after = not_after;
  c.key = base::KeyType::ec_p256;
  c.key_origin = KeyOrigin::server;
  return c;
}

TEST_CASE("overlap: the newest certificate has the latest notBefore, then notAfter, then serial") {
  const Cert a = cert("0A", kNow - days{1}, kNow + days{365});
  const Cert b = cert("0B", kNow - days{300}, kNow + days{65});
  Cert c = a;
  c.serial = "0C";
  CHECK(is_newer(a, b));
  CHECK_FALSE(is_newer(b, a));
  CHECK(is_newer(c, a));  // same dates: the greater serial
  Cert revoked = cert("0D", kNow, kNow + days{400});
  revoked.status = CertStatus::revoked;
  ObservedState o;
  o.certs = {b, a, revoked};
  const std::vector<const Cert*> live = live_certs(o, "alice", kNow);
  REQUIRE(live.size() == 2);
  CHECK(live[0]->serial == "0A");
  CHECK(live[1]->serial == "0B");
}

TEST_CASE("overlap: a renewal for expiry keeps the old certificate until its own notAfter") {
  desired::Device d;
  d.name = "alice";
  const Cert newest = cert("0A", kNow - days{1}, kNow + days{365});
  const Cert old = cert("0B", kNow - days{300}, kNow + days{65});
  CHECK(fits_device(d, old, nullptr));
  CHECK(predecessor_end(old, newest, true, days{7}) == old.not_after);
}

TEST_CASE("overlap: a replacement for a new key type or owner ends at the overlap") {
  desired::Device d;
  d.name = "alice";
  d.key = base::KeyType::ec_p384;
  const Cert newest = cert("0A", kNow - days{1}, kNow + days{365});
  const Cert old = cert("0B", kNow - days{300}, kNow + days{65});
  CHECK_FALSE(fits_device(d, old, nullptr));
  d.key = base::KeyType::ec_p256;
  d.owner = "alice@example.com";
  CHECK_FALSE(fits_device(d, old, nullptr));
  // The overlap counts from the newest's issue: its notBefore is backdated by kBackdate.
  CHECK(predecessor_end(old, newest, false, days{7}) == newest.not_before + kBackdate + days{7});
  // Never later than the old certificate's own notAfter.
  const Cert short_old = cert("0C", kNow - days{300}, kNow + days{2});
  CHECK(predecessor_end(short_old, newest, false, days{7}) == short_old.not_after);
  // A newest without its file has no known notBefore: nothing to count from.
  Cert unknown = newest;
  unknown.has_file = false;
  CHECK(predecessor_end(old, unknown, false, days{7}) == old.not_after);
}

TEST_CASE("overlap: a CSR device's certificate fits while the CSR keeps its key") {
  desired::Device d;
  d.name = "alice";
  d.csr_path = "csr/alice.csr";
  Cert c = cert("0A", kNow, kNow + days{365});
  c.key_origin = KeyOrigin::csr;
  c.public_key_sha256 = "aa";
  Csr csr{"alice", base::KeyType::ec_p256, "aa", ""};
  CHECK(fits_device(d, c, &csr));
  csr.public_key_sha256 = "bb";
  CHECK_FALSE(fits_device(d, c, &csr));
  csr.problem = "does not verify";
  CHECK(fits_device(d, c, &csr));  // a broken CSR is no new key
  desired::Device server = d;
  server.csr_path.reset();
  CHECK_FALSE(fits_device(server, c, nullptr));  // no CSR any more: certgate makes the key
}

}  // namespace
}  // namespace certgate::observed
