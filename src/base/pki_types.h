// Names of the PKI choices a desired state makes: key types, revocation reasons, bundle profiles.
//
// Plain enums with their certgate.toml spellings, shared by desired/ (which parses them) and
// pki/ (which acts on them) without either depending on the other.
#pragma once

#include <span>
#include <string_view>

#include "base/result.h"

namespace certgate::base {

enum class KeyType { ec_p256, ec_p384, ed25519, rsa_2048, rsa_3072, rsa_4096 };

// RFC 5280 section 5.3.1 CRLReason, with the standard's own spellings and codes.
enum class RevocationReason {
  unspecified = 0,
  keyCompromise = 1,
  cACompromise = 2,
  affiliationChanged = 3,
  superseded = 4,
  cessationOfOperation = 5,
  certificateHold = 6,
  removeFromCRL = 8,
  privilegeWithdrawn = 9,
  aACompromise = 10,
};

// PKCS#12 encryption profile: compat = 3DES + SHA-1 MAC (imports everywhere),
// modern = AES-256-CBC + PBKDF2 + SHA-256 MAC.
enum class P12Profile { compat, modern };

// How the CA key rests on disk: plain PEM (0600), or encrypted PKCS#8 (pki/key_protection.h).
enum class KeyProtection { none, passphrase };

// certgate.toml spellings: "ec-p256", "keyCompromise", "compat".
std::string_view to_string(KeyType k);
std::string_view to_string(RevocationReason r);
std::string_view to_string(P12Profile p);
std::string_view to_string(KeyProtection p);

// Every accepted spelling, for messages and suggestions.
std::span<const std::string_view> key_type_names();
std::span<const std::string_view> revocation_reason_names();
std::span<const std::string_view> p12_profile_names();
std::span<const std::string_view> key_protection_names();

// Parse the spellings above (exact, case-sensitive). Fail with Errc::invalid; a weak RSA size
// ("rsa-1024") is named as weak rather than unknown.
Result<KeyType> parse_key_type(std::string_view text);
Result<RevocationReason> parse_revocation_reason(std::string_view text);
Result<P12Profile> parse_p12_profile(std::string_view text);
Result<KeyProtection> parse_key_protection(std::string_view text);

}  // namespace certgate::base
