// PKCS#12 bundles: a device's key, certificate and the CA certificate in one password-protected
// file for a browser or phone to import.
#pragma once

#include <string>
#include <string_view>

#include "base/pki_types.h"
#include "base/result.h"
#include "pki/secret.h"

namespace certgate::pki {

// The bundle's encryption, per profile (DESIGN.md section 7):
//  compat: pbeWithSHA1And3-KeyTripleDES-CBC for key and certificates, SHA-1 MAC. OpenSSL 3's
//          AES-256 default fails on macOS Keychain, iOS 16-17 and Android 11-13 with a
//          misleading "wrong password"; this one imports everywhere.
//  modern: PBES2 (AES-256-CBC, PBKDF2 with HMAC-SHA256) for key and certificates, SHA-256 MAC.
// The friendly name is `name` (the device). REQUIRES: !password.empty(). Errc::crypto or
// Errc::invalid (a key or certificate that does not parse, or that do not match).
Result<std::string> make_bundle(std::string_view key_pem, std::string_view cert_pem,
                                std::string_view ca_cert_pem, const std::string& name,
                                const SecretString& password, base::P12Profile profile);

// The serial (uppercase hex) of the certificate inside `bundle`, opened with `password`:
// what a device that imports the bundle will present. Errc::crypto when it does not open.
Result<std::string> bundle_serial(std::string_view bundle, const SecretString& password);

}  // namespace certgate::pki
