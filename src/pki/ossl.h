// OpenSSL RAII handles and error reporting, for the .cc files of pki/ only.
//
// Every OpenSSL object certgate creates is wrapped on the line that creates it, in a unique_ptr
// whose deleter is the matching *_free function (../shared/STYLE.md section 4). No header outside
// pki/ includes this one: the rest of certgate sees PEM/DER bytes and plain value structs.
#pragma once

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/free_with.h"
#include "base/pki_types.h"
#include "base/result.h"
#include "base/time.h"

namespace certgate::pki {

using base::FreeWith;

inline void free_x509_stack(STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); }
inline void free_general_names(GENERAL_NAMES* n) { GENERAL_NAMES_free(n); }

using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, FreeWith<EVP_PKEY_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, FreeWith<EVP_PKEY_CTX_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, FreeWith<EVP_MD_CTX_free>>;
using X509Ptr = std::unique_ptr<X509, FreeWith<X509_free>>;
using X509ReqPtr = std::unique_ptr<X509_REQ, FreeWith<X509_REQ_free>>;
using X509CrlPtr = std::unique_ptr<X509_CRL, FreeWith<X509_CRL_free>>;
using X509RevokedPtr = std::unique_ptr<X509_REVOKED, FreeWith<X509_REVOKED_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, FreeWith<X509_NAME_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, FreeWith<X509_EXTENSION_free>>;
using X509StackPtr = std::unique_ptr<STACK_OF(X509), FreeWith<free_x509_stack>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, FreeWith<free_general_names>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, FreeWith<GENERAL_NAME_free>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, FreeWith<ASN1_INTEGER_free>>;
using Asn1EnumeratedPtr = std::unique_ptr<ASN1_ENUMERATED, FreeWith<ASN1_ENUMERATED_free>>;
using Asn1TimePtr = std::unique_ptr<ASN1_TIME, FreeWith<ASN1_TIME_free>>;
using Asn1StringPtr = std::unique_ptr<ASN1_STRING, FreeWith<ASN1_STRING_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, FreeWith<BN_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, FreeWith<ECDSA_SIG_free>>;
using BioPtr = std::unique_ptr<BIO, FreeWith<BIO_free_all>>;
using Pkcs12Ptr = std::unique_ptr<PKCS12, FreeWith<PKCS12_free>>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, FreeWith<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, FreeWith<SSL_free>>;

// An Error (Errc::crypto) saying what failed, followed by every entry of OpenSSL's error queue,
// which it leaves empty: "X509_sign: error:...:EC lib".
Error openssl_error(std::string_view what);

// A read-only memory BIO over `bytes`, which must outlive it.
BioPtr memory_bio(std::string_view bytes);
// Everything written so far to memory BIO `bio`.
std::string bio_contents(BIO* bio);

// ASN1_TIME <-> Instant. A time OpenSSL cannot represent becomes Errc::crypto.
Result<base::Instant> to_instant(const ASN1_TIME* t);
Result<Asn1TimePtr> to_asn1_time(base::Instant t);

// Parses one PEM certificate / private key. Errc::invalid names `what` ("ca.crt").
Result<X509Ptr> parse_certificate(std::string_view pem, std::string_view what);
Result<EvpPkeyPtr> parse_private_key(std::string_view pem, std::string_view what);

// PEM encodings.
Result<std::string> certificate_pem(X509* cert);
Result<std::string> private_key_pem(EVP_PKEY* key);

// The digest to sign with for `key`: SHA-384 for P-384, none for Ed25519, else SHA-256.
const EVP_MD* signing_digest(EVP_PKEY* key);

// Uppercase hex of an ASN.1 INTEGER serial, as index.txt and nginx's $ssl_client_serial spell it.
Result<std::string> serial_hex(const ASN1_INTEGER* serial);

// A PKCS#12 bundle of `key`, `cert` and the CA certificates `chain` (the issuing CA first, then
// the root of a two-tier CA; pkcs12.h has the profiles); used by make_bundle and by CaSigner,
// which holds the objects already and skips a PEM round trip.
Result<std::string> bundle_from(EVP_PKEY* key, X509* cert, const std::vector<X509Ptr>& chain,
                                const std::string& name, const std::string& password,
                                base::P12Profile profile);

// Every certificate of a PEM file, in order (ca.crt then root.crt in a two-tier bundle).
// Errc::invalid naming `what` when there is none or one does not parse.
Result<std::vector<X509Ptr>> parse_certificates(std::string_view pem, std::string_view what);

// Lowercase hex SHA-256 of the DER SubjectPublicKeyInfo, "" when it cannot be encoded.
std::string spki_sha256(X509_PUBKEY* pub);

// Strict base64 (RFC 4648, padded): nullopt on any other character, or padding in the middle.
std::optional<std::string> base64_decode(std::string_view text);

// The first commonName of `name`, or "".
std::string common_name(const X509_NAME* name);
// The first entry `nid` of `name` as UTF-8, or "".
std::string name_entry(const X509_NAME* name, int nid);

}  // namespace certgate::pki
