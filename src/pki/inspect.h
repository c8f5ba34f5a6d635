// Reading certificates, CSRs and CRLs into plain values, for observed/ (what is on disk) and for
// checks in apply/. Nothing here signs or writes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/pki_types.h"
#include "base/result.h"
#include "base/time.h"

namespace certgate::pki {

struct CertInfo {
  std::string serial;              // uppercase hex
  std::string common_name;         // subject CN
  std::string serial_number = "";  // subject serialNumber (an intermediate's generation), or ""
  std::string email;               // first email SAN, or ""
  std::string issuer_common_name;
  base::Instant not_before;
  base::Instant not_after;
  std::optional<base::KeyType> key;  // nullopt for a key type certgate does not issue
  std::string public_key_sha256;     // of the DER SubjectPublicKeyInfo
  bool is_ca = false;
};

// Parses one PEM certificate. Errc::invalid when it does not parse.
Result<CertInfo> inspect_certificate(std::string_view pem);

// The subject of `cert_pem` in RFC 2253 form, exactly as nginx prints $ssl_client_i_dn of the
// certificates it issued (X509_NAME_print_ex with XN_FLAG_RFC2253). Errc::invalid when it does
// not parse.
Result<std::string> subject_rfc2253(std::string_view cert_pem);

// True when `cert_pem` carries a valid signature by the key of `ca_cert_pem`.
bool is_signed_by(std::string_view cert_pem, std::string_view ca_cert_pem);

// True when private key `key_pem` belongs to certificate `cert_pem`.
bool key_matches(std::string_view key_pem, std::string_view cert_pem);

struct CsrInfo {
  std::string common_name;
  std::optional<base::KeyType> key;
  std::string public_key_sha256;  // same form as CertInfo's, to compare the two
};

// Parses a PEM certificate signing request and checks its self-signature. Errc::invalid when it
// does not parse or does not verify. Safe on any input (it has a fuzz target).
Result<CsrInfo> load_csr(std::string_view pem);

struct CrlInfo {
  long number = -1;  // crlNumber, -1 when absent
  base::Instant this_update;
  base::Instant next_update;
  std::vector<std::string> serials;  // revoked serials, uppercase hex, sorted
  bool is_signed_by_ca = false;      // signature verifies with the CA's key
};

// Parses a PEM CRL and checks its signature against `ca_cert_pem`. Errc::invalid when it does
// not parse or has no nextUpdate.
Result<CrlInfo> inspect_crl(std::string_view crl_pem, std::string_view ca_cert_pem);

// The PEM blocks labelled `label` ("CERTIFICATE", "X509 CRL") in `text`, in order, each from its
// BEGIN line to the end of its END line.
std::vector<std::string_view> pem_blocks(std::string_view text, std::string_view label);

// A CRL of a deployed crl.pem, with the certificate of the deployed ca.pem that signed it.
struct ChainCrl {
  CrlInfo info;
  int signer = -1;  // index into ca.pem's certificates; -1 when none of them signed it
};

// Every CRL of `crl_pem` (one per CA of a two-tier chain), each checked against every
// certificate of `ca_pem`. Errc::invalid when one does not parse.
Result<std::vector<ChainCrl>> inspect_crls(std::string_view crl_pem, std::string_view ca_pem);

}  // namespace certgate::pki
