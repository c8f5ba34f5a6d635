#include "pki/ossl.h"

#include <openssl/pem.h>

#include <ctime>

#include "pki/random.h"

namespace certgate::pki {

Error openssl_error(std::string_view what) {
  std::string message(what);
  bool first = true;
  while (unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    message += first ? ": " : "; ";
    message += buf;
    first = false;
  }
  if (first) message += ": failed";
  return make_error(Errc::crypto, std::move(message));
}

BioPtr memory_bio(std::string_view bytes) {
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

Result<base::Instant> to_instant(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return openssl_error("ASN1_TIME_to_tm");
  return base::Instant{std::chrono::seconds{timegm(&tm)}};
}

Result<Asn1TimePtr> to_asn1_time(base::Instant t) {
  // ASN1_TIME_set picks UTCTime before 2050 and GeneralizedTime after (RFC 5280 4.1.2.5).
  Asn1TimePtr asn1(ASN1_TIME_set(nullptr, static_cast<time_t>(t.time_since_epoch().count())));
  if (!asn1) return openssl_error("ASN1_TIME_set");
  return asn1;
}

Result<X509Ptr> parse_certificate(std::string_view pem, std::string_view what) {
  BioPtr bio = memory_bio(pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    Error e = openssl_error(std::string("read certificate ") + std::string(what));
    e.code = Errc::invalid;
    return e;
  }
  return cert;
}

Result<std::vector<X509Ptr>> parse_certificates(std::string_view pem, std::string_view what) {
  std::vector<X509Ptr> out;
  std::size_t at = 0;
  constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
  while ((at = pem.find(kBegin, at)) != std::string_view::npos) {
    auto cert = parse_certificate(pem.substr(at), what);
    if (!cert) return cert.error();
    out.push_back(std::move(*cert));
    at += kBegin.size();
  }
  if (out.empty())
    return make_error(Errc::invalid,
                      "read certificate " + std::string(what) + ": no certificate in it");
  return out;
}

Result<EvpPkeyPtr> parse_private_key(std::string_view pem, std::string_view what) {
  BioPtr bio = memory_bio(pem);
  // An empty passphrase callback result: certgate's keys are never encrypted, and a key that is
  // must fail here rather than prompt on a terminal.
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(
      bio.get(), nullptr, [](char*, int, int, void*) { return 0; }, nullptr));
  if (!key) {
    Error e = openssl_error(std::string("read private key ") + std::string(what));
    e.code = Errc::invalid;
    return e;
  }
  return key;
}

Result<std::string> certificate_pem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return openssl_error("PEM_write_X509");
  return bio_contents(bio.get());
}

Result<std::string> private_key_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return openssl_error("PEM_write_PrivateKey");
  return bio_contents(bio.get());
}

const EVP_MD* signing_digest(EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_ED25519:
      return nullptr;
    case EVP_PKEY_EC:
      return EVP_PKEY_get_bits(key) > 256 ? EVP_sha384() : EVP_sha256();
    default:
      return EVP_sha256();
  }
}

Result<std::string> serial_hex(const ASN1_INTEGER* serial) {
  BignumPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn) return openssl_error("ASN1_INTEGER_to_BN");
  char* hex = BN_bn2hex(bn.get());
  if (hex == nullptr) return openssl_error("BN_bn2hex");
  std::string out(hex);
  OPENSSL_free(hex);
  if (out == "0") out = "00";
  if (out.size() % 2 == 1) out.insert(out.begin(), '0');  // index.txt wants whole bytes
  return out;
}

std::string spki_sha256(X509_PUBKEY* pub) {
  unsigned char* der = nullptr;
  int n = i2d_X509_PUBKEY(pub, &der);
  if (n <= 0) {
    ERR_clear_error();
    return "";
  }
  std::string out = sha256_hex(std::string_view(reinterpret_cast<char*>(der), n));
  OPENSSL_free(der);
  return out;
}

std::string common_name(const X509_NAME* name) { return name_entry(name, NID_commonName); }

std::string name_entry(const X509_NAME* name, int nid) {
  int i = X509_NAME_get_index_by_NID(name, nid, -1);
  if (i < 0) return "";
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
  unsigned char* utf8 = nullptr;
  int n = ASN1_STRING_to_UTF8(&utf8, data);
  if (n < 0) return "";
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

namespace {
constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}  // namespace

// Strict base64: EVP_DecodeBlock alone takes '=' anywhere and counts padding as data.
std::optional<std::string> base64_decode(std::string_view text) {
  const size_t pad = text.ends_with("==") ? 2 : text.ends_with('=') ? 1 : 0;
  if (text.empty() || text.size() % 4 != 0 ||
      text.substr(0, text.size() - pad).find_first_not_of(kBase64) != std::string_view::npos)
    return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

}  // namespace certgate::pki
