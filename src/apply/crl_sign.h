// Signing a CA's CRL for apply: the issuing CA's, and during a rollover the outgoing CA's
// (apply/rollover.h), each with numbers of its own.
#pragma once

#include <chrono>

#include "base/result.h"
#include "base/time.h"
#include "pki/ca.h"
#include "pki/ca_database.h"

namespace certgate::apply {

// Signs with `signer` the CRL of every revoked, unexpired certificate of `files.index`, numbered
// `planned`, valid from `now` (backdated) for `validity`, and writes it to `db` with its crlnumber.
// Errc::stale when the CA used `planned` already (`files` as this run found the database: one CRL
// per CA per apply). Returns the number.
Result<long> sign_crl(const pki::CaSigner& signer, pki::CaDatabase& db, const pki::CaFiles& files,
                      long planned, base::Instant now, std::chrono::seconds validity);

}  // namespace certgate::apply
