#include "apply/ca_key.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "pki/ca.h"
#include "pki/intermediate.h"
#include "pki/key_protection.h"
#include "pki/random.h"

namespace certgate::apply {

using observed::kBackdate;

namespace {

Result<void> need_passphrase(const desired::DesiredState& desired, const ApplyContext& ctx) {
  if (desired.ca.key_protection != base::KeyProtection::passphrase || ctx.ca_passphrase != nullptr)
    return {};
  return make_error(Errc::refused,
                    "[ca] key_protection = \"passphrase\": the new CA key needs a passphrase, "
                    "from " +
                        ctx.passphrase_hint + "; nothing was created");
}

}  // namespace

Result<void> check_new_ca_passphrase(const plan::Plan& plan, const desired::DesiredState& desired,
                                     const ApplyContext& ctx) {
  return plan::makes_ca(plan) ? need_passphrase(desired, ctx) : Result<void>();
}

namespace {

// A new CA key, encrypted when [ca] asks (need_passphrase checked there is a passphrase), and the
// state directory made for it; returns the first serial of its database.
Result<std::string> seal_new_key(pki::SecretString& key_pem, const desired::CaSpec& ca,
                                 ApplyContext& ctx) {
  if (ca.key_protection == base::KeyProtection::passphrase) {
    auto sealed = pki::encrypt_key(key_pem.reveal(), *ctx.ca_passphrase);
    if (!sealed) return sealed.error();
    key_pem = std::move(*sealed);
  }
  if (auto r = ctx.fs.make_dirs(ctx.state_dir, 0700); !r) return r.error();
  return pki::random_serial();
}

// The intermediate's key (encrypted when [ca] asks) and its CSR for the root, or, once the root
// signed it, the installation of its certificate with the root's certificate and CRL.
Result<void> intermediate_files(const desired::DesiredState& desired, ApplyContext& ctx,
                                pki::CaDatabase& db, bool awaiting_root,
                                const std::string& generation) {
  const desired::CaSpec& ca = desired.ca;
  if (awaiting_root) {
    if (auto r =
            db.install_intermediate(ca.intermediate_cert.pem, ca.root_cert.pem, ca.root_crl.pem);
        !r)
      return r;
    spdlog::info("installed intermediate CA from {} (root {}, root CRL {})",
                 ca.intermediate_cert.path, ca.root_cert.path, ca.root_crl.path);
    return {};
  }
  pki::CaSubject subject{ca.common_name, ca.organization, ca.organizational_unit, ca.country,
                         generation};
  auto request = pki::create_intermediate_csr(subject, ca.key);
  if (!request) return request.error();
  auto serial = seal_new_key(request->key_pem, ca, ctx);
  if (!serial) return serial.error();
  if (auto r = db.create_pending(request->key_pem, request->csr_pem, *serial); !r) return r;
  spdlog::info("made the intermediate CA's key and {}: waiting for the root to sign it",
               db.intermediate_csr_path());
  return {};
}

}  // namespace

Result<void> create_ca_files(const desired::DesiredState& desired, ApplyContext& ctx,
                             pki::CaDatabase& db, bool awaiting_root,
                             const std::string& generation) {
  if (!awaiting_root) {
    if (auto r = need_passphrase(desired, ctx); !r) return r;
  }
  if (desired.ca.is_intermediate())
    return intermediate_files(desired, ctx, db, awaiting_root, generation);
  const bool protect = desired.ca.key_protection == base::KeyProtection::passphrase;
  pki::CaSubject subject{desired.ca.common_name, desired.ca.organization,
                         desired.ca.organizational_unit, desired.ca.country};
  auto ca =
      pki::create_ca(subject, desired.ca.key, ctx.now - kBackdate, ctx.now + desired.ca.validity);
  if (!ca) return ca.error();
  auto serial = seal_new_key(ca->key_pem, desired.ca, ctx);
  if (!serial) return serial.error();
  if (auto r = db.create(ca->key_pem, ca->cert_pem, *serial); !r) return r;
  spdlog::info("created CA \"{}\" ({}{})", desired.ca.common_name, to_string(desired.ca.key),
               protect ? ", key encrypted" : "");
  return {};
}

Result<pki::SecretString> unlock_ca_key(const pki::SecretString& key_pem,
                                        base::KeyProtection wanted, const ApplyContext& ctx,
                                        const std::string& path) {
  if (!pki::is_encrypted_key(key_pem.reveal())) {
    if (wanted == base::KeyProtection::passphrase)
      spdlog::warn(
          "{} is not encrypted though [ca] key_protection = \"passphrase\": run "
          "`certgate ca protect`",
          path);
    return pki::SecretString(key_pem.reveal());
  }
  if (ctx.ca_passphrase == nullptr)
    return make_error(Errc::refused, path + " is encrypted: give its passphrase with " +
                                         ctx.passphrase_hint + "; nothing was changed");
  auto plain = pki::decrypt_key(key_pem.reveal(), ctx.ca_passphrase);
  if (!plain)
    return make_error(Errc::refused, path + " does not decrypt with the passphrase from " +
                                         ctx.passphrase_origin + "; nothing was changed");
  return plain;
}

bool signs_crl(const plan::Plan& plan) {
  return std::any_of(plan.actions.begin(), plan.actions.end(), [](const plan::Action& a) {
    return a.kind == plan::ActionKind::crl && a.object == plan::ObjectKind::crl &&
           a.subject == "crl";
  });
}

Result<void> install_root_crl(const plan::Plan& plan, const desired::DesiredState& desired,
                              pki::CaDatabase& db) {
  for (const plan::Action& a : plan.actions) {
    if (a.kind == plan::ActionKind::crl && a.object == plan::ObjectKind::ca) {
      // A CA taken over without its root (an easy-rsa sub-CA): the planner checked that the
      // source's root signed ca.crt.
      if (!db.has_root_cert()) {
        if (auto r = db.write_root_cert(desired.ca.root_cert.pem); !r) return r;
      }
      if (auto r = db.write_root_crl(desired.ca.root_crl.pem); !r) return r;
      spdlog::info("installed the root's CRL number {} from {}", a.after, desired.ca.root_crl.path);
    }
  }
  return {};
}

}  // namespace certgate::apply
