#include "pki/secret.h"

#include <openssl/crypto.h>

namespace certgate::pki {

SecretString::SecretString(SecretString&& other) noexcept : value_(std::move(other.value_)) {
  other.wipe();
}

SecretString& SecretString::operator=(SecretString&& other) noexcept {
  if (this != &other) {
    wipe();
    value_ = std::move(other.value_);
    other.wipe();
  }
  return *this;
}

SecretString::~SecretString() { wipe(); }

void SecretString::wipe() noexcept {
  // Cleanse the whole capacity: a shorter string may have held a longer secret before.
  if (value_.capacity() > 0) OPENSSL_cleanse(value_.data(), value_.capacity());
  value_.clear();
}

}  // namespace certgate::pki
