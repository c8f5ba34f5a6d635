#include "apply/probe_cert.h"

#include <spdlog/spdlog.h>

#include "apply/materials.h"
#include "observed/observed_state.h"
#include "pki/ca_database.h"
#include "pki/random.h"

namespace certgate::apply {

Result<void> issue_revoked_probe(const pki::CaSigner& signer, sys::Filesystem& fs,
                                 const std::string& state_dir, base::Instant now,
                                 std::vector<pki::IndexEntry>& index) {
  auto key = pki::generate_key(base::KeyType::ec_p256);
  if (!key) return key.error();
  auto serial = pki::random_serial();
  if (!serial) return serial.error();
  pki::CertRequest request{observed::kRevokedProbeName, "", *serial, now - kBackdate,
                           signer.not_after()};
  auto cert = signer.issue_for_key(request, key->reveal());
  if (!cert) return cert.error();
  pki::CaDatabase db(fs, state_dir);
  if (auto r = fs.make_dirs(sys::join_path(state_dir, "probe"), 0700); !r) return r;
  if (auto r = db.write_newcert_deferred(cert->serial, cert->cert_pem); !r) return r;
  const std::string key_path = sys::join_path(state_dir, observed::kRevokedProbeKey);
  if (auto r = fs.write_atomic(key_path, key->reveal(), 0600); !r) return r;
  const std::string cert_path = sys::join_path(state_dir, observed::kRevokedProbeCert);
  if (auto r = fs.write_atomic(cert_path, cert->cert_pem, 0644); !r) return r;
  pki::IndexEntry e;
  e.status = pki::IndexStatus::revoked;
  e.expires = cert->not_after;
  e.revoked_at = now;
  e.reason = base::RevocationReason::cessationOfOperation;
  e.serial = cert->serial;
  e.subject = std::string("/CN=") + observed::kRevokedProbeName;
  index.push_back(std::move(e));
  spdlog::info("issued the revoked probe certificate serial={}", cert->serial);
  return {};
}

}  // namespace certgate::apply
