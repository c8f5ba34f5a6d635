// The revoked probe certificate of `certgate verify`: a certificate of this CA, revoked as soon
// as it is issued, kept with its key in STATE/probe/ so that verify can show nginx refusing it
// (observed_state.h kRevokedProbeName and its paths).
#pragma once

#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "pki/ca.h"
#include "pki/index_format.h"
#include "sys/filesystem.h"

namespace certgate::apply {

// Issues the probe certificate (ec-p256, valid until the CA expires), writes its key (0600),
// certificate and newcerts/SERIAL.pem, and appends it to `index` as revoked
// (cessationOfOperation) at `now`; the caller commits `index` and writes the CRL. The key is not
// secret in the way a device's is (its certificate is revoked), but it is kept 0600 all the same.
Result<void> issue_revoked_probe(const pki::CaSigner& signer, sys::Filesystem& fs,
                                 const std::string& state_dir, base::Instant now,
                                 std::vector<pki::IndexEntry>& index);

}  // namespace certgate::apply
