// The two signatures of a two-tier CA ([ca] mode = "intermediate"): the agent host makes the
// intermediate's key and CSR; the root, on its offline machine (`certgate root sign`), makes the
// intermediate's certificate from that CSR.
#pragma once

#include <string>
#include <string_view>

#include "base/pki_types.h"
#include "base/result.h"
#include "base/time.h"
#include "pki/ca.h"
#include "pki/secret.h"

namespace certgate::pki {

struct IntermediateRequest {
  SecretString key_pem;  // plain PKCS#8 PEM
  std::string csr_pem;
};

// A new `key` key and a CSR with `subject`, signed by that key.
Result<IntermediateRequest> create_intermediate_csr(const CaSubject& subject, base::KeyType key);

// The root's certificate for the CSR: its subject and public key (nothing else of the CSR),
// basicConstraints critical CA:TRUE pathlen:0, keyUsage critical keyCertSign and cRLSign, subject
// and authority key identifiers, valid from `not_before` to `not_after` capped by the root's own
// notAfter. Errc::invalid when the CSR does not verify or the root key is not the root
// certificate's.
Result<std::string> sign_intermediate(std::string_view root_key_pem, std::string_view root_cert_pem,
                                      std::string_view csr_pem, const std::string& serial,
                                      base::Instant not_before, base::Instant not_after);

}  // namespace certgate::pki
