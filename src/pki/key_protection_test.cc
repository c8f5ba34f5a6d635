#include "pki/key_protection.h"

#include <doctest/doctest.h>

#include "pki/ca.h"

namespace certgate::pki {
namespace {

TEST_CASE("key protection: an encrypted key decrypts with its passphrase alone") {
  auto key = generate_key(base::KeyType::ec_p256);
  REQUIRE(key);
  const SecretString passphrase("correct horse battery staple");
  auto sealed = encrypt_key(key->reveal(), passphrase);
  REQUIRE(sealed);
  CHECK(is_encrypted_key(sealed->reveal()));
  CHECK_FALSE(is_encrypted_key(key->reveal()));
  CHECK(sealed->reveal().find("BEGIN ENCRYPTED PRIVATE KEY") != std::string::npos);

  auto opened = decrypt_key(sealed->reveal(), &passphrase);
  REQUIRE(opened);
  CHECK(opened->reveal() == key->reveal());

  const SecretString wrong("correct horse battery stapler");
  auto refused = decrypt_key(sealed->reveal(), &wrong);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::refused);
  CHECK(refused.error().message.find("staple") == std::string::npos);
  auto none = decrypt_key(sealed->reveal(), nullptr);
  REQUIRE_FALSE(none);
  CHECK(none.error().code == Errc::refused);
}

TEST_CASE("key protection: two encryptions of one key differ (fresh salt and IV)") {
  auto key = generate_key(base::KeyType::rsa_2048);
  REQUIRE(key);
  const SecretString passphrase("p");
  auto a = encrypt_key(key->reveal(), passphrase);
  auto b = encrypt_key(key->reveal(), passphrase);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->reveal() != b->reveal());
  CHECK_FALSE(encrypt_key(a->reveal(), passphrase));  // already encrypted
}

TEST_CASE("key protection: a plain key passes through decrypt unchanged") {
  auto key = generate_key(base::KeyType::ed25519);
  REQUIRE(key);
  auto same = decrypt_key(key->reveal(), nullptr);
  REQUIRE(same);
  CHECK(same->reveal() == key->reveal());
}

}  // namespace
}  // namespace certgate::pki
