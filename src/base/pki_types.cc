#include "base/pki_types.h"

#include <array>
#include <charconv>
#include <string>

#include "base/text.h"

namespace certgate::base {
namespace {

constexpr std::array<std::string_view, 6> kKeyTypeNames = {"ec-p256",  "ec-p384",  "ed25519",
                                                           "rsa-2048", "rsa-3072", "rsa-4096"};
constexpr std::array<KeyType, 6> kKeyTypes = {KeyType::ec_p256,  KeyType::ec_p384,
                                              KeyType::ed25519,  KeyType::rsa_2048,
                                              KeyType::rsa_3072, KeyType::rsa_4096};

constexpr std::array<std::string_view, 10> kReasonNames = {
    "unspecified",        "keyCompromise",        "cACompromise",    "affiliationChanged",
    "superseded",         "cessationOfOperation", "certificateHold", "removeFromCRL",
    "privilegeWithdrawn", "aACompromise"};
constexpr std::array<RevocationReason, 10> kReasons = {
    RevocationReason::unspecified,        RevocationReason::keyCompromise,
    RevocationReason::cACompromise,       RevocationReason::affiliationChanged,
    RevocationReason::superseded,         RevocationReason::cessationOfOperation,
    RevocationReason::certificateHold,    RevocationReason::removeFromCRL,
    RevocationReason::privilegeWithdrawn, RevocationReason::aACompromise};

constexpr std::array<std::string_view, 2> kProfileNames = {"compat", "modern"};
constexpr std::array<P12Profile, 2> kProfiles = {P12Profile::compat, P12Profile::modern};

constexpr std::array<std::string_view, 2> kProtectionNames = {"none", "passphrase"};
constexpr std::array<KeyProtection, 2> kProtections = {KeyProtection::none,
                                                       KeyProtection::passphrase};

template <class E, size_t N>
std::string_view name_of(E value, const std::array<E, N>& values,
                         const std::array<std::string_view, N>& names) {
  for (size_t i = 0; i < N; ++i) {
    if (values[i] == value) return names[i];
  }
  CG_CHECK(false);
  return {};
}

template <class E, size_t N>
Result<E> parse_of(std::string_view text, std::string_view what, const std::array<E, N>& values,
                   const std::array<std::string_view, N>& names) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == text) return values[i];
  }
  std::string message = "unknown " + std::string(what) + " \"" + std::string(text) + "\"";
  if (auto near = closest_match(text, names)) {
    message += "; did you mean \"" + *near + "\"?";
  } else {
    message += " (one of " + quoted_list(names) + ")";
  }
  return make_error(Errc::invalid, message);
}

}  // namespace

std::string_view to_string(KeyType k) { return name_of(k, kKeyTypes, kKeyTypeNames); }
std::string_view to_string(RevocationReason r) { return name_of(r, kReasons, kReasonNames); }
std::string_view to_string(P12Profile p) { return name_of(p, kProfiles, kProfileNames); }
std::string_view to_string(KeyProtection p) { return name_of(p, kProtections, kProtectionNames); }

std::span<const std::string_view> key_type_names() { return kKeyTypeNames; }
std::span<const std::string_view> revocation_reason_names() { return kReasonNames; }
std::span<const std::string_view> p12_profile_names() { return kProfileNames; }
std::span<const std::string_view> key_protection_names() { return kProtectionNames; }

Result<KeyType> parse_key_type(std::string_view text) {
  // RSA below 2048 bits and DSA are refused by name, not as typos (NIST SP 800-131A).
  int rsa_bits = 0;
  if (text.starts_with("rsa-")) {
    const std::string_view digits = text.substr(4);
    std::from_chars(digits.data(), digits.data() + digits.size(), rsa_bits);
  }
  if ((rsa_bits > 0 && rsa_bits < 2048) || text == "dsa" || text.starts_with("dsa-")) {
    return make_error(Errc::invalid, "weak key type \"" + std::string(text) +
                                         "\": use rsa-2048 or larger, or ec-p256");
  }
  return parse_of(text, "key type", kKeyTypes, kKeyTypeNames);
}

Result<RevocationReason> parse_revocation_reason(std::string_view text) {
  return parse_of(text, "revocation reason", kReasons, kReasonNames);
}

Result<P12Profile> parse_p12_profile(std::string_view text) {
  return parse_of(text, "p12_profile", kProfiles, kProfileNames);
}

Result<KeyProtection> parse_key_protection(std::string_view text) {
  return parse_of(text, "key_protection", kProtections, kProtectionNames);
}

}  // namespace certgate::base
