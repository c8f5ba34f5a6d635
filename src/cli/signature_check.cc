#include "cli/signature_check.h"

#include "pki/sshsig.h"

namespace certgate::cli {

Result<std::string> check_commit_signature(sys::Filesystem& fs, const source::SourceSnapshot& snap,
                                           const std::string& allowed_signers_path) {
  if (!snap.commit)
    return make_error(Errc::refused, "--require-signed needs a git source; " + snap.description +
                                         " has no commits to check");
  const std::string what = "refusing commit " + snap.commit->substr(0, 7) + ": ";
  if (!snap.signature)
    return make_error(Errc::refused, what +
                                         "it is not signed (--require-signed); nothing was "
                                         "changed");
  auto text = fs.read(allowed_signers_path);
  if (!text) return make_error(text.error().code, "--allowed-signers: " + text.error().message);
  auto signers = pki::parse_allowed_signers(*text, allowed_signers_path);
  if (!signers) return signers.error();
  auto sig = pki::parse_ssh_signature(*snap.signature);
  if (!sig)
    return make_error(Errc::refused,
                      what + "its signature is not an SSH signature: " + sig.error().message);
  if (auto r = pki::verify_ssh_signature(*sig, snap.signed_data, "git"); !r)
    return make_error(Errc::refused, what + "its signature does not verify: " + r.error().message +
                                         "; nothing was changed");
  auto signer = pki::find_signer(*signers, *sig, "git");
  if (!signer)
    return make_error(Errc::refused, what + signer.error().message + "; nothing was changed");
  return signer;
}

}  // namespace certgate::cli
