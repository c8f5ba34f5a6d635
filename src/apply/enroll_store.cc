#include "apply/enroll_store.h"

#include "base/names.h"
#include "pki/random.h"

namespace certgate::apply {

Result<observed::EnrollLink> open_enroll_link(sys::Filesystem& fs, const std::string& state_dir,
                                              const std::string& device, base::Instant now,
                                              std::chrono::seconds validity) {
  CG_CHECK(base::is_valid_name(device));
  CG_CHECK(validity > std::chrono::seconds{0});
  auto token = pki::random_token();
  if (!token) return token.error();
  observed::EnrollLink link{device, token->reveal(), now, now + validity};
  if (auto r = fs.make_dirs(sys::join_path(state_dir, observed::kEnrollDir), 0700); !r)
    return r.error();
  // write_atomic creates the file 0600 from the start: the token is never readable by others.
  if (auto r = fs.write_atomic(observed::enroll_link_path(state_dir, device),
                               observed::format_enroll_link(link), 0600);
      !r)
    return r.error();
  return link;
}

Result<bool> cancel_enroll_link(sys::Filesystem& fs, const std::string& state_dir,
                                const std::string& device) {
  CG_CHECK(base::is_valid_name(device));
  const std::string path = observed::enroll_link_path(state_dir, device);
  auto info = fs.stat(path);
  if (!info && info.error().code == Errc::not_found) return false;
  if (!info) return info.error();
  if (auto r = fs.remove(path); !r) return r.error();
  return true;
}

}  // namespace certgate::apply
