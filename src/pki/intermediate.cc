#include "pki/intermediate.h"

#include <openssl/pem.h>

#include <algorithm>

#include "pki/ossl.h"
#include "pki/x509_build.h"

namespace certgate::pki {

namespace {

Result<X509ReqPtr> parse_csr(std::string_view pem) {
  BioPtr bio = memory_bio(pem);
  X509ReqPtr req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (!req) {
    ERR_clear_error();
    return make_error(Errc::invalid, "the intermediate's CSR does not parse");
  }
  EVP_PKEY* key = X509_REQ_get0_pubkey(req.get());
  if (key == nullptr || X509_REQ_verify(req.get(), key) != 1) {
    ERR_clear_error();
    return make_error(Errc::invalid, "the intermediate's CSR signature does not verify");
  }
  return req;
}

}  // namespace

Result<IntermediateRequest> create_intermediate_csr(const CaSubject& subject, base::KeyType key) {
  auto key_pem = generate_key(key);
  if (!key_pem) return key_pem.error();
  auto pkey = parse_private_key(key_pem->reveal(), "intermediate key");
  if (!pkey) return pkey.error();
  X509ReqPtr req(X509_REQ_new());
  if (!req || X509_REQ_set_version(req.get(), 0) != 1)
    return openssl_error("create the intermediate's CSR");
  auto name = ca_name(subject);
  if (!name) return name.error();
  if (X509_REQ_set_subject_name(req.get(), name->get()) != 1 ||
      X509_REQ_set_pubkey(req.get(), pkey->get()) != 1 ||
      X509_REQ_sign(req.get(), pkey->get(), signing_digest(pkey->get())) == 0)
    return openssl_error("sign the intermediate's CSR");
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_REQ(bio.get(), req.get()) != 1)
    return openssl_error("PEM_write_X509_REQ");
  return IntermediateRequest{std::move(*key_pem), bio_contents(bio.get())};
}

Result<std::string> sign_intermediate(std::string_view root_key_pem, std::string_view root_cert_pem,
                                      std::string_view csr_pem, const std::string& serial,
                                      base::Instant not_before, base::Instant not_after) {
  auto root_key = parse_private_key(root_key_pem, "root key");
  if (!root_key) return root_key.error();
  auto root = parse_certificate(root_cert_pem, "root certificate");
  if (!root) return root.error();
  if (X509_check_private_key(root->get(), root_key->get()) != 1) {
    ERR_clear_error();
    return make_error(Errc::invalid, "the root key does not belong to the root certificate");
  }
  auto req = parse_csr(csr_pem);
  if (!req) return req.error();
  auto root_end = to_instant(X509_get0_notAfter(root->get()));
  if (!root_end) return root_end.error();
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1)
    return openssl_error("create the intermediate's certificate");
  if (auto r = set_serial(cert.get(), serial); !r) return r.error();
  if (X509_set_subject_name(cert.get(), X509_REQ_get_subject_name(req->get())) != 1 ||
      X509_set_issuer_name(cert.get(), X509_get_subject_name(root->get())) != 1 ||
      X509_set_pubkey(cert.get(), X509_REQ_get0_pubkey(req->get())) != 1)
    return openssl_error("set the intermediate's subject and key");
  if (auto r = set_validity(cert.get(), not_before, std::min(not_after, *root_end)); !r)
    return r.error();
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, root->get(), cert.get(), nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                            std::pair{NID_key_usage, "critical,keyCertSign,cRLSign"},
                            std::pair{NID_subject_key_identifier, "hash"},
                            std::pair{NID_authority_key_identifier, "keyid:always"}}) {
    if (auto r = add_conf_ext(cert.get(), &ctx, nid, value); !r) return r.error();
  }
  if (X509_sign(cert.get(), root_key->get(), signing_digest(root_key->get())) == 0)
    return openssl_error("sign the intermediate's certificate");
  return certificate_pem(cert.get());
}

}  // namespace certgate::pki
