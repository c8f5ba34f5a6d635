#include "apply/cache_update.h"

#include <algorithm>

namespace certgate::apply {

std::optional<pki::CertCache> updated_cert_cache(
    const observed::ObservedState& observed, const pki::CertCache& issued,
    const std::map<std::string, base::RevocationReason>& revoked) {
  const bool gains = !issued.empty() || std::any_of(observed.certs.begin(), observed.certs.end(),
                                                    [](const observed::Cert& c) {
                                                      return c.has_file && !c.is_cached;
                                                    });
  if (!gains) return std::nullopt;
  pki::CertCache cache = issued;
  for (const observed::Cert& c : observed.certs) {
    auto it = revoked.find(c.serial);
    const bool compromised =
        c.reason == base::RevocationReason::keyCompromise ||
        (it != revoked.end() && it->second == base::RevocationReason::keyCompromise);
    const bool valid = c.status == observed::CertStatus::valid && it == revoked.end();
    if (!c.has_file || !(valid || compromised)) continue;
    // An imported certificate's email could hold a tab or newline; such a one is not cached.
    if (c.owner.find_first_of("\t\n") != std::string::npos) continue;
    const char* origin = c.key_origin == observed::KeyOrigin::server ? "server"
                         : c.key_origin == observed::KeyOrigin::csr  ? "csr"
                                                                     : "";
    cache[c.serial] = {c.not_before, c.key, c.public_key_sha256, c.owner, origin};
  }
  return cache;
}

}  // namespace certgate::apply
