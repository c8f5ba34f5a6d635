// The CA's key at the two moments apply touches it: when the CA is made (encrypted when [ca]
// key_protection = "passphrase", pki/key_protection.h) and when it is opened to sign.
#pragma once

#include <string>

#include "apply/pki_apply.h"
#include "pki/ca_database.h"

namespace certgate::apply {

// Errc::refused when `plan` makes the CA, [ca] wants its key encrypted and ctx has no
// passphrase: checked before anything is made, so a first apply refused for it leaves nothing.
Result<void> check_new_ca_passphrase(const plan::Plan& plan, const desired::DesiredState& desired,
                                     const ApplyContext& ctx);

// The plan signs this CA's CRL (a crl action on the CRL, not on the root's).
bool signs_crl(const plan::Plan& plan);
// A two-tier CA: installs the source's newer root CRL when the plan deploys it.
Result<void> install_root_crl(const plan::Plan& plan, const desired::DesiredState& desired,
                              pki::CaDatabase& db);

// Makes the CA [ca] describes in `db`, its key encrypted with ctx's passphrase when [ca] asks
// for it (Errc::refused, before anything is made, when no passphrase was given). Two tiers: the
// intermediate's key and CSR, or with `awaiting_root` the installation of the certificate the
// root signed (with the root's certificate and CRL) from the source. `generation`: the subject
// serialNumber of a rollover's next intermediate (pki::CaSubject).
Result<void> create_ca_files(const desired::DesiredState& desired, ApplyContext& ctx,
                             pki::CaDatabase& db, bool awaiting_root,
                             const std::string& generation = "");

// The CA key `key_pem` read from `path`, decrypted with ctx's passphrase when it is encrypted
// (pki/key_protection.h). Errc::refused, naming `path` and where the passphrase came from (never
// the passphrase), when it is encrypted and no passphrase was given or it is the wrong one. A
// plain key is returned as it is, with a warning when `wanted` asks for encryption.
Result<pki::SecretString> unlock_ca_key(const pki::SecretString& key_pem,
                                        base::KeyProtection wanted, const ApplyContext& ctx,
                                        const std::string& path);

}  // namespace certgate::apply
