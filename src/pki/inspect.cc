#include "pki/inspect.h"

#include <openssl/pem.h>

#include <algorithm>

#include "pki/ossl.h"
#include "pki/random.h"

namespace certgate::pki {

namespace {

std::optional<base::KeyType> key_type_of(EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_ED25519:
      return base::KeyType::ed25519;
    case EVP_PKEY_EC:
      if (EVP_PKEY_get_bits(key) == 256) return base::KeyType::ec_p256;
      if (EVP_PKEY_get_bits(key) == 384) return base::KeyType::ec_p384;
      return std::nullopt;
    case EVP_PKEY_RSA:
      switch (EVP_PKEY_get_bits(key)) {
        case 2048:
          return base::KeyType::rsa_2048;
        case 3072:
          return base::KeyType::rsa_3072;
        case 4096:
          return base::KeyType::rsa_4096;
      }
      return std::nullopt;
  }
  return std::nullopt;
}

// The key type and SubjectPublicKeyInfo hash straight from the ASN.1, without decoding the
// key into an EVP_PKEY: that goes through OpenSSL 3's provider decoders and costs far more than
// the rest of reading a certificate (it made `plan` on 10,000 certificates take seconds).
std::optional<base::KeyType> key_type_of(X509_PUBKEY* pub) {
  ASN1_OBJECT* alg = nullptr;
  X509_ALGOR* algor = nullptr;
  if (X509_PUBKEY_get0_param(&alg, nullptr, nullptr, &algor, pub) != 1) return std::nullopt;
  switch (OBJ_obj2nid(alg)) {
    case NID_ED25519:
      return base::KeyType::ed25519;
    case NID_X9_62_id_ecPublicKey: {
      int ptype = 0;
      const void* pval = nullptr;
      X509_ALGOR_get0(nullptr, &ptype, &pval, algor);
      if (ptype != V_ASN1_OBJECT) return std::nullopt;
      const int curve = OBJ_obj2nid(static_cast<const ASN1_OBJECT*>(pval));
      if (curve == NID_X9_62_prime256v1) return base::KeyType::ec_p256;
      if (curve == NID_secp384r1) return base::KeyType::ec_p384;
      return std::nullopt;
    }
    case NID_rsaEncryption: {
      // The modulus size needs the decoded key; RSA devices are few.
      EvpPkeyPtr key(X509_PUBKEY_get(pub));
      return key ? key_type_of(key.get()) : std::nullopt;
    }
  }
  return std::nullopt;
}

std::string first_email(X509* cert) {
  GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return "";
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
    if (gn->type == GEN_EMAIL) {
      const ASN1_IA5STRING* s = gn->d.rfc822Name;
      return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                         static_cast<size_t>(ASN1_STRING_length(s)));
    }
  }
  return "";
}

}  // namespace

Result<CertInfo> inspect_certificate(std::string_view pem) {
  auto cert = parse_certificate(pem, "certificate");
  if (!cert) return cert.error();
  X509* c = cert->get();
  CertInfo info;
  auto serial = serial_hex(X509_get0_serialNumber(c));
  if (!serial) return serial.error();
  info.serial = std::move(*serial);
  info.common_name = common_name(X509_get_subject_name(c));
  info.serial_number = name_entry(X509_get_subject_name(c), NID_serialNumber);
  info.issuer_common_name = common_name(X509_get_issuer_name(c));
  info.email = first_email(c);
  auto nb = to_instant(X509_get0_notBefore(c));
  auto na = to_instant(X509_get0_notAfter(c));
  if (!nb || !na) return make_error(Errc::invalid, "certificate has unreadable validity");
  info.not_before = *nb;
  info.not_after = *na;
  if (X509_PUBKEY* pub = X509_get_X509_PUBKEY(c)) {  // borrowed from c
    info.key = key_type_of(pub);
    info.public_key_sha256 = spki_sha256(pub);
  }
  info.is_ca = X509_check_ca(c) != 0;
  ERR_clear_error();
  return info;
}

Result<std::string> subject_rfc2253(std::string_view cert_pem) {
  auto cert = parse_certificate(cert_pem, "certificate");
  if (!cert) return cert.error();
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert->get()), 0, XN_FLAG_RFC2253) < 0)
    return openssl_error("X509_NAME_print_ex");
  return bio_contents(bio.get());
}

bool is_signed_by(std::string_view cert_pem, std::string_view ca_cert_pem) {
  auto cert = parse_certificate(cert_pem, "certificate");
  auto ca = parse_certificate(ca_cert_pem, "ca.crt");
  bool ok = cert && ca && X509_verify(cert->get(), X509_get0_pubkey(ca->get())) == 1;
  ERR_clear_error();
  return ok;
}

bool key_matches(std::string_view key_pem, std::string_view cert_pem) {
  auto key = parse_private_key(key_pem, "key");
  auto cert = parse_certificate(cert_pem, "certificate");
  bool ok = key && cert && X509_check_private_key(cert->get(), key->get()) == 1;
  ERR_clear_error();
  return ok;
}

Result<CsrInfo> load_csr(std::string_view pem) {
  BioPtr bio = memory_bio(pem);
  X509ReqPtr req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  // Clean messages without OpenSSL's queue: they end up in `validate` output, which must be the
  // same on every OpenSSL version.
  if (!req) {
    ERR_clear_error();
    return make_error(Errc::invalid, "not a PEM certificate signing request");
  }
  EVP_PKEY* key = X509_REQ_get0_pubkey(req.get());  // borrowed from req
  if (key == nullptr || X509_REQ_verify(req.get(), key) != 1) {
    ERR_clear_error();
    return make_error(Errc::invalid, "the request's signature does not verify");
  }
  CsrInfo info;
  info.common_name = common_name(X509_REQ_get_subject_name(req.get()));
  if (X509_PUBKEY* pub = X509_REQ_get_X509_PUBKEY(req.get())) {  // borrowed from req
    info.key = key_type_of(pub);
    info.public_key_sha256 = spki_sha256(pub);
  }
  ERR_clear_error();
  return info;
}

Result<CrlInfo> inspect_crl(std::string_view crl_pem, std::string_view ca_cert_pem) {
  BioPtr bio = memory_bio(crl_pem);
  X509CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  if (!crl) {
    Error e = openssl_error("read CRL");
    e.code = Errc::invalid;
    return e;
  }
  CrlInfo info;
  auto last = to_instant(X509_CRL_get0_lastUpdate(crl.get()));
  const ASN1_TIME* next_time = X509_CRL_get0_nextUpdate(crl.get());
  if (!last || next_time == nullptr) return make_error(Errc::invalid, "CRL has no nextUpdate");
  auto next = to_instant(next_time);
  if (!next) return next.error();
  info.this_update = *last;
  info.next_update = *next;
  Asn1IntegerPtr number(static_cast<ASN1_INTEGER*>(
      X509_CRL_get_ext_d2i(crl.get(), NID_crl_number, nullptr, nullptr)));
  if (number) info.number = ASN1_INTEGER_get(number.get());
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());  // borrowed
  for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
    auto hex = serial_hex(X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(revoked, i)));
    if (!hex) return hex.error();
    info.serials.push_back(std::move(*hex));
  }
  std::sort(info.serials.begin(), info.serials.end());
  auto ca = parse_certificate(ca_cert_pem, "ca.crt");
  info.is_signed_by_ca = ca && X509_CRL_verify(crl.get(), X509_get0_pubkey(ca->get())) == 1;
  ERR_clear_error();
  return info;
}

std::vector<std::string_view> pem_blocks(std::string_view text, std::string_view label) {
  const std::string begin = "-----BEGIN " + std::string(label) + "-----";
  const std::string end = "-----END " + std::string(label) + "-----";
  std::vector<std::string_view> out;
  std::size_t at = 0;
  while ((at = text.find(begin, at)) != std::string_view::npos) {
    std::size_t stop = text.find(end, at);
    if (stop == std::string_view::npos) break;
    stop += end.size();
    out.push_back(text.substr(at, stop - at));
    at = stop;
  }
  return out;
}

Result<std::vector<ChainCrl>> inspect_crls(std::string_view crl_pem, std::string_view ca_pem) {
  const std::vector<std::string_view> cas = pem_blocks(ca_pem, "CERTIFICATE");
  std::vector<ChainCrl> out;
  for (std::string_view block : pem_blocks(crl_pem, "X509 CRL")) {
    ChainCrl c;
    for (std::size_t i = 0; i < cas.size(); ++i) {
      auto info = inspect_crl(block, cas[i]);
      if (!info) return info.error();
      c.info = std::move(*info);
      if (c.info.is_signed_by_ca) {
        c.signer = static_cast<int>(i);
        break;
      }
    }
    if (cas.empty()) {
      auto info = inspect_crl(block, "");
      if (!info) return info.error();
      c.info = *info;
    }
    out.push_back(std::move(c));
  }
  if (out.empty()) return make_error(Errc::invalid, "read CRL: no CRL in it");
  return out;
}

}  // namespace certgate::pki
