#include "apply/crl_sign.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "observed/observed_state.h"
#include "pki/inspect.h"

namespace certgate::apply {

namespace {

// Errc::stale when `planned` is not above every number the CA has used (RFC 5280 5.2.3: CRL
// numbers increase; a number is never given to two CRLs).
Result<void> check_number(const pki::CaSigner& signer, const pki::CaFiles& files, long planned) {
  long used = files.next_crl_number - 1;
  if (files.crl_pem) {
    if (auto old = pki::inspect_crl(*files.crl_pem, signer.cert_pem()); old)
      used = std::max(used, old->number);
  }
  if (planned > used) return {};
  return make_error(Errc::stale, "the plan signs CRL number " + std::to_string(planned) +
                                     ", but the CA has used numbers up to " + std::to_string(used) +
                                     "; run certgate plan again");
}

}  // namespace

Result<long> sign_crl(const pki::CaSigner& signer, pki::CaDatabase& db, const pki::CaFiles& files,
                      long planned, base::Instant now, std::chrono::seconds validity) {
  std::vector<pki::CrlEntry> entries;
  for (const pki::IndexEntry& e : files.index) {
    // RFC 5280 3.3 lets a CA drop expired certificates from its CRL; keeping the CRL small keeps
    // nginx's handshakes fast.
    if (e.status != pki::IndexStatus::revoked || !e.revoked_at || e.expires <= now) continue;
    auto reason = e.reason.value_or(base::RevocationReason::unspecified);
    // removeFromCRL belongs to delta CRLs; in a full CRL OpenSSL reads it as "not revoked".
    if (reason == base::RevocationReason::removeFromCRL)
      reason = base::RevocationReason::unspecified;
    entries.push_back({e.serial, *e.revoked_at, reason});
  }
  if (auto r = check_number(signer, files, planned); !r) return r.error();
  // thisUpdate backdated like certificates: an edge host whose clock runs a little behind
  // would otherwise find the CRL "not yet valid" and nginx would refuse every client.
  auto crl = signer.make_crl(entries, planned, now - observed::kBackdate, now + validity);
  if (!crl) return crl.error();
  if (auto r = db.write_crl(*crl, planned); !r) return r.error();
  spdlog::info("wrote CRL number={} entries={} ca={}", planned, entries.size(), db.ca_dir());
  return planned;
}

}  // namespace certgate::apply
