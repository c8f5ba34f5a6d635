// Making SSH signatures (OpenSSH's "sshsig", PROTOCOL.sshsig): the counterpart of sshsig.h, for
// the commits the CA host publishes for pull hosts, which `certgate edge --require-signed` and
// `git verify-commit` check.
//
// It runs `ssh-keygen -Y sign`, as git does for gpg.format=ssh, rather than parsing OpenSSH's
// private key format here: ssh-keygen reads every key type and format OpenSSH writes and knows
// their rules (it refuses a key file others can read). certgate never reads the key itself. The
// bytes to sign go through a private temporary file, since a command gets no stdin
// (sys/command_runner.h).
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "sys/command_runner.h"
#include "sys/filesystem.h"

namespace certgate::pki {

struct SshSignRequest {
  std::string key_path;     // the private key file, e.g. /etc/certgate/publish_ed25519
  std::string ns = "git";   // the signature's namespace; "git" for commits
  std::string scratch_dir;  // where the private temporary directory is made (inside the state
                            // dir); created 0700 when missing
};

// The armored signature ("-----BEGIN SSH SIGNATURE-----" ... "-----END SSH SIGNATURE-----\n")
// of `data` by the key of `req`, as `ssh-keygen -Y sign -n NS -f KEY` makes it; for a commit it
// is the value of its gpgsig header. Runs ssh-keygen through `runner` (30s timeout) on a copy of
// `data` in a fresh 0700 directory below req.scratch_dir, and removes both afterwards, whatever
// happens. Messages name the key's path, never its content.
// Errc::not_found when the key file does not exist; Errc::refused when it is not a regular file
// or its group or others may read it (chmod 600); Errc::command_failed when ssh-keygen fails
// (its message included: a key with a passphrase cannot be used unattended) or prints no
// signature; Errc::io when the temporary files cannot be written.
Result<std::string> ssh_sign(sys::Filesystem& fs, sys::CommandRunner& runner,
                             const SshSignRequest& req, std::string_view data);

}  // namespace certgate::pki
