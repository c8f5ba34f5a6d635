// A CA rollover keeps two CAs side by side for a while (plan/rollover.h): the issuing CA in
// STATE/ca, and the outgoing one in STATE/ca-previous, whose certificates stay valid until their
// own end. The next CA is made in STATE/ca-next and moved into place by two renames; a retired
// CA's database (without its key) is kept in STATE/retired/ca-SERIAL for the record.
//
// nginx is given both: it verifies a device against whichever CA signed its certificate, and
// checks revocation with that CA's CRL.
#pragma once

#include <string>

#include "base/result.h"
#include "pki/ca_database.h"
#include "sys/filesystem.h"

namespace certgate::pki {

inline constexpr const char* kCaDir = "ca";
inline constexpr const char* kNextCaDir = "ca-next";
inline constexpr const char* kPreviousCaDir = "ca-previous";
inline constexpr const char* kRetiredDir = "retired";

// What nginx verifies clients against: the issuing CA's chain (CaDatabase::read_trust_pem), then
// the outgoing CA's certificate during a rollover. Errc::not_found without STATE/ca/ca.crt.
Result<std::string> nginx_trust_pem(sys::Filesystem& fs, const std::string& state_dir);

// What nginx checks revocation with: the issuing CA's CRLs (CaDatabase::read_crl_bundle), then
// the outgoing CA's. Errc::not_found when a CA of nginx_trust_pem has no CRL.
Result<std::string> nginx_crl_pem(sys::Filesystem& fs, const std::string& state_dir);

// Whether `files` (of STATE/ca-next) are a two-tier rollover's next intermediate: its key and
// intermediate.csr (one that parses), perhaps the certificate the root signed being installed,
// nothing signed.
bool is_next_intermediate(const CaFiles& files);

// Whether STATE/ca-previous holds a CA (its ca.crt), on certain knowledge: an I/O error is one.
Result<bool> has_previous_ca(sys::Filesystem& fs, const std::string& state_dir);

}  // namespace certgate::pki
