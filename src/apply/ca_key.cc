#include "apply/ca_key.h"

#include <spdlog/spdlog.h>

#include "pki/ca.h"
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
  for (const plan::Action& a : plan.actions) {
    if (a.object == plan::ObjectKind::ca) return need_passphrase(desired, ctx);
  }
  return {};
}

Result<void> create_ca_files(const desired::DesiredState& desired, ApplyContext& ctx,
                             pki::CaDatabase& db) {
  if (auto r = need_passphrase(desired, ctx); !r) return r;
  const bool protect = desired.ca.key_protection == base::KeyProtection::passphrase;
  pki::CaSubject subject{desired.ca.common_name, desired.ca.organization,
                         desired.ca.organizational_unit, desired.ca.country};
  auto ca =
      pki::create_ca(subject, desired.ca.key, ctx.now - kBackdate, ctx.now + desired.ca.validity);
  if (!ca) return ca.error();
  if (protect) {
    auto sealed = pki::encrypt_key(ca->key_pem.reveal(), *ctx.ca_passphrase);
    if (!sealed) return sealed.error();
    ca->key_pem = std::move(*sealed);
  }
  auto serial = pki::random_serial();
  if (!serial) return serial.error();
  if (auto r = ctx.fs.make_dirs(ctx.state_dir, 0700); !r) return r;
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

}  // namespace certgate::apply
