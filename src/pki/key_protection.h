// A CA key encrypted at rest ([ca] key_protection = "passphrase"): a copy of STATE/ca/ca.key (a
// backup, a disk image, a VM snapshot) is useless without the passphrase, which systemd keeps
// apart (LoadCredentialEncrypted=, sealed with the host's TPM where it has one).
//
// The format is the standard one, so `openssl pkey -in ca.key` opens it (and asks for the
// passphrase): PKCS#8 EncryptedPrivateKeyInfo, PBES2 with scrypt and AES-256-CBC.
#pragma once

#include <string_view>

#include "base/result.h"
#include "pki/secret.h"

namespace certgate::pki {

// scrypt's cost: N = 2^14, r = 8, p = 5 is OWASP's minimum for scrypt (16 MiB, five passes),
// and N cannot grow: OpenSSL's reader refuses keys needing more than 32 MiB, and an operator
// must still be able to open the key with the openssl CLI.
inline constexpr unsigned long kScryptN = 1UL << 14;
inline constexpr unsigned long kScryptR = 8;
inline constexpr unsigned long kScryptP = 5;

// A PEM "ENCRYPTED PRIVATE KEY" (PKCS#8 encrypted), as opposed to a plain one.
bool is_encrypted_key(std::string_view key_pem);

// `key_pem` (plain PEM, any type) as encrypted PKCS#8 PEM under `passphrase`, with a fresh random
// salt and IV. REQUIRES: !passphrase.empty(). Errc::invalid when `key_pem` is not a plain key.
Result<SecretString> encrypt_key(std::string_view key_pem, const SecretString& passphrase);

// `key_pem` as plain PKCS#8 PEM: decrypted with `passphrase` when encrypted, else as it is.
// Errc::refused when it is encrypted and `passphrase` is null or does not decrypt it; the
// message never quotes the passphrase.
Result<SecretString> decrypt_key(std::string_view key_pem, const SecretString* passphrase);

}  // namespace certgate::pki
