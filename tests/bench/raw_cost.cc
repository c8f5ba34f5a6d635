// certgate_bench_raw: the floor under `certgate apply`. Measures, single-threaded and entirely in
// memory, what OpenSSL itself spends per device on the work certgate must do for a new device
// with the default settings (DESIGN.md section 3: key = "ec-p256", p12_profile = "compat"):
//
//   keygen  an EC P-256 private key
//   sign    an X.509 v3 client certificate (random serial, clientAuth, SKI/AKI) signed with
//           SHA-256 by an EC P-256 CA key
//   pkcs12  a 24-character password, then PKCS#12 with key and certificates encrypted by
//           pbeWithSHA1And3-KeyTripleDES-CBC (2048 iterations), the CA certificate included,
//           a friendly name, a SHA-1 MAC (2048 iterations), DER-encoded to memory
//
// On OpenSSL 3.0 most of "sign" is X509_set_pubkey (it encodes the key through a provider
// encoder, ~0.17 ms), not ECDSA (~0.02 ms); most of "pkcs12" is the 3 x 2048 PKCS#12-KDF rounds.
//
// Usage: certgate_bench_raw [N]   (N devices, default 1000)
// The last line of output is machine-readable: raw_ms_per_device=X.XXX
// It writes no file and opens no socket.
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace {

// RAII for the OpenSSL objects used here.
template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using AsnIntPtr = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER_free>>;
using Pkcs12Ptr = std::unique_ptr<PKCS12, Deleter<PKCS12_free>>;
void free_ossl_buf(unsigned char* p) { OPENSSL_free(p); }
using OsslBuf = std::unique_ptr<unsigned char, Deleter<free_ossl_buf>>;

void free_x509_stack(STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); }
using X509StackPtr = std::unique_ptr<STACK_OF(X509), Deleter<free_x509_stack>>;

// Throws with the OpenSSL error queue appended.
[[noreturn]] void fail(std::string_view what) {
  std::string msg(what);
  while (unsigned long e = ERR_get_error()) {
    std::array<char, 256> buf{};
    ERR_error_string_n(e, buf.data(), buf.size());
    msg += "\n  ";
    msg += buf.data();
  }
  throw std::runtime_error(msg);
}

void check(bool ok, std::string_view what) {
  if (!ok) fail(what);
}

template <typename T>
T* check_ptr(T* p, std::string_view what) {
  if (p == nullptr) fail(what);
  return p;
}

PkeyPtr ec_p256_key() {
  // EVP_PKEY_Q_keygen is a macro; for "EC" its variadic argument is the curve name.
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  check(key != nullptr, "EVP_PKEY_Q_keygen(EC, P-256)");
  return key;
}

// A positive random 127-bit serial, as a private CA should assign (RFC 5280 allows up to 20 bytes).
AsnIntPtr random_serial() {
  std::array<unsigned char, 16> bytes{};
  check(RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) == 1, "RAND_bytes(serial)");
  bytes[0] &= 0x7f;
  bytes[0] |= 0x40;  // never a short serial
  BnPtr bn(
      check_ptr(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr), "BN_bin2bn"));
  return AsnIntPtr(check_ptr(BN_to_ASN1_INTEGER(bn.get(), nullptr), "BN_to_ASN1_INTEGER"));
}

X509NamePtr cn_name(const std::string& cn) {
  X509NamePtr name(check_ptr(X509_NAME_new(), "X509_NAME_new"));
  check(X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                   0) == 1,
        "X509_NAME_add_entry_by_txt(CN)");
  return name;
}

void add_ext(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  check(ext != nullptr, std::string("X509V3_EXT_conf_nid: ") + OBJ_nid2sn(nid) + "=" + value);
  check(X509_add_ext(cert, ext.get(), -1) == 1, "X509_add_ext");
}

// Fields common to the CA and device certificates. `issuer` null: self-signed.
X509Ptr new_cert(const std::string& cn, EVP_PKEY* subject_key, X509* issuer, long valid_seconds) {
  X509Ptr cert(check_ptr(X509_new(), "X509_new"));
  check(X509_set_version(cert.get(), X509_VERSION_3) == 1, "X509_set_version");
  AsnIntPtr serial = random_serial();
  check(X509_set_serialNumber(cert.get(), serial.get()) == 1, "X509_set_serialNumber");
  X509NamePtr subject = cn_name(cn);
  check(X509_set_subject_name(cert.get(), subject.get()) == 1, "X509_set_subject_name");
  check(
      X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : subject.get()) == 1,
      "X509_set_issuer_name");
  check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0) != nullptr, "notBefore");
  check(X509_gmtime_adj(X509_getm_notAfter(cert.get()), valid_seconds) != nullptr, "notAfter");
  check(X509_set_pubkey(cert.get(), subject_key) == 1, "X509_set_pubkey");
  return cert;
}

constexpr long kDay = 24L * 60 * 60;

X509Ptr make_ca_cert(EVP_PKEY* ca_key) {
  X509Ptr cert = new_cert("Bench CA", ca_key, nullptr, 3650 * kDay);
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  add_ext(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE");
  add_ext(cert.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
  add_ext(cert.get(), &ctx, NID_subject_key_identifier, "hash");
  check(X509_sign(cert.get(), ca_key, EVP_sha256()) > 0, "X509_sign(CA)");
  return cert;
}

X509Ptr sign_device_cert(const std::string& name, EVP_PKEY* device_key, X509* ca_cert,
                         EVP_PKEY* ca_key) {
  X509Ptr cert = new_cert(name, device_key, ca_cert, 365 * kDay);
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, ca_cert, cert.get(), nullptr, nullptr, 0);
  add_ext(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE");
  add_ext(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature");
  add_ext(cert.get(), &ctx, NID_ext_key_usage, "clientAuth");
  add_ext(cert.get(), &ctx, NID_subject_key_identifier, "hash");
  add_ext(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always");
  check(X509_sign(cert.get(), ca_key, EVP_sha256()) > 0, "X509_sign(device)");
  return cert;
}

// 24 characters from a 64-symbol alphabet (144 bits), without modulo bias.
std::string make_password() {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  static_assert(kAlphabet.size() == 64);
  std::array<unsigned char, 24> bytes{};
  check(RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) == 1, "RAND_bytes(password)");
  std::string pass(bytes.size(), '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) pass[i] = kAlphabet[bytes[i] & 0x3f];
  return pass;
}

struct Bundle {
  std::string password;
  OsslBuf der;
  int der_len = 0;
};

Bundle make_pkcs12(const std::string& name, EVP_PKEY* key, X509* cert, X509* ca_cert) {
  Bundle b;
  b.password = make_password();
  X509StackPtr chain(check_ptr(sk_X509_new_null(), "sk_X509_new_null"));
  check(X509_up_ref(ca_cert) == 1, "X509_up_ref");
  if (sk_X509_push(chain.get(), ca_cert) <= 0) {
    X509_free(ca_cert);
    fail("sk_X509_push");
  }
  constexpr int kNid = NID_pbe_WithSHA1And3_Key_TripleDES_CBC;
  constexpr int kIter = 2048;
  // mac_iter -1: no MAC yet; PKCS12_set_mac below adds the SHA-1 one explicitly.
  Pkcs12Ptr p12(PKCS12_create(b.password.c_str(), name.c_str(), key, cert, chain.get(), kNid, kNid,
                              kIter, -1, 0));
  check(p12 != nullptr, "PKCS12_create");
  check(PKCS12_set_mac(p12.get(), b.password.c_str(), -1, nullptr, 0, kIter, EVP_sha1()) == 1,
        "PKCS12_set_mac");
  unsigned char* der = nullptr;
  b.der_len = i2d_PKCS12(p12.get(), &der);
  check(b.der_len > 0 && der != nullptr, "i2d_PKCS12");
  b.der.reset(der);
  return b;
}

// Outside the timed loop: prove that what was measured is a usable bundle.
void verify_sample(const Bundle& b, const std::string& name, EVP_PKEY* ca_key) {
  const unsigned char* p = b.der.get();
  Pkcs12Ptr p12(check_ptr(d2i_PKCS12(nullptr, &p, b.der_len), "d2i_PKCS12"));
  check(PKCS12_verify_mac(p12.get(), b.password.c_str(), -1) == 1, "PKCS12_verify_mac");
  EVP_PKEY* raw_key = nullptr;
  X509* raw_cert = nullptr;
  STACK_OF(X509)* raw_ca = nullptr;
  check(PKCS12_parse(p12.get(), b.password.c_str(), &raw_key, &raw_cert, &raw_ca) == 1,
        "PKCS12_parse");
  PkeyPtr key(raw_key);
  X509Ptr cert(raw_cert);
  X509StackPtr ca(raw_ca);
  check(key && cert && ca && sk_X509_num(ca.get()) == 1, "PKCS12_parse: key, cert and CA");
  check(X509_verify(cert.get(), ca_key) == 1, "X509_verify(device cert, CA key)");
  check(X509_check_private_key(cert.get(), key.get()) == 1, "X509_check_private_key");
  std::array<char, 128> cn{};
  check(X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn.data(),
                                  static_cast<int>(cn.size())) > 0,
        "subject CN");
  check(name == cn.data(), "subject CN matches the device name");
}

long parse_count(const char* arg) {
  std::string_view s(arg);
  long n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size() || n < 1 || n > 10'000'000) {
    throw std::invalid_argument("N must be an integer from 1 to 10000000, got '" + std::string(s) +
                                "'");
  }
  return n;
}

std::string device_name(long i) {
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "dev-%04ld", i);
  return buf.data();
}

using Clock = std::chrono::steady_clock;

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

int run(long n) {
  PkeyPtr ca_key = ec_p256_key();
  X509Ptr ca_cert = make_ca_cert(ca_key.get());

  Clock::duration t_keygen{}, t_sign{}, t_p12{};
  long long total_bytes = 0;
  const auto start = Clock::now();
  for (long i = 1; i <= n; ++i) {
    const std::string name = device_name(i);
    const auto t0 = Clock::now();
    PkeyPtr key = ec_p256_key();
    const auto t1 = Clock::now();
    X509Ptr cert = sign_device_cert(name, key.get(), ca_cert.get(), ca_key.get());
    const auto t2 = Clock::now();
    Bundle bundle = make_pkcs12(name, key.get(), cert.get(), ca_cert.get());
    const auto t3 = Clock::now();
    t_keygen += t1 - t0;
    t_sign += t2 - t1;
    t_p12 += t3 - t2;
    total_bytes += bundle.der_len;
    if (i == 1) verify_sample(bundle, name, ca_key.get());  // untimed: outside t0..t3
  }
  const auto wall = Clock::now() - start;

  const double dn = static_cast<double>(n);
  const double total = ms(t_keygen + t_sign + t_p12) / dn;
  std::printf("certgate_bench_raw: %ld devices, single thread, %s\n", n,
              OpenSSL_version(OPENSSL_VERSION));
  std::printf(
      "  EC P-256 key, X.509 v3 signed SHA-256 by an EC P-256 CA, PKCS#12 3DES + SHA-1 MAC\n");
  std::printf("  (2048 iterations each), CA cert included, 24-char password; in memory only\n");
  std::printf("  %-26s %9.3f ms/device\n", "key generation", ms(t_keygen) / dn);
  std::printf("  %-26s %9.3f ms/device\n", "certificate signing", ms(t_sign) / dn);
  std::printf("  %-26s %9.3f ms/device\n", "PKCS#12 creation", ms(t_p12) / dn);
  std::printf("  %-26s %9.3f ms/device\n", "total", total);
  std::printf("  (loop wall time %.1f ms incl. the one-off check of device 1; %.0f bytes/bundle)\n",
              ms(wall), static_cast<double>(total_bytes) / dn);
  std::printf("raw_ms_per_device=%.3f\n", total);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc > 2 ||
        (argc == 2 && (std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "--help") == 0))) {
      std::fprintf(stderr, "usage: %s [N]   (N devices, default 1000)\n", argv[0]);
      return argc > 2 ? 2 : 0;
    }
    const long n = argc == 2 ? parse_count(argv[1]) : 1000;
    return run(n);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "certgate_bench_raw: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "certgate_bench_raw: %s\n", e.what());
    return 1;
  }
}
