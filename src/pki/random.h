// Randomness and digests certgate needs outside the signing code: certificate serials, bundle
// passwords and SHA-256 fingerprints of inputs. OpenSSL's CSPRNG stands behind all of it.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "pki/secret.h"

namespace certgate::pki {

// A fresh certificate serial: 16 bytes from the CSPRNG (126 random bits), positive and always 32
// uppercase hex digits, so $ssl_client_serial, index.txt and newcerts/ spell it the same way.
// RFC 5280 4.1.2.2 asks for at most 20 octets; CA/B Forum asks for at least 64 random bits.
Result<std::string> random_serial();

// A bundle password: 24 characters from an alphabet without look-alikes (0/O, 1/l/I), about
// 138 bits, never empty (macOS refuses empty PKCS#12 passwords).
Result<SecretString> random_password();

// An enrollment link token: 20 bytes from the CSPRNG (160 random bits) as 40 lowercase hex
// digits, safe in a URL path, a file name and an nginx location without quoting. A secret: the
// caller keeps it out of logs, plans and state.json.
Result<SecretString> random_token();

// Lowercase hex SHA-256 of `bytes`.
std::string sha256_hex(std::string_view bytes);

}  // namespace certgate::pki
