// The CA's operations: create the CA, sign device certificates (from a fresh key or a CSR) and
// CRLs. This is the only code that holds the CA's private key in memory.
//
// apply/ opens one CaSigner per run and calls it for every action; plan/ never does. Inputs and
// outputs are PEM bytes and plain values; OpenSSL objects stay inside pki/.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/pki_types.h"
#include "base/result.h"
#include "base/time.h"
#include "pki/secret.h"

namespace certgate::pki {

// Subject fields of the CA certificate; empty fields are left out.
struct CaSubject {
  std::string common_name;
  std::string organization;
  std::string organizational_unit;
  std::string country;
  // The subject's serialNumber attribute: the generation of an intermediate after its first
  // rollover ("2", "3", ...; "" for the first), so that each has its own subject (the gates tell
  // intermediates apart by it, and root sign refuses two valid ones with one subject).
  std::string serial_number = "";
};

struct CaMaterial {
  SecretString key_pem;
  std::string cert_pem;
};

// A new self-signed CA: basicConstraints critical CA:TRUE, keyUsage critical keyCertSign and
// cRLSign, subject key identifier, valid from `not_before` to `not_after`, serial random.
// Fails with Errc::crypto (OpenSSL's queue in the message).
Result<CaMaterial> create_ca(const CaSubject& subject, base::KeyType key, base::Instant not_before,
                             base::Instant not_after);

// A new private key of type `key`, as unencrypted PKCS#8 PEM.
Result<SecretString> generate_key(base::KeyType key);

// What a device certificate says, chosen by apply/ from the desired state.
struct CertRequest {
  std::string device;  // the subject CN
  std::string owner;   // email SAN; empty for none
  std::string serial;  // uppercase hex, from random_serial()
  base::Instant not_before;
  base::Instant not_after;  // already capped by the device's not_after and the CA's expiry
};

struct IssuedCert {
  std::string serial;
  std::string cert_pem;
  base::Instant not_after;
  std::string public_key_sha256;  // as pki::CertInfo has it
};

struct NewDevice {
  IssuedCert cert;
  SecretString key_pem;
  SecretString bundle;  // PKCS#12 bytes
};

// One entry of a CRL.
struct CrlEntry {
  std::string serial;  // uppercase hex
  base::Instant revoked_at;
  base::RevocationReason reason = base::RevocationReason::unspecified;
};

class CaSigner {
 public:
  // Opens the CA from its key and certificate; fails with Errc::invalid when either does not
  // parse or the key does not belong to the certificate. `cert_pem` may go on with the
  // certificates above the CA (a two-tier CA's root), which bundles then carry too; cert_pem()
  // is the CA's alone.
  static Result<CaSigner> open(std::string_view key_pem, std::string_view cert_pem);

  CaSigner(CaSigner&&) noexcept;
  CaSigner& operator=(CaSigner&&) noexcept;
  ~CaSigner();

  base::Instant not_after() const;
  const std::string& cert_pem() const;

  // Signs a client certificate for `public_key_pem` (a PEM private key or CSR is not accepted
  // here; see the two helpers below): CN = device, email SAN = owner, keyUsage
  // digitalSignature (+keyEncipherment for RSA), extendedKeyUsage clientAuth, basicConstraints
  // CA:FALSE, subject and authority key identifiers. Safe to call from several threads.
  Result<IssuedCert> issue_for_key(const CertRequest& request, std::string_view key_pem) const;
  // The same for the public key of a CSR; the CSR's signature must verify, and nothing of it but
  // its public key is used (neither its subject nor its requested extensions).
  Result<IssuedCert> issue_for_csr(const CertRequest& request, std::string_view csr_pem) const;

  // A device with a key made here: generates a `key` key, signs its certificate as
  // issue_for_key does and builds its PKCS#12 bundle (pkcs12.h) with `password`, all without a
  // PEM round trip. REQUIRES: !password.empty(). Safe to call from several threads.
  Result<NewDevice> issue_with_new_key(const CertRequest& request, base::KeyType key,
                                       const SecretString& password,
                                       base::P12Profile profile) const;

  // A v2 CRL: the entries (reason extension unless unspecified, RFC 5280 5.3.1), crlNumber
  // `number`, authority key identifier, thisUpdate and nextUpdate.
  Result<std::string> make_crl(const std::vector<CrlEntry>& entries, long number,
                               base::Instant this_update, base::Instant next_update) const;

 private:
  struct Impl;
  explicit CaSigner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace certgate::pki
