#include "pki/ca.h"

#include <openssl/pem.h>

#include "pki/ossl.h"
#include "pki/random.h"
#include "pki/x509_build.h"

namespace certgate::pki {

namespace {

Result<EvpPkeyPtr> new_key(base::KeyType key) {
  EvpPkeyPtr pkey;
  switch (key) {
    case base::KeyType::ec_p256:
      pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
      break;
    case base::KeyType::ec_p384:
      pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
      break;
    case base::KeyType::ed25519:
      pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
      break;
    case base::KeyType::rsa_2048:
      pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
      break;
    case base::KeyType::rsa_3072:
      pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{3072}));
      break;
    case base::KeyType::rsa_4096:
      pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{4096}));
      break;
  }
  if (!pkey) return openssl_error("generate " + std::string(base::to_string(key)) + " key");
  return pkey;
}

}  // namespace

Result<SecretString> generate_key(base::KeyType key) {
  auto pkey = new_key(key);
  if (!pkey) return pkey.error();
  auto pem = private_key_pem(pkey->get());
  if (!pem) return pem.error();
  return SecretString(std::move(*pem));
}

Result<CaMaterial> create_ca(const CaSubject& subject, base::KeyType key, base::Instant not_before,
                             base::Instant not_after) {
  auto pkey = new_key(key);
  if (!pkey) return pkey.error();
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1)
    return openssl_error("create CA certificate");
  auto name = ca_name(subject);
  if (!name) return name.error();
  auto serial = random_serial();
  if (!serial) return serial.error();
  if (auto r = set_serial(cert.get(), *serial); !r) return r.error();
  if (X509_set_subject_name(cert.get(), name->get()) != 1 ||
      X509_set_issuer_name(cert.get(), name->get()) != 1 ||
      X509_set_pubkey(cert.get(), pkey->get()) != 1)
    return openssl_error("set CA subject and key");
  if (auto r = set_validity(cert.get(), not_before, not_after); !r) return r.error();
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE"},
                            std::pair{NID_key_usage, "critical,keyCertSign,cRLSign"},
                            std::pair{NID_subject_key_identifier, "hash"},
                            std::pair{NID_authority_key_identifier, "keyid:always"}}) {
    if (auto r = add_conf_ext(cert.get(), &ctx, nid, value); !r) return r.error();
  }
  if (X509_sign(cert.get(), pkey->get(), signing_digest(pkey->get())) == 0)
    return openssl_error("sign CA certificate");
  auto cert_pem = certificate_pem(cert.get());
  if (!cert_pem) return cert_pem.error();
  auto key_pem = private_key_pem(pkey->get());
  if (!key_pem) return key_pem.error();
  return CaMaterial{SecretString(std::move(*key_pem)), std::move(*cert_pem)};
}

struct CaSigner::Impl {
  EvpPkeyPtr key;
  X509Ptr cert;
  std::string cert_pem;
  std::vector<X509Ptr> chain;  // cert, then the certificates above it (a two-tier CA's root)
  base::Instant not_after;

  Result<X509Ptr> sign(const CertRequest& request, EVP_PKEY* subject_key) const;
  Result<IssuedCert> sign_pem(const CertRequest& request, EVP_PKEY* subject_key) const;
};

CaSigner::CaSigner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CaSigner::CaSigner(CaSigner&&) noexcept = default;
CaSigner& CaSigner::operator=(CaSigner&&) noexcept = default;
CaSigner::~CaSigner() = default;

Result<CaSigner> CaSigner::open(std::string_view key_pem, std::string_view cert_pem) {
  auto impl = std::make_unique<Impl>();
  auto key = parse_private_key(key_pem, "ca.key");
  if (!key) return key.error();
  auto chain = parse_certificates(cert_pem, "ca.crt");
  if (!chain) return chain.error();
  X509Ptr* cert = &chain->front();
  if (X509_check_private_key(cert->get(), key->get()) != 1) {
    ERR_clear_error();
    return make_error(Errc::invalid, "ca.key does not belong to ca.crt");
  }
  auto not_after = to_instant(X509_get0_notAfter(cert->get()));
  if (!not_after) return not_after.error();
  impl->key = std::move(*key);
  if (X509_up_ref(cert->get()) != 1) return openssl_error("X509_up_ref");
  impl->cert.reset(cert->get());
  // The CA's own PEM as given: up to the next certificate, when one follows.
  const std::size_t first = cert_pem.find("-----BEGIN CERTIFICATE-----");
  const std::size_t next = cert_pem.find("-----BEGIN CERTIFICATE-----", first + 1);
  impl->cert_pem = std::string(cert_pem.substr(0, next));
  impl->chain = std::move(*chain);
  impl->not_after = *not_after;
  return CaSigner(std::move(impl));
}

base::Instant CaSigner::not_after() const { return impl_->not_after; }
const std::string& CaSigner::cert_pem() const { return impl_->cert_pem; }

Result<X509Ptr> CaSigner::Impl::sign(const CertRequest& request, EVP_PKEY* subject_key) const {
  X509Ptr c(X509_new());
  X509NamePtr subject(X509_NAME_new());
  if (!c || !subject || X509_set_version(c.get(), X509_VERSION_3) != 1)
    return openssl_error("create certificate");
  if (auto r = add_name_entry(subject.get(), "CN", request.device); !r) return r.error();
  if (auto r = set_serial(c.get(), request.serial); !r) return r.error();
  if (X509_set_subject_name(c.get(), subject.get()) != 1 ||
      X509_set_issuer_name(c.get(), X509_get_subject_name(cert.get())) != 1 ||
      X509_set_pubkey(c.get(), subject_key) != 1)
    return openssl_error("set certificate subject and key");
  if (auto r = set_validity(c.get(), request.not_before, request.not_after); !r) return r.error();
  const bool is_rsa = EVP_PKEY_get_base_id(subject_key) == EVP_PKEY_RSA;
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, cert.get(), c.get(), nullptr, nullptr, 0);
  for (auto [nid, value] :
       {std::pair{NID_basic_constraints, "critical,CA:FALSE"},
        std::pair{NID_key_usage, is_rsa ? "critical,digitalSignature,keyEncipherment"
                                        : "critical,digitalSignature"},
        std::pair{NID_ext_key_usage, "clientAuth"}, std::pair{NID_subject_key_identifier, "hash"},
        std::pair{NID_authority_key_identifier, "keyid:always"}}) {
    if (auto r = add_conf_ext(c.get(), &ctx, nid, value); !r) return r.error();
  }
  if (!request.owner.empty()) {
    if (auto r = add_email_san(c.get(), request.owner); !r) return r.error();
  }
  if (X509_sign(c.get(), key.get(), signing_digest(key.get())) == 0)
    return openssl_error("sign certificate for " + request.device);
  return c;
}

Result<IssuedCert> CaSigner::Impl::sign_pem(const CertRequest& request,
                                            EVP_PKEY* subject_key) const {
  auto signed_cert = sign(request, subject_key);
  if (!signed_cert) return signed_cert.error();
  auto pem = certificate_pem(signed_cert->get());
  if (!pem) return pem.error();
  return IssuedCert{request.serial, std::move(*pem), request.not_after,
                    spki_sha256(X509_get_X509_PUBKEY(signed_cert->get()))};
}

Result<NewDevice> CaSigner::issue_with_new_key(const CertRequest& request, base::KeyType key,
                                               const SecretString& password,
                                               base::P12Profile profile) const {
  auto pkey = new_key(key);
  if (!pkey) return pkey.error();
  auto cert = impl_->sign(request, pkey->get());
  if (!cert) return cert.error();
  auto cert_pem = certificate_pem(cert->get());
  if (!cert_pem) return cert_pem.error();
  auto key_pem = private_key_pem(pkey->get());
  if (!key_pem) return key_pem.error();
  NewDevice out;
  out.key_pem = SecretString(std::move(*key_pem));
  auto bundle = bundle_from(pkey->get(), cert->get(), impl_->chain, request.device,
                            password.reveal(), profile);
  if (!bundle) return bundle.error();
  out.bundle = SecretString(std::move(*bundle));
  out.cert = IssuedCert{request.serial, std::move(*cert_pem), request.not_after,
                        spki_sha256(X509_get_X509_PUBKEY(cert->get()))};
  return out;
}

Result<IssuedCert> CaSigner::issue_for_key(const CertRequest& request,
                                           std::string_view key_pem) const {
  auto key = parse_private_key(key_pem, "key of " + request.device);
  if (!key) return key.error();
  return impl_->sign_pem(request, key->get());
}

Result<IssuedCert> CaSigner::issue_for_csr(const CertRequest& request,
                                           std::string_view csr_pem) const {
  BioPtr bio = memory_bio(csr_pem);
  X509ReqPtr req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (!req) return openssl_error("read CSR of " + request.device);
  EVP_PKEY* pub = X509_REQ_get0_pubkey(req.get());  // borrowed from req
  if (pub == nullptr || X509_REQ_verify(req.get(), pub) != 1) {
    Error e = openssl_error("CSR of " + request.device + ": signature does not verify");
    e.code = Errc::invalid;
    return e;
  }
  return impl_->sign_pem(request, pub);
}

Result<std::string> CaSigner::make_crl(const std::vector<CrlEntry>& entries, long number,
                                       base::Instant this_update, base::Instant next_update) const {
  X509CrlPtr crl(X509_CRL_new());
  if (!crl || X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(impl_->cert.get())) != 1)
    return openssl_error("create CRL");
  auto last = to_asn1_time(this_update);
  if (!last) return last.error();
  auto next = to_asn1_time(next_update);
  if (!next) return next.error();
  if (X509_CRL_set1_lastUpdate(crl.get(), last->get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next->get()) != 1)
    return openssl_error("set CRL times");
  for (const CrlEntry& e : entries) {
    X509RevokedPtr rev(X509_REVOKED_new());
    BIGNUM* raw = nullptr;
    if (!rev || BN_hex2bn(&raw, e.serial.c_str()) == 0) return openssl_error("CRL entry");
    BignumPtr bn(raw);
    Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    auto when = to_asn1_time(e.revoked_at);
    if (!when) return when.error();
    if (!serial || X509_REVOKED_set_serialNumber(rev.get(), serial.get()) != 1 ||
        X509_REVOKED_set_revocationDate(rev.get(), when->get()) != 1)
      return openssl_error("CRL entry " + e.serial);
    // RFC 5280 5.3.1: the reasonCode extension should be absent rather than "unspecified".
    if (e.reason != base::RevocationReason::unspecified) {
      Asn1EnumeratedPtr code(ASN1_ENUMERATED_new());
      if (!code || ASN1_ENUMERATED_set(code.get(), static_cast<long>(e.reason)) != 1 ||
          X509_REVOKED_add1_ext_i2d(rev.get(), NID_crl_reason, code.get(), 0, 0) != 1)
        return openssl_error("CRL reason for " + e.serial);
    }
    if (X509_CRL_add0_revoked(crl.get(), rev.get()) != 1) return openssl_error("add CRL entry");
    rev.release();  // owned by the CRL now
  }
  if (X509_CRL_sort(crl.get()) != 1) return openssl_error("X509_CRL_sort");
  Asn1IntegerPtr crl_number(ASN1_INTEGER_new());
  if (!crl_number || ASN1_INTEGER_set(crl_number.get(), number) != 1 ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, crl_number.get(), 0, 0) != 1)
    return openssl_error("set crlNumber");
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, impl_->cert.get(), nullptr, nullptr, crl.get(), 0);
  X509ExtensionPtr aki(
      X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always"));
  if (!aki || X509_CRL_add_ext(crl.get(), aki.get(), -1) != 1)
    return openssl_error("set CRL authorityKeyIdentifier");
  if (X509_CRL_sign(crl.get(), impl_->key.get(), signing_digest(impl_->key.get())) == 0)
    return openssl_error("X509_CRL_sign");
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio_X509_CRL(out.get(), crl.get()) != 1)
    return openssl_error("PEM_write_X509_CRL");
  return bio_contents(out.get());
}

}  // namespace certgate::pki
