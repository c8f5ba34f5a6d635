// The CA key's passphrase ([ca] key_protection = "passphrase", pki/key_protection.h), for the
// commands that sign: apply, sync, agent, `ca protect` and `root ...`.
//
// It comes from a file, never from an argument or the environment itself (both show in `ps` and
// /proc): --ca-passphrase-file FILE (CERTGATE_CA_PASSPHRASE_FILE), else systemd's credential
// $CREDENTIALS_DIRECTORY/certgate-ca-passphrase (LoadCredentialEncrypted= in the packaged
// units). Its bytes go to OpenSSL and nowhere else: no log line, message or plan quotes them.
#pragma once

#include <optional>
#include <string>

#include "apply/pki_apply.h"
#include "base/result.h"
#include "cli/global_options.h"
#include "pki/secret.h"
#include "sys/filesystem.h"

namespace certgate::cli {

inline constexpr const char* kCredentialName = "certgate-ca-passphrase";

struct CaPassphrase {
  pki::SecretString value;
  std::string origin;  // for messages: "--ca-passphrase-file /etc/certgate/pass"
};

// The passphrase, or nullopt when none is configured. The file's bytes minus one trailing
// newline. Errc::not_found when the named file is missing, Errc::refused when it is open to
// group or others (sys::check_private; a systemd credential is private by construction) or
// holds nothing.
Result<std::optional<CaPassphrase>> read_ca_passphrase(sys::Filesystem& fs, const GlobalOptions& g);

// How an operator gives the passphrase, for messages.
std::string passphrase_hint();

// read_ca_passphrase into `held`, and `ctx` pointed at it (and told how to ask for one).
Result<void> unlock_with_passphrase(sys::Filesystem& fs, const GlobalOptions& g,
                                    std::optional<CaPassphrase>& held, apply::ApplyContext& ctx);

}  // namespace certgate::cli
