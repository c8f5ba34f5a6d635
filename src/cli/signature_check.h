// --require-signed: the commit a sync applies must carry a valid SSH signature (git commit -S
// with gpg.format=ssh) by a key listed in --allowed-signers (ssh-keygen's allowed_signers
// format), checked with pki/sshsig.h. Used by apply, sync and the agent before anything changes.
#pragma once

#include <string>

#include "base/result.h"
#include "source/source.h"
#include "sys/filesystem.h"

namespace certgate::cli {

// The principals that signed `snap`'s commit. Errc::refused, naming the commit, when the source
// is not git, the commit is unsigned, the signature does not verify, or its key is not listed;
// Errc::invalid or not_found when the allowed signers file is malformed or missing.
Result<std::string> check_commit_signature(sys::Filesystem& fs, const source::SourceSnapshot& snap,
                                           const std::string& allowed_signers_path);

}  // namespace certgate::cli
