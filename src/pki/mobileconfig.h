// Apple configuration profiles (`bundle.mobileconfig`): a device's PKCS#12 bundle wrapped so that
// iOS, iPadOS and macOS install it as an identity (DESIGN.md section 3, "Pickup through the gate"
// and "First enrollment").
//
// Pure: values in, bytes out; apply/ writes the result next to the bundle it wraps. The profile
// is an XML property list with one `com.apple.security.pkcs12` payload that holds the bundle and
// no password, so the device asks its owner for the one they were told. Its identifiers and UUIDs
// depend only on the CA and the device name, so a renewed profile replaces the installed one
// instead of adding a second identity. The profile is not signed (CMS signing would need a
// certificate Apple devices trust, which a private CA is not); iOS shows it as "Not Signed",
// which is expected.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "pki/secret.h"

namespace certgate::pki {

struct MobileconfigSpec {
  std::string_view device;          // the device name: the certificate's CN
  std::string_view ca_common_name;  // shown to the owner: "alice-phone — Example Admin CA"
  // Lowercase hex SHA-256 of the DER certificate that identifies the CA for the profile's
  // identity (certificate_sha256 below). Pass one that stays the same across the device's
  // renewals: the issuing CA, or the root in intermediate mode, so that an intermediate
  // rollover still replaces the installed profile.
  std::string_view ca_sha256;
  std::string_view bundle;  // the PKCS#12 bytes (bundle.p12), encrypted with the password
};

// Lowercase hex SHA-256 of the DER form of PEM certificate `pem` (its fingerprint).
// Errc::invalid when it does not parse.
Result<std::string> certificate_sha256(std::string_view pem);

// A UUID in RFC 4122 form (uppercase, version-5 and variant bits set) from SHA-256 of
// (ca_sha256, device, role): the same inputs always give the same UUID, and another CA, device
// or role another UUID. Roles used by the profile: "profile" and "pkcs12".
std::string stable_uuid(std::string_view ca_sha256, std::string_view device, std::string_view role);

// The profile's PayloadIdentifier: "certgate.<first 16 hex digits of ca_sha256>.<device>"; the
// pkcs12 payload's is the same with ".pkcs12" appended.
std::string profile_identifier(std::string_view ca_sha256, std::string_view device);

// The profile: an XML plist (UTF-8) with PayloadType "Configuration", PayloadDisplayName
// "DEVICE — CA", PayloadRemovalDisallowed false and one com.apple.security.pkcs12 payload whose
// PayloadContent is `spec.bundle` as base64 <data>, and no Password key. Every string is
// XML-escaped. Held as a SecretString like the bundle it wraps. REQUIRES: spec.bundle and
// spec.ca_sha256 are not empty.
SecretString make_mobileconfig(const MobileconfigSpec& spec);

}  // namespace certgate::pki
