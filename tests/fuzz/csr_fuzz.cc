// libFuzzer target for certgate::pki::load_csr (src/pki/inspect.cc), which parses a PEM
// certificate signing request with OpenSSL and checks its self-signature. It promises to be safe
// on any input: the target expects a value or Errc::invalid, with no crash, leak or undefined
// behaviour, and with OpenSSL's error queue left empty.
//
// Two kinds of input reach load_csr:
//   - text containing "-----BEGIN" is passed as it is (the PEM seeds, *.csr);
//   - anything else is taken as DER and wrapped in a CERTIFICATE REQUEST PEM block first, so that
//     mutations land in the ASN.1 rather than breaking the base64 (the DER seeds, *.der).
// Debian's libcrypto is not instrumented, so libFuzzer sees coverage of certgate's code only.
//
// Built and run by tests/fuzz/run.sh; seeds are in tests/fuzz/corpus/csr/.
#include <openssl/err.h>
#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "pki/inspect.h"

namespace {

std::string der_to_pem(const uint8_t* data, size_t size) {
  std::string b64(4 * ((size + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), data, static_cast<int>(size));
  b64.resize(static_cast<size_t>(n));
  std::string pem = "-----BEGIN CERTIFICATE REQUEST-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) {
    pem.append(b64, i, 64);
    pem += '\n';
  }
  pem += "-----END CERTIFICATE REQUEST-----\n";
  return pem;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string pem = input.find("-----BEGIN") != std::string_view::npos
                              ? std::string(input)
                              : der_to_pem(data, size);
  auto csr = certgate::pki::load_csr(pem);
  if (!csr && csr.error().code != certgate::Errc::invalid) __builtin_trap();
  // A verified CSR has a public key, so its SPKI digest is 64 hex digits.
  if (csr && csr->public_key_sha256.size() != 64) __builtin_trap();
  if (ERR_peek_error() != 0) __builtin_trap();
  return 0;
}
