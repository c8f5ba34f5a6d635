// SecretString: bytes that must never be logged or left in freed memory (keys, passwords).
//
// It wipes itself with OPENSSL_cleanse when destroyed or overwritten, has no formatter or
// stream operator, and is move-only, so a secret is never silently copied.
#pragma once

#include <string>
#include <string_view>

namespace certgate::pki {

class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::string value) : value_(std::move(value)) {}
  SecretString(SecretString&& other) noexcept;
  SecretString& operator=(SecretString&& other) noexcept;
  SecretString(const SecretString&) = delete;
  SecretString& operator=(const SecretString&) = delete;
  ~SecretString();

  // The bytes, for handing to OpenSSL or to a 0600 file write. Never log them.
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

 private:
  void wipe() noexcept;
  std::string value_;
};

}  // namespace certgate::pki
