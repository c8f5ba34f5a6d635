#include "pki/sshsig.h"

#include <openssl/core_names.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <optional>

#include "pki/ossl.h"

namespace certgate::pki {
namespace {

constexpr std::string_view kMagic = "SSHSIG";  // PROTOCOL.sshsig MAGIC_PREAMBLE
constexpr std::string_view kArmorBegin = "-----BEGIN SSH SIGNATURE-----";
constexpr std::string_view kArmorEnd = "-----END SSH SIGNATURE-----";
constexpr int kRsaMinimumBits = 2048;

Error invalid(std::string message) { return make_error(Errc::invalid, std::move(message)); }
Error refused(std::string message) { return make_error(Errc::refused, std::move(message)); }
std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }
const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Reads the SSH wire encoding (RFC 4251 section 5): big-endian uint32, and strings prefixed by
// their uint32 length. Once a read runs past the end, it and every later read yield nothing.
struct WireReader {
  std::string_view rest;
  bool failed = false;

  std::string_view take(size_t n) {
    if (failed || n > rest.size()) return failed = true, std::string_view();
    const std::string_view s = rest.substr(0, n);
    rest.remove_prefix(n);
    return s;
  }
  uint32_t u32() {
    uint32_t v = 0;
    for (char c : take(4)) v = (v << 8) | static_cast<unsigned char>(c);
    return v;
  }
  std::string_view str() { return take(u32()); }
  bool done() const { return !failed && rest.empty(); }
};

void put_string(std::string& out, std::string_view s) {
  const auto n = static_cast<uint32_t>(s.size());
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((n >> shift) & 0xff);
  out += s;
}

std::string digest(const EVP_MD* md, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int n = 0;
  CG_CHECK(EVP_Digest(data.data(), data.size(), out.data(), &n, md, nullptr) == 1);
  return std::string(reinterpret_cast<const char*>(out.data()), n);
}

std::string key_type_of(std::string_view blob) { return std::string(WireReader{blob}.str()); }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// --- allowed signers (ssh-keygen(1), ALLOWED SIGNERS; OpenSSH's sshsig.c) ------------------

// How much of `s` comes before the first of `stops`; stops inside double quotes do not count.
size_t span_outside_quotes(std::string_view s, std::string_view stops) {
  bool in_quotes = false;
  size_t i = 0;
  for (; i < s.size() && (in_quotes || stops.find(s[i]) == std::string_view::npos); ++i)
    if (s[i] == '"') in_quotes = !in_quotes;
  return i;
}

// The next whitespace-separated field of `rest`, which it consumes.
std::string_view next_field(std::string_view& rest) {
  rest.remove_prefix(std::min(rest.size(), rest.find_first_not_of(" \t\r")));
  const std::string_view field = rest.substr(0, span_outside_quotes(rest, " \t\r"));
  rest.remove_prefix(field.size());
  return field;
}

std::vector<std::string> split_commas(std::string_view s) {
  std::vector<std::string> parts;
  while (true) {
    const size_t n = span_outside_quotes(s, ",");
    parts.emplace_back(s.substr(0, n));
    if (n == s.size()) return parts;
    s.remove_prefix(n + 1);
  }
}

// One `name="value"` of the options field into `signer` (sshsig.c's sshsigopt_parse).
Result<void> apply_option(std::string_view opt, AllowedSigner& signer) {
  const size_t eq = opt.find('=');
  const std::string name = lower(opt.substr(0, eq));  // OpenSSH ignores their case
  if (name == "cert-authority")
    return invalid("cert-authority is not supported: list each signer's own key");
  // Refused rather than ignored: a key must not outlive its valid-before unnoticed.
  if (name == "valid-after" || name == "valid-before")
    return invalid(name + " is not supported yet: remove it or the line");
  if (name != "namespaces") return invalid("unsupported option " + quoted(name));
  const std::string_view value = eq == std::string_view::npos ? "" : opt.substr(eq + 1);
  if (value.size() < 2 || !value.starts_with('"') || !value.ends_with('"'))
    return invalid("the value of namespaces must be in double quotes");
  if (!signer.namespaces.empty()) return invalid("namespaces is given twice");
  signer.namespaces = split_commas(value.substr(1, value.size() - 2));
  return {};
}

Result<AllowedSigner> parse_signer_line(std::string_view rest) {
  AllowedSigner signer;
  std::string_view principals = next_field(rest);
  if (principals.size() >= 2 && principals.starts_with('"') && principals.ends_with('"'))
    principals = principals.substr(1, principals.size() - 2);
  signer.principals = split_commas(principals);
  for (const std::string& p : signer.principals)
    if (p.empty() || p.find('"') != std::string::npos)
      return invalid("malformed principals " + quoted(principals));
  std::string_view type = next_field(rest);
  // A key type never holds '='; options (and the bare cert-authority flag) may.
  if (type.find('=') != std::string_view::npos || lower(type) == "cert-authority") {
    for (const std::string& opt : split_commas(type)) {
      auto r = apply_option(opt, signer);
      if (!r) return r.error();
    }
    type = next_field(rest);
  }
  if (type.empty()) return invalid("missing key type and key");
  auto blob = base64_decode(next_field(rest));
  if (!blob) return invalid("missing key, or it is not base64, after " + quoted(type));
  if (key_type_of(*blob) != type)
    return invalid("key type " + quoted(type) + " but the key is " + quoted(key_type_of(*blob)));
  signer.key_type = type;
  signer.key_blob = std::move(*blob);
  return signer;
}

// OpenSSH's match_pattern: '*' is any run of characters, '?' any one.
bool match_pattern(std::string_view s, std::string_view p) {
  if (p.empty()) return s.empty();
  if (p[0] == '*')
    return match_pattern(s, p.substr(1)) || (!s.empty() && match_pattern(s.substr(1), p));
  return !s.empty() && (p[0] == '?' || p[0] == s[0]) && match_pattern(s.substr(1), p.substr(1));
}

// OpenSSH's match_pattern_list: a matching "!pattern" excludes, else any match includes.
bool match_pattern_list(std::string_view s, const std::vector<std::string>& patterns) {
  bool matched = false;
  for (std::string_view p : patterns) {
    if (p.starts_with('!') && match_pattern(s, p.substr(1))) return false;
    if (!p.starts_with('!') && match_pattern(s, p)) matched = true;
  }
  return matched;
}

// --- verification (PROTOCOL.sshsig) ------------------------------------------------------

// An SSH mpint (RFC 4251 section 5) that must be positive; nullptr otherwise.
BignumPtr positive_mpint(std::string_view m) {
  if (m.empty() || (static_cast<unsigned char>(m[0]) & 0x80) != 0) return nullptr;
  return BignumPtr(BN_bin2bn(bytes(m), static_cast<int>(m.size()), nullptr));
}

Result<EvpPkeyPtr> key_from_params(const char* type, OSSL_PARAM* params) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1)
    return openssl_error(std::string("load SSH ") + type + " public key");
  return EvpPkeyPtr(raw);
}

// Each loader reads the key blob after its type name.
Result<EvpPkeyPtr> ed25519_key(WireReader& r) {
  const std::string_view pk = r.str();
  if (!r.done() || pk.size() != 32) return invalid("SSH signature: malformed ssh-ed25519 key");
  EvpPkeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(pk), pk.size()));
  if (!key) return openssl_error("EVP_PKEY_new_raw_public_key");
  return key;
}

// RFC 5656 section 3.1: string curve name, string Q (an uncompressed point).
Result<EvpPkeyPtr> ecdsa_key(WireReader& r, std::string_view ssh_curve, const char* group) {
  const std::string_view curve = r.str(), point = r.str();
  if (!r.done() || curve != ssh_curve) return invalid("SSH signature: malformed ECDSA key");
  std::array<OSSL_PARAM, 3> params{
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(group), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, const_cast<char*>(point.data()),
                                        point.size()),
      OSSL_PARAM_construct_end()};
  return key_from_params("EC", params.data());
}
Result<EvpPkeyPtr> p256_key(WireReader& r) { return ecdsa_key(r, "nistp256", "P-256"); }
Result<EvpPkeyPtr> p384_key(WireReader& r) { return ecdsa_key(r, "nistp384", "P-384"); }

// RFC 4253 section 6.6: mpint e, mpint n. OSSL_PARAM takes integers in native byte order.
Result<EvpPkeyPtr> rsa_key(WireReader& r) {
  BignumPtr e = positive_mpint(r.str()), n = positive_mpint(r.str());
  if (!r.done() || !e || !n) return invalid("SSH signature: malformed ssh-rsa key");
  if (BN_num_bits(n.get()) < kRsaMinimumBits)
    return invalid("SSH signature: ssh-rsa key of " + std::to_string(BN_num_bits(n.get())) +
                   " bits; certgate requires " + std::to_string(kRsaMinimumBits));
  std::array<std::string, 2> native{std::string(BN_num_bytes(e.get()), '\0'),
                                    std::string(BN_num_bytes(n.get()), '\0')};
  auto* pe = reinterpret_cast<unsigned char*>(native[0].data());
  auto* pn = reinterpret_cast<unsigned char*>(native[1].data());
  if (BN_bn2nativepad(e.get(), pe, static_cast<int>(native[0].size())) < 0 ||
      BN_bn2nativepad(n.get(), pn, static_cast<int>(native[1].size())) < 0)
    return openssl_error("BN_bn2nativepad");
  std::array<OSSL_PARAM, 3> params{
      OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_RSA_E, pe, native[0].size()),
      OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_RSA_N, pn, native[1].size()),
      OSSL_PARAM_construct_end()};
  return key_from_params("RSA", params.data());
}

// RFC 5656 section 3.1.2: the SSH blob is mpint r, mpint s; OpenSSL takes DER ECDSA-Sig-Value.
Result<std::string> ecdsa_signature_der(std::string_view blob) {
  WireReader r{blob};
  BignumPtr bn_r = positive_mpint(r.str()), bn_s = positive_mpint(r.str());
  if (!r.done() || !bn_r || !bn_s) return invalid("SSH signature: malformed ECDSA signature");
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!sig || ECDSA_SIG_set0(sig.get(), bn_r.get(), bn_s.get()) != 1)
    return openssl_error("ECDSA_SIG_set0");
  bn_r.release();  // both owned by `sig` now
  bn_s.release();
  const int n = i2d_ECDSA_SIG(sig.get(), nullptr);
  std::string der(static_cast<size_t>(n > 0 ? n : 0), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  if (n <= 0 || i2d_ECDSA_SIG(sig.get(), &p) != n) return openssl_error("i2d_ECDSA_SIG");
  return der;
}

// A key type with a signature format it may sign with. `md` is the digest EVP_DigestVerify
// applies: none for Ed25519, which hashes the message itself (RFC 8032); RFC 5656 section 6.2.1
// for ECDSA; RFC 8332 for RSA (SHA-1 "ssh-rsa" signatures are refused, as OpenSSH does).
struct Scheme {
  std::string_view key_type;
  std::string_view signature_format;
  Result<EvpPkeyPtr> (*load_key)(WireReader&);
  const EVP_MD* (*md)();
  bool is_ecdsa;
};
const std::array<Scheme, 5> kSchemes{{
    {"ssh-ed25519", "ssh-ed25519", ed25519_key, nullptr, false},
    {"ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256", p256_key, EVP_sha256, true},
    {"ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384", p384_key, EVP_sha384, true},
    {"ssh-rsa", "rsa-sha2-256", rsa_key, EVP_sha256, false},
    {"ssh-rsa", "rsa-sha2-512", rsa_key, EVP_sha512, false},
}};

// MAGIC_PREAMBLE, namespace, reserved (empty), hash_algorithm, H(message).
std::string signed_blob(std::string_view ns, std::string_view hash_algorithm,
                        std::string_view message) {
  std::string out(kMagic);
  put_string(out, ns);
  put_string(out, "");
  put_string(out, hash_algorithm);
  put_string(out, digest(hash_algorithm == "sha256" ? EVP_sha256() : EVP_sha512(), message));
  return out;
}

}  // namespace

Result<std::vector<AllowedSigner>> parse_allowed_signers(std::string_view text,
                                                         std::string_view file) {
  std::vector<AllowedSigner> signers;
  for (int line_no = 1; !text.empty(); ++line_no) {
    const size_t eol = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(std::min(eol + 1, text.size()));
    line.remove_prefix(std::min(line.size(), line.find_first_not_of(" \t\r")));
    if (line.empty() || line.starts_with('#')) continue;
    auto signer = parse_signer_line(line);
    if (!signer)
      return invalid(std::string(file) + ":" + std::to_string(line_no) + ": " +
                     signer.error().message);
    signer->line = line_no;
    signers.push_back(std::move(*signer));
  }
  return signers;
}

Result<SshSignature> parse_ssh_signature(std::string_view armored) {
  const size_t begin = armored.find(kArmorBegin), end = armored.find(kArmorEnd);
  if (begin == std::string_view::npos || end == std::string_view::npos || end < begin)
    return invalid("SSH signature: no " + std::string(kArmorBegin) + " ... " +
                   std::string(kArmorEnd));
  std::string body;  // git's gpgsig continuation lines may keep their leading space
  for (char c : armored.substr(begin + kArmorBegin.size(), end - begin - kArmorBegin.size()))
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') body += c;
  auto blob = base64_decode(body);
  if (!blob) return invalid("SSH signature: the body is not valid base64");
  WireReader r{*blob};
  if (r.take(kMagic.size()) != kMagic) return invalid("SSH signature: no SSHSIG preamble");
  if (const uint32_t version = r.u32(); !r.failed && version != 1)
    return invalid("SSH signature: version " + std::to_string(version) + ", expected 1");
  SshSignature sig;
  sig.public_key = r.str();
  sig.namespace_name = r.str();
  r.str();  // reserved
  sig.hash_algorithm = r.str();
  WireReader inner{r.str()};
  sig.signature_format = inner.str();
  sig.signature = inner.str();
  if (!r.done() || !inner.done()) return invalid("SSH signature: truncated or malformed");
  sig.key_type = key_type_of(sig.public_key);
  if (sig.hash_algorithm != "sha256" && sig.hash_algorithm != "sha512")
    return invalid("SSH signature: unsupported hash algorithm " + quoted(sig.hash_algorithm));
  return sig;
}

std::string ssh_fingerprint(std::string_view key_blob) {
  const std::string md = digest(EVP_sha256(), key_blob);
  std::string b64(4 * ((md.size() + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), bytes(md),
                  static_cast<int>(md.size()));
  b64.erase(b64.find_last_not_of('=') + 1);  // OpenSSH prints it without padding
  return "SHA256:" + b64;
}

Result<void> verify_ssh_signature(const SshSignature& sig, std::string_view signed_data,
                                  std::string_view expected_namespace) {
  if (sig.namespace_name != expected_namespace)
    return refused("SSH signature: namespace " + quoted(sig.namespace_name) + ", expected " +
                   quoted(expected_namespace));
  const Scheme* scheme = nullptr;
  for (const Scheme& s : kSchemes)
    if (s.key_type == sig.key_type && s.signature_format == sig.signature_format) scheme = &s;
  if (scheme == nullptr)
    return invalid("SSH signature: unsupported algorithm " + quoted(sig.signature_format) +
                   " with a " + quoted(sig.key_type) +
                   " key (certgate verifies ssh-ed25519, ecdsa-sha2-nistp256/384 and ssh-rsa "
                   "with rsa-sha2-256/512)");
  WireReader key_reader{sig.public_key};
  key_reader.str();  // the type name, already in sig.key_type
  auto key = scheme->load_key(key_reader);
  if (!key) return key.error();
  auto signature =
      scheme->is_ecdsa ? ecdsa_signature_der(sig.signature) : Result<std::string>(sig.signature);
  if (!signature) return signature.error();
  const std::string tbs = signed_blob(expected_namespace, sig.hash_algorithm, signed_data);
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, scheme->md ? scheme->md() : nullptr, nullptr,
                                   key->get()) != 1)
    return openssl_error("EVP_DigestVerifyInit");
  const int ok =
      EVP_DigestVerify(ctx.get(), bytes(*signature), signature->size(), bytes(tbs), tbs.size());
  ERR_clear_error();  // a bad signature may leave entries; the verdict is all that matters
  if (ok != 1)
    return refused("SSH signature: does not verify with " + sig.key_type + " key " +
                   ssh_fingerprint(sig.public_key));
  return {};
}

Result<std::string> find_signer(const std::vector<AllowedSigner>& signers, const SshSignature& sig,
                                std::string_view ns) {
  std::string excluded;  // the last line that holds the key but does not allow `ns`
  for (const AllowedSigner& s : signers) {
    if (s.key_blob != sig.public_key) continue;
    if (!s.namespaces.empty() && !match_pattern_list(ns, s.namespaces)) {
      excluded =
          "allowed_signers:" + std::to_string(s.line) + " does not allow namespace " + quoted(ns);
      continue;
    }
    std::string principals;
    for (const std::string& p : s.principals) principals += (principals.empty() ? "" : ",") + p;
    return principals;
  }
  const std::string fingerprint = ssh_fingerprint(sig.public_key);
  if (!excluded.empty()) return refused("signed by key " + fingerprint + ", but " + excluded);
  return refused("signed by a key that is not in allowed_signers (" + fingerprint + ")");
}

}  // namespace certgate::pki
