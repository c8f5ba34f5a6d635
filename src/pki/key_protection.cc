#include "pki/key_protection.h"

#include <openssl/pem.h>
#include <openssl/rand.h>

#include "pki/ossl.h"

namespace certgate::pki {

namespace {

using X509SigPtr = std::unique_ptr<X509_SIG, FreeWith<X509_SIG_free>>;
using P8InfoPtr = std::unique_ptr<PKCS8_PRIV_KEY_INFO, FreeWith<PKCS8_PRIV_KEY_INFO_free>>;
using AlgorPtr = std::unique_ptr<X509_ALGOR, FreeWith<X509_ALGOR_free>>;

constexpr std::string_view kEncryptedHeader = "-----BEGIN ENCRYPTED PRIVATE KEY-----";

// The passphrase callback: hands OpenSSL the passphrase, or nothing (a key that needs one then
// fails here rather than prompt on a terminal).
int give_passphrase(char* buf, int size, int, void* user) {
  const auto* passphrase = static_cast<const SecretString*>(user);
  if (passphrase == nullptr) return 0;
  const std::string& p = passphrase->reveal();
  if (p.size() > static_cast<std::size_t>(size)) return 0;
  p.copy(buf, p.size());
  return static_cast<int>(p.size());
}

}  // namespace

bool is_encrypted_key(std::string_view key_pem) {
  const std::size_t start = key_pem.find_first_not_of(" \t\r\n");
  return start != std::string_view::npos && key_pem.substr(start).starts_with(kEncryptedHeader);
}

Result<SecretString> encrypt_key(std::string_view key_pem, const SecretString& passphrase) {
  CG_CHECK(!passphrase.empty());
  if (is_encrypted_key(key_pem)) return make_error(Errc::invalid, "the key is already encrypted");
  auto key = parse_private_key(key_pem, "key");
  if (!key) return key.error();
  P8InfoPtr info(EVP_PKEY2PKCS8(key->get()));
  if (!info) return openssl_error("EVP_PKEY2PKCS8");
  unsigned char salt[16];
  if (RAND_bytes(salt, sizeof salt) != 1) return openssl_error("RAND_bytes");
  AlgorPtr pbe(PKCS5_pbe2_set_scrypt(EVP_aes_256_cbc(), salt, sizeof salt, nullptr, kScryptN,
                                     kScryptR, kScryptP));
  if (!pbe) return openssl_error("PKCS5_pbe2_set_scrypt");
  const std::string& p = passphrase.reveal();
  X509SigPtr sig(PKCS8_set0_pbe(p.data(), static_cast<int>(p.size()), info.get(), pbe.get()));
  if (!sig) return openssl_error("PKCS8_set0_pbe");
  (void)pbe.release();  // owned by `sig` now
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PKCS8(bio.get(), sig.get()) != 1)
    return openssl_error("PEM_write_PKCS8");
  return SecretString(bio_contents(bio.get()));
}

Result<SecretString> decrypt_key(std::string_view key_pem, const SecretString* passphrase) {
  if (!is_encrypted_key(key_pem)) return SecretString(std::string(key_pem));
  if (passphrase == nullptr)
    return make_error(Errc::refused, "the key is encrypted and no passphrase was given");
  BioPtr bio = memory_bio(key_pem);
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, give_passphrase,
                                         const_cast<SecretString*>(passphrase)));
  if (!key) {
    ERR_clear_error();  // its queue says "maybe wrong password", nothing more useful
    return make_error(Errc::refused, "the key does not decrypt with this passphrase");
  }
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out ||
      PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return openssl_error("PEM_write_PrivateKey");
  return SecretString(bio_contents(out.get()));
}

}  // namespace certgate::pki
