#include "pki/ca.h"

#include <doctest/doctest.h>

#include <set>

#include "pki/inspect.h"
#include "pki/pkcs12.h"
#include "pki/random.h"
#include "support/test_csr.h"

namespace certgate::pki {
namespace {

using namespace std::chrono;

const base::Instant kNow = sys_days{2026y / November / 23} + 12h;

CaSigner make_signer(base::KeyType key = base::KeyType::ec_p256) {
  auto ca = create_ca({"Test CA", "Example Ltd", "", "NL"}, key, kNow, kNow + days{3650});
  REQUIRE(ca);
  auto signer = CaSigner::open(ca->key_pem.reveal(), ca->cert_pem);
  REQUIRE(signer);
  return std::move(*signer);
}

CertRequest request(const std::string& device) {
  auto serial = random_serial();
  REQUIRE(serial);
  return {device, device + "@example.com", *serial, kNow, kNow + days{365}};
}

constexpr const char* kCsr = testing::kTestCsr;

TEST_CASE("pki: a new CA is a CA, self-signed, with the desired subject and validity") {
  CaSigner signer = make_signer(base::KeyType::ec_p384);
  auto info = inspect_certificate(signer.cert_pem());
  REQUIRE(info);
  CHECK(info->is_ca);
  CHECK(info->common_name == "Test CA");
  CHECK(info->issuer_common_name == "Test CA");
  CHECK(info->key == base::KeyType::ec_p384);
  CHECK(info->not_after == kNow + days{3650});
  CHECK(is_signed_by(signer.cert_pem(), signer.cert_pem()));
}

TEST_CASE("pki: device certificates carry CN, email SAN, serial and are signed by the CA") {
  CaSigner signer = make_signer();
  for (base::KeyType k : {base::KeyType::ec_p256, base::KeyType::ec_p384, base::KeyType::ed25519,
                          base::KeyType::rsa_2048}) {
    CAPTURE(to_string(k));
    auto key = generate_key(k);
    REQUIRE(key);
    CertRequest req = request("alice-phone");
    auto cert = signer.issue_for_key(req, key->reveal());
    REQUIRE(cert);
    auto info = inspect_certificate(cert->cert_pem);
    REQUIRE(info);
    CHECK(info->serial == req.serial);
    CHECK(info->common_name == "alice-phone");
    CHECK(info->email == "alice-phone@example.com");
    CHECK(info->key == k);
    CHECK_FALSE(info->is_ca);
    CHECK(info->not_after == kNow + days{365});
    CHECK(is_signed_by(cert->cert_pem, signer.cert_pem()));
    CHECK(key_matches(key->reveal(), cert->cert_pem));
  }
}

TEST_CASE("pki: a CSR lends only its public key, never its subject") {
  CaSigner signer = make_signer();
  auto csr = load_csr(kCsr);
  REQUIRE(csr);
  CHECK(csr->common_name == "something-else");
  CHECK(csr->key == base::KeyType::ec_p256);
  auto cert = signer.issue_for_csr(request("bob-laptop"), kCsr);
  REQUIRE(cert);
  auto info = inspect_certificate(cert->cert_pem);
  REQUIRE(info);
  CHECK(info->common_name == "bob-laptop");
  CHECK(info->public_key_sha256 == csr->public_key_sha256);
}

TEST_CASE("pki: a CSR whose signature does not verify is refused") {
  std::string forged = kCsr;
  forged[forged.find("RQIhAMZu") + 6] = 'J';  // flips bits of the signature
  auto r = load_csr(forged);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::invalid);
  CHECK_FALSE(load_csr("not a CSR"));
  CHECK_FALSE(make_signer().issue_for_csr(request("x"), forged));
}

TEST_CASE("pki: the CRL lists serials with reasons, crlNumber and times, signed by the CA") {
  CaSigner signer = make_signer();
  std::vector<CrlEntry> entries{
      {"4A000000000000000000000000000001", kNow, base::RevocationReason::keyCompromise},
      {"0B", kNow, base::RevocationReason::unspecified}};
  auto crl = signer.make_crl(entries, 7, kNow, kNow + days{30});
  REQUIRE(crl);
  auto info = inspect_crl(*crl, signer.cert_pem());
  REQUIRE(info);
  CHECK(info->number == 7);
  CHECK(info->is_signed_by_ca);
  CHECK(info->this_update == kNow);
  CHECK(info->next_update == kNow + days{30});
  CHECK(info->serials == std::vector<std::string>{"0B", "4A000000000000000000000000000001"});
  CHECK_FALSE(inspect_crl(*crl, make_signer().cert_pem())->is_signed_by_ca);
}

TEST_CASE("pki: CaSigner refuses a key that is not the certificate's") {
  auto a = create_ca({"A", "", "", ""}, base::KeyType::ec_p256, kNow, kNow + days{10});
  auto b = create_ca({"B", "", "", ""}, base::KeyType::ec_p256, kNow, kNow + days{10});
  REQUIRE(a);
  REQUIRE(b);
  auto r = CaSigner::open(a->key_pem.reveal(), b->cert_pem);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "ca.key does not belong to ca.crt");
}

TEST_CASE("pki: bundles of both profiles are built, a mismatched key is refused") {
  CaSigner signer = make_signer();
  auto key = generate_key(base::KeyType::ec_p256);
  REQUIRE(key);
  auto cert = signer.issue_for_key(request("alice-phone"), key->reveal());
  REQUIRE(cert);
  auto password = random_password();
  REQUIRE(password);
  for (auto profile : {base::P12Profile::compat, base::P12Profile::modern}) {
    auto p12 = make_bundle(key->reveal(), cert->cert_pem, signer.cert_pem(), "alice-phone",
                           *password, profile);
    REQUIRE(p12);
    CHECK(p12->size() > 500);
  }
  auto other = generate_key(base::KeyType::ec_p256);
  REQUIRE(other);
  auto r = make_bundle(other->reveal(), cert->cert_pem, signer.cert_pem(), "alice-phone", *password,
                       base::P12Profile::compat);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "key of alice-phone does not match its certificate");
}

TEST_CASE("pki: serials are 32 hex digits, positive, distinct, and passwords are unambiguous") {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto s = random_serial();
    REQUIRE(s);
    CHECK(s->size() == 32);
    CHECK((*s)[0] >= '4');
    CHECK((*s)[0] <= '7');
    seen.insert(*s);
  }
  CHECK(seen.size() == 1000);
  auto p = random_password();
  REQUIRE(p);
  CHECK(p->reveal().size() == 24);
  CHECK(p->reveal().find_first_of("0O1lI") == std::string::npos);
}

}  // namespace
}  // namespace certgate::pki

namespace certgate::pki {
namespace {

TEST_CASE("pki: pem_blocks finds each block from BEGIN to END, an unterminated one left out") {
  const std::string text =
      "# header\n-----BEGIN X509 CRL-----\nAA\n-----END X509 CRL-----\n"
      "-----BEGIN CERTIFICATE-----\nBB\n-----END CERTIFICATE-----\n-----BEGIN X509 CRL-----\nCC\n";
  CHECK(pem_blocks(text, "X509 CRL") ==
        std::vector<std::string_view>{"-----BEGIN X509 CRL-----\nAA\n-----END X509 CRL-----"});
  CHECK(pem_blocks(text, "CERTIFICATE").size() == 1);
}

TEST_CASE("pki: inspect_crls names the CA of a two-tier chain that signed each CRL") {
  const base::Instant now = std::chrono::sys_days{std::chrono::year{2026} / 11 / 23};
  auto root =
      create_ca({"Root", "", "", ""}, base::KeyType::ec_p256, now, now + std::chrono::days{3650});
  auto other =
      create_ca({"Other", "", "", ""}, base::KeyType::ec_p256, now, now + std::chrono::days{3650});
  REQUIRE(root);
  REQUIRE(other);
  auto root_signer = CaSigner::open(root->key_pem.reveal(), root->cert_pem);
  auto other_signer = CaSigner::open(other->key_pem.reveal(), other->cert_pem);
  REQUIRE(root_signer);
  REQUIRE(other_signer);
  auto root_crl = root_signer->make_crl({}, 7, now, now + std::chrono::days{30});
  auto other_crl = other_signer->make_crl({}, 3, now, now + std::chrono::days{30});
  REQUIRE(root_crl);
  REQUIRE(other_crl);
  const std::string chain = other->cert_pem + root->cert_pem;  // issuing CA first, then the root
  auto crls = inspect_crls(*other_crl + *root_crl, chain);
  REQUIRE(crls);
  REQUIRE(crls->size() == 2);
  CHECK((*crls)[0].signer == 0);
  CHECK((*crls)[0].info.number == 3);
  CHECK((*crls)[1].signer == 1);
  CHECK((*crls)[1].info.number == 7);
  auto foreign = inspect_crls(*root_crl, other->cert_pem);
  REQUIRE(foreign);
  CHECK(foreign->front().signer == -1);
}

}  // namespace
}  // namespace certgate::pki
