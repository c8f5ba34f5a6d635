#include "pki/random.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cctype>

#include "pki/ossl.h"

namespace certgate::pki {

namespace {
constexpr std::string_view kHex = "0123456789ABCDEF";
constexpr std::string_view kPasswordAlphabet =
    "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
constexpr size_t kPasswordLength = 24;
}  // namespace

Result<std::string> random_serial() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    return openssl_error("RAND_bytes");
  // Clear the sign bit (serials are positive) and set the next one, so the first byte is never
  // 0x00 and the hex form keeps its full length.
  bytes[0] = static_cast<unsigned char>((bytes[0] & 0x7f) | 0x40);
  std::string hex;
  for (unsigned char b : bytes) {
    hex += kHex[b >> 4];
    hex += kHex[b & 0xf];
  }
  return hex;
}

Result<SecretString> random_password() {
  std::string out;
  out.reserve(kPasswordLength);
  // Rejection sampling keeps every character equally likely.
  const unsigned limit = 256 - (256 % kPasswordAlphabet.size());
  while (out.size() < kPasswordLength) {
    std::array<unsigned char, 32> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
      SecretString wipe(std::move(out));
      return openssl_error("RAND_bytes");
    }
    for (unsigned char b : bytes) {
      if (b < limit && out.size() < kPasswordLength)
        out += kPasswordAlphabet[b % kPasswordAlphabet.size()];
    }
    OPENSSL_cleanse(bytes.data(), bytes.size());
  }
  return SecretString(std::move(out));
}

Result<SecretString> random_token() {
  std::array<unsigned char, 20> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    return openssl_error("RAND_bytes");
  std::string hex;
  for (unsigned char b : bytes) {
    hex += static_cast<char>(std::tolower(kHex[b >> 4]));
    hex += static_cast<char>(std::tolower(kHex[b & 0xf]));
  }
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return SecretString(std::move(hex));
}

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int n = 0;
  CG_CHECK(EVP_Digest(bytes.data(), bytes.size(), md.data(), &n, EVP_sha256(), nullptr) == 1);
  std::string hex;
  for (unsigned int i = 0; i < n; ++i) {
    hex += static_cast<char>(std::tolower(kHex[md[i] >> 4]));
    hex += static_cast<char>(std::tolower(kHex[md[i] & 0xf]));
  }
  return hex;
}

}  // namespace certgate::pki
