// `certgate bundle`: a device's PKCS#12 bundle made again from its stored key and certificate,
// for another profile or a lost file.
#pragma once

#include <string>

#include "base/pki_types.h"
#include "base/result.h"
#include "sys/filesystem.h"

namespace certgate::apply {

// Re-exports device `device`'s bundle from its stored key and certificate with `profile`,
// reusing bundle.pass when there is one; writes it to `out` (0600). Errc::not_found when the
// device has no stored key (a CSR device, revoked, not issued), Errc::refused when its
// certificate is not valid in index.txt. REQUIRES: the caller holds STATE/lock.
Result<void> export_bundle(sys::Filesystem& fs, const std::string& state_dir,
                           const std::string& device, base::P12Profile profile,
                           const std::string& out);

}  // namespace certgate::apply
