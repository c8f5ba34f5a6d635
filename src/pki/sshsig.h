// SSH signatures on git commits (OpenSSH's "sshsig"), for `certgate sync --require-signed`.
//
// source/ reads a commit and hands over its gpgsig header and the commit object without it;
// cli/ loads the allowed signers file. This helper parses both (ssh-keygen(1), ALLOWED SIGNERS;
// OpenSSH's PROTOCOL.sshsig), checks the signature with OpenSSL and names the signer, so that
// a commit is trusted only when `ssh-keygen -Y verify` would trust it. OpenSSL stays in the
// .cc file; callers see bytes and plain value structs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace certgate::pki {

// One line of an allowed signers file: `principals [options] keytype base64key [comment]`.
struct AllowedSigner {
  int line = 0;                         // 1-based line in the file, for messages
  std::vector<std::string> principals;  // as written, quotes removed; patterns kept verbatim
  std::vector<std::string> namespaces;  // namespaces="..." patterns; empty allows every one
  std::string key_type;                 // "ssh-ed25519", "ecdsa-sha2-nistp256", ...
  std::string key_blob;                 // the decoded base64 key: SSH wire-format public key

  bool operator==(const AllowedSigner&) const = default;
};

// Parses the text of an allowed signers file named `file` in messages. Blank lines and lines
// starting with '#' are skipped. The one option taken is namespaces="..." (double quotes, as
// OpenSSH requires; option names are case-insensitive). A key of a type that verify_ssh_signature
// does not support is kept; it simply never verifies. Fails with Errc::invalid naming the line
// ("FILE:3: ...") on a malformed line, an unknown option, a key that is not base64 or
// whose blob names another type, and on the options certgate does not support: cert-authority,
// and valid-after/valid-before, refused rather than ignored so that no key outlives its window.
Result<std::vector<AllowedSigner>> parse_allowed_signers(std::string_view text,
                                                         std::string_view file = "allowed_signers");

// An SSH signature, decoded from its armor (PROTOCOL.sshsig).
struct SshSignature {
  std::string public_key;        // SSH wire-format public key blob of the signer
  std::string key_type;          // the blob's own type name, "ssh-ed25519", ...
  std::string namespace_name;    // "git" for commits
  std::string hash_algorithm;    // "sha256" or "sha512": how the message was hashed
  std::string signature_format;  // "ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", ...
  std::string signature;         // the signature blob in SSH encoding, for signature_format

  bool operator==(const SshSignature&) const = default;
};

// Parses "-----BEGIN SSH SIGNATURE-----" ... "-----END SSH SIGNATURE-----" as git stores it in
// a commit's gpgsig header (continuation lines may keep their leading space). Fails with
// Errc::invalid when the armor, base64, magic preamble, version (1) or structure is wrong, or
// the hash algorithm is neither sha256 nor sha512.
Result<SshSignature> parse_ssh_signature(std::string_view armored);

// Checks that `sig` signs `signed_data` (for a commit: the commit object without its gpgsig
// header) in namespace `expected_namespace` ("git"), by the public key the signature carries;
// whether that key is trusted is find_signer's question. Supports ssh-ed25519,
// ecdsa-sha2-nistp256, ecdsa-sha2-nistp384 and ssh-rsa keys of at least 2048 bits signing with
// rsa-sha2-256 or rsa-sha2-512. Fails with Errc::refused when the namespace differs or the
// signature does not verify, and Errc::invalid for another algorithm or a malformed key or
// signature blob.
Result<void> verify_ssh_signature(const SshSignature& sig, std::string_view signed_data,
                                  std::string_view expected_namespace);

// The principals of the first signer whose key is the signature's key and whose namespaces, if
// listed, match `ns` (OpenSSH patterns: '*', '?', and '!' to exclude), joined by commas as the
// line lists them ("alice@example.com" or "alice@example.com,alice@corp.example"). Fails with
// Errc::refused: "signed by a key that is not in allowed_signers (SHA256:...)", or naming the line
// whose namespaces exclude `ns`. Does not check the signature itself: call verify_ssh_signature
// too.
Result<std::string> find_signer(const std::vector<AllowedSigner>& signers, const SshSignature& sig,
                                std::string_view ns);

// OpenSSH's fingerprint of an SSH wire-format public key: "SHA256:" and the unpadded base64 of
// its SHA-256, as `ssh-keygen -lf` prints it.
std::string ssh_fingerprint(std::string_view key_blob);

}  // namespace certgate::pki
