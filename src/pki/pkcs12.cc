#include "pki/pkcs12.h"

#include "pki/ossl.h"

namespace certgate::pki {

namespace {
// OpenSSL's PKCS12_DEFAULT_ITER, what `openssl pkcs12 -export` uses and every importer accepts.
constexpr int kIterations = 2048;
}  // namespace

Result<std::string> make_bundle(std::string_view key_pem, std::string_view cert_pem,
                                std::string_view ca_cert_pem, const std::string& name,
                                const SecretString& password, base::P12Profile profile) {
  CG_CHECK(!password.empty());
  auto key = parse_private_key(key_pem, "key of " + name);
  if (!key) return key.error();
  auto cert = parse_certificate(cert_pem, "certificate of " + name);
  if (!cert) return cert.error();
  auto chain = parse_certificates(ca_cert_pem, "ca.crt");
  if (!chain) return chain.error();
  if (X509_check_private_key(cert->get(), key->get()) != 1) {
    ERR_clear_error();
    return make_error(Errc::invalid, "key of " + name + " does not match its certificate");
  }
  return bundle_from(key->get(), cert->get(), *chain, name, password.reveal(), profile);
}

Result<std::string> bundle_from(EVP_PKEY* key, X509* cert, const std::vector<X509Ptr>& cas,
                                const std::string& name, const std::string& password,
                                base::P12Profile profile) {
  CG_CHECK(!password.empty());
  X509StackPtr chain(sk_X509_new_null());
  if (!chain) return openssl_error("build chain");
  for (const X509Ptr& ca : cas) {
    if (X509_up_ref(ca.get()) != 1) return openssl_error("build chain");
    if (sk_X509_push(chain.get(), ca.get()) == 0) {
      X509_free(ca.get());
      return openssl_error("build chain");
    }
    // `chain` owns the reference taken above.
  }

  const bool compat = profile == base::P12Profile::compat;
  const int nid = compat ? NID_pbe_WithSHA1And3_Key_TripleDES_CBC : NID_aes_256_cbc;
  // mac_iter -1: no MAC yet; PKCS12_set_mac below picks its digest explicitly, rather than
  // trusting a library default that changed between OpenSSL 1.1 and 3.
  Pkcs12Ptr p12(PKCS12_create(password.c_str(), name.c_str(), key, cert, chain.get(), nid, nid,
                              kIterations, -1, 0));
  if (!p12) return openssl_error("PKCS12_create for " + name);
  const EVP_MD* mac = compat ? EVP_sha1() : EVP_sha256();
  if (PKCS12_set_mac(p12.get(), password.c_str(), -1, nullptr, 0, kIterations, mac) != 1)
    return openssl_error("PKCS12_set_mac for " + name);
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || i2d_PKCS12_bio(out.get(), p12.get()) != 1) return openssl_error("i2d_PKCS12");
  return bio_contents(out.get());
}

Result<std::string> bundle_serial(std::string_view bundle, const SecretString& password) {
  BioPtr in = memory_bio(bundle);
  if (!in) return openssl_error("read bundle");
  Pkcs12Ptr p12(d2i_PKCS12_bio(in.get(), nullptr));
  if (!p12) return openssl_error("parse bundle");
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  const int ok = PKCS12_parse(p12.get(), password.reveal().c_str(), &key, &cert, nullptr);
  EvpPkeyPtr key_owner(key);
  X509Ptr cert_owner(cert);
  if (ok != 1 || !cert) return openssl_error("open bundle");
  return serial_hex(X509_get0_serialNumber(cert));
}

}  // namespace certgate::pki
