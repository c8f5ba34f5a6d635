#include "pki/ca_database.h"

#include <algorithm>
#include <cstdio>

#include "sys/secret_file.h"

namespace certgate::pki {

namespace {

constexpr std::uint32_t kDirMode = 0700;
constexpr std::uint32_t kPublicMode = 0644;
constexpr std::uint32_t kSecretMode = 0600;

// A file's bytes, or "" when it does not exist.
Result<std::string> read_optional(sys::Filesystem& fs, const std::string& path) {
  auto r = fs.read(path);
  if (!r && r.error().code == Errc::not_found) return std::string();
  return r;
}

// crlnumber as openssl keeps it: uppercase hex with an even number of digits (a2i_ASN1_INTEGER
// refuses an odd count, so "100" would break `openssl ca -gencrl` at 256).
std::string hex_number(long n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lX", n);
  std::string hex = buf;
  if (hex.size() % 2 == 1) hex.insert(hex.begin(), '0');
  return hex + "\n";
}

Result<long> parse_crlnumber(const std::string& text) {
  std::string digits;
  for (char c : text) {
    if (c == '\n' || c == '\r') break;
    digits += c;
  }
  if (digits.empty()) return 1L;
  if (digits.size() > 15 || digits.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
    return make_error(Errc::invalid, "crlnumber: \"" + digits + "\" is not a hexadecimal number");
  return std::stol(digits, nullptr, 16);
}

}  // namespace

CaDatabase::CaDatabase(sys::Filesystem& fs, std::string state_dir, std::string dir)
    : fs_(fs), state_dir_(std::move(state_dir)), dir_(std::move(dir)) {}

std::string CaDatabase::ca_dir() const { return sys::join_path(state_dir_, dir_); }
std::string CaDatabase::key_path() const { return sys::join_path(ca_dir(), "ca.key"); }
std::string CaDatabase::cert_path() const { return sys::join_path(ca_dir(), "ca.crt"); }
std::string CaDatabase::crl_path() const { return sys::join_path(ca_dir(), "crl.pem"); }
std::string CaDatabase::index_path() const { return sys::join_path(ca_dir(), "index.txt"); }
std::string CaDatabase::intermediate_csr_path() const {
  return sys::join_path(ca_dir(), "intermediate.csr");
}
std::string CaDatabase::root_cert_path() const { return sys::join_path(ca_dir(), "root.crt"); }
std::string CaDatabase::root_crl_path() const { return sys::join_path(ca_dir(), "root.crl"); }
std::string CaDatabase::newcert_path(const std::string& serial) const {
  return sys::join_path(sys::join_path(ca_dir(), "newcerts"), serial + ".pem");
}

Result<CaFiles> CaDatabase::read() const {
  CaFiles f;
  auto cert = read_optional(fs_, cert_path());
  if (!cert) return cert.error();
  if (!cert->empty()) f.ca_cert_pem = std::move(*cert);
  if (auto key = fs_.stat(key_path())) {
    f.has_ca_key = true;
    f.ca_key_mode = key->mode;
  } else if (key.error().code != Errc::not_found) {
    return key.error();
  }
  auto index = read_optional(fs_, index_path());
  if (!index) return index.error();
  auto entries = parse_index(*index);
  if (!entries) return entries.error();
  f.index = std::move(*entries);
  f.index_text = std::move(*index);
  auto serial = read_optional(fs_, sys::join_path(ca_dir(), "serial"));
  if (!serial) return serial.error();
  f.serial_text = std::move(*serial);
  auto crlnumber = read_optional(fs_, sys::join_path(ca_dir(), "crlnumber"));
  if (!crlnumber) return crlnumber.error();
  auto next = parse_crlnumber(*crlnumber);
  if (!next) return next.error();
  f.next_crl_number = *next;
  f.crlnumber_text = std::move(*crlnumber);
  auto crl = read_optional(fs_, crl_path());
  if (!crl) return crl.error();
  if (!crl->empty()) f.crl_pem = std::move(*crl);
  for (auto [path, into] : {std::pair{intermediate_csr_path(), &f.intermediate_csr_pem},
                            std::pair{root_cert_path(), &f.root_cert_pem},
                            std::pair{root_crl_path(), &f.root_crl_pem}}) {
    auto pem = read_optional(fs_, path);
    if (!pem) return pem.error();
    if (!pem->empty()) *into = std::move(*pem);
  }
  return f;
}

Result<std::vector<std::string>> CaDatabase::list_newcerts() const {
  auto names = fs_.list(sys::join_path(ca_dir(), "newcerts"));
  if (!names && names.error().code == Errc::not_found) return std::vector<std::string>{};
  return names;
}

Result<void> CaDatabase::check_key_mode() const { return sys::check_private(fs_, key_path()); }

Result<SecretString> CaDatabase::read_key() const {
  if (!fs_.stat(key_path())) return make_error(Errc::not_found, key_path() + " is missing");
  if (auto r = check_key_mode(); !r) return r.error();
  auto key = fs_.read(key_path());
  if (!key) return key.error();
  return SecretString(std::move(*key));
}

Result<void> CaDatabase::write_key_and_database(const SecretString& key_pem,
                                                const std::string& first_serial) {
  if (auto r = fs_.make_dirs(sys::join_path(ca_dir(), "newcerts"), kDirMode); !r) return r;
  if (auto r = fs_.write_atomic(key_path(), key_pem.reveal(), kSecretMode); !r) return r;
  if (auto r = fs_.write_atomic(index_path(), "", kPublicMode); !r) return r;
  if (auto r =
          fs_.write_atomic(sys::join_path(ca_dir(), "serial"), first_serial + "\n", kPublicMode);
      !r)
    return r;
  if (auto r = fs_.write_atomic(sys::join_path(ca_dir(), "crlnumber"), hex_number(1), kPublicMode);
      !r)
    return r;
  return write_config();
}

Result<void> CaDatabase::create(const SecretString& key_pem, const std::string& cert_pem,
                                const std::string& first_serial) {
  for (const std::string& p : {key_path(), cert_path()}) {
    if (fs_.stat(p)) return make_error(Errc::refused, "refusing to replace the existing CA: " + p);
  }
  // The key first: a crash after it leaves a key without a certificate, which create() refuses
  // to overwrite and an operator can inspect, rather than a certificate nobody can sign with.
  if (auto r = write_key_and_database(key_pem, first_serial); !r) return r;
  // The certificate last: its presence is what marks the CA as complete.
  return fs_.write_atomic(cert_path(), cert_pem, kPublicMode);
}

Result<void> CaDatabase::create_pending(const SecretString& key_pem, const std::string& csr_pem,
                                        const std::string& first_serial) {
  for (const std::string& p : {key_path(), cert_path(), intermediate_csr_path()}) {
    if (fs_.stat(p)) return make_error(Errc::refused, "refusing to replace the existing CA: " + p);
  }
  if (auto r = write_key_and_database(key_pem, first_serial); !r) return r;
  return fs_.write_atomic(intermediate_csr_path(), csr_pem, kPublicMode);
}

Result<void> CaDatabase::install_intermediate(const std::string& cert_pem,
                                              const std::string& root_cert_pem,
                                              const std::string& root_crl_pem) {
  if (auto r = fs_.write_atomic(root_cert_path(), root_cert_pem, kPublicMode); !r) return r;
  if (auto r = fs_.write_atomic(root_crl_path(), root_crl_pem, kPublicMode); !r) return r;
  return fs_.write_atomic(cert_path(), cert_pem, kPublicMode);
}

Result<void> CaDatabase::write_root_cert(const std::string& cert_pem) {
  return fs_.write_atomic(root_cert_path(), cert_pem, kPublicMode);
}

bool CaDatabase::has_root_cert() const { return static_cast<bool>(fs_.stat(root_cert_path())); }

Result<void> CaDatabase::write_root_crl(const std::string& crl_pem) {
  return fs_.write_atomic(root_crl_path(), crl_pem, kPublicMode);
}

namespace {

// `first`, then `second` when that file exists; Errc::not_found when `first` does not.
Result<std::string> read_then(sys::Filesystem& fs, const std::string& first,
                              const std::string& second) {
  auto a = fs.read(first);
  if (!a) return a.error();
  auto b = fs.read(second);
  if (!b) return b.error().code == Errc::not_found ? a : b.error();
  if (!a->empty() && a->back() != '\n') *a += '\n';
  return *a + *b;
}

}  // namespace

Result<std::string> CaDatabase::read_trust_pem() const {
  return read_then(fs_, cert_path(), root_cert_path());
}

Result<std::string> CaDatabase::read_crl_bundle() const {
  return read_then(fs_, crl_path(), root_crl_path());
}

Result<void> CaDatabase::write_index(const std::vector<IndexEntry>& entries) {
  return fs_.write_atomic(index_path(), format_index(entries), kPublicMode);
}

Result<void> CaDatabase::write_newcert_deferred(const std::string& serial, const std::string& pem) {
  return fs_.write_deferred(newcert_path(serial), pem, kPublicMode);
}

Result<void> CaDatabase::remove_newcert(const std::string& serial) {
  return fs_.remove(newcert_path(serial));
}

Result<void> CaDatabase::write_next_serial_deferred(const std::string& serial) {
  return fs_.write_deferred(sys::join_path(ca_dir(), "serial"), serial + "\n", kPublicMode);
}

Result<void> CaDatabase::write_crl(const std::string& crl_pem, long number) {
  if (auto r = fs_.write_atomic(sys::join_path(ca_dir(), "crlnumber"), hex_number(number + 1),
                                kPublicMode);
      !r)
    return r;
  return fs_.write_atomic(crl_path(), crl_pem, kPublicMode);
}

Result<void> CaDatabase::write_next_crl_number(long next) {
  return fs_.write_atomic(sys::join_path(ca_dir(), "crlnumber"), hex_number(next), kPublicMode);
}

Result<void> CaDatabase::write_config() {
  if (auto r = fs_.write_atomic(sys::join_path(ca_dir(), "openssl.cnf"), openssl_config(ca_dir()),
                                kPublicMode);
      !r)
    return r;
  // Renewals reuse the subject (CN = device), so subjects are not unique in this database.
  return fs_.write_atomic(sys::join_path(ca_dir(), "index.txt.attr"), "unique_subject = no\n",
                          kPublicMode);
}

Result<void> CaDatabase::refresh_config() {
  auto text = fs_.read(sys::join_path(ca_dir(), "openssl.cnf"));
  if (!text) return text.error().code == Errc::not_found ? Result<void>{} : text.error();
  if (*text == openssl_config(ca_dir())) return {};
  return write_config();
}

CertCache CaDatabase::read_cert_cache() const {
  auto text = fs_.read(sys::join_path(sys::join_path(state_dir_, "cache"), "certs.tsv"));
  if (!text) return {};
  return parse_cert_cache(*text).value_or(CertCache{});
}

Result<void> CaDatabase::write_cert_cache(const CertCache& cache) {
  const std::string dir = sys::join_path(state_dir_, "cache");
  const std::string bytes = format_cert_cache(cache);
  if (auto old = fs_.read(sys::join_path(dir, "certs.tsv")); old && *old == bytes) return {};
  if (auto r = fs_.make_dirs(dir, kDirMode); !r) return r;
  return fs_.write_atomic(sys::join_path(dir, "certs.tsv"), bytes, kPublicMode);
}

std::string openssl_config(const std::string& ca_dir) {
  return "# Generated by certgate; rewritten on every apply. Do not edit.\n"
         "# `openssl ca -config " +
         ca_dir +
         "/openssl.cnf` works on this database\n"
         "# (-status, -gencrl, -revoke); certgate reads whatever it records.\n"
         "[ ca ]\n"
         "default_ca = certgate\n"
         "\n"
         "[ certgate ]\n"
         "dir = " +
         ca_dir +
         "\n"
         "database = $dir/index.txt\n"
         "new_certs_dir = $dir/newcerts\n"
         "certificate = $dir/ca.crt\n"
         "private_key = $dir/ca.key\n"
         "serial = $dir/serial\n"
         "crlnumber = $dir/crlnumber\n"
         "crl = $dir/crl.pem\n"
         "default_md = default\n"
         "default_days = 365\n"
         "default_crl_days = 30\n"
         "unique_subject = no\n"
         "email_in_dn = no\n"
         "copy_extensions = none\n"
         "policy = policy_device\n"
         "x509_extensions = device_ext\n"
         "crl_extensions = crl_ext\n"
         "\n"
         "[ policy_device ]\n"
         "commonName = supplied\n"
         "emailAddress = optional\n"
         "\n"
         "[ device_ext ]\n"
         "basicConstraints = critical, CA:FALSE\n"
         "keyUsage = critical, digitalSignature\n"
         "extendedKeyUsage = clientAuth\n"
         "subjectKeyIdentifier = hash\n"
         "authorityKeyIdentifier = keyid:always\n"
         "\n"
         "[ crl_ext ]\n"
         "authorityKeyIdentifier = keyid:always\n";
}

}  // namespace certgate::pki
