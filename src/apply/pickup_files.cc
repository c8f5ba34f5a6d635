#include "apply/pickup_files.h"

#include "apply/device_files.h"
#include "pki/inspect.h"
#include "pki/mobileconfig.h"
#include "pki/random.h"
#include "render/enroll_pages.h"
#include "sys/secret_file.h"

namespace certgate::apply {

namespace {

// The content of `path`, nullopt when it does not exist.
Result<std::optional<std::string>> read_if_present(sys::Filesystem& fs, const std::string& path) {
  auto bytes = fs.read(path);
  if (bytes) return std::optional<std::string>(std::move(*bytes));
  if (bytes.error().code == Errc::not_found) return std::optional<std::string>();
  return bytes.error();
}

}  // namespace

std::vector<render::EnrollLinkRef> servable_links(const desired::DesiredState& desired,
                                                  const std::set<std::string>& live,
                                                  const std::vector<observed::EnrollLink>& open) {
  std::vector<render::EnrollLinkRef> out;
  for (const observed::EnrollLink& link : open) {
    const desired::Device* d = desired.find_device(link.device);
    if (!d || d->is_revoked() || d->has_csr() || !live.contains(link.device)) continue;
    // A link read from a snapshot has no token: its locations name a placeholder, which a
    // snapshot's pickup/links.conf names too (observed/snapshot.h).
    if (link.token.empty())
      out.push_back({link.device, observed::token_placeholder(link.device), link.token_sha256});
    else
      out.push_back({link.device, link.token, pki::sha256_hex(link.token)});
  }
  return out;
}

Result<PickupFiles> pickup_files(sys::Filesystem& fs, const std::string& state_dir,
                                 const desired::DesiredState& desired,
                                 const std::set<std::string>& live, const std::string& ca_pem,
                                 const std::vector<observed::EnrollLink>& open,
                                 const std::string& group) {
  PickupFiles out;
  out.files[std::string(render::kPickupDir) + "/.group"] = group + "\n";
  // The profile's identity: the root of a two-tier chain (its last certificate), so that a new
  // intermediate still replaces the installed profile (pki/mobileconfig.h).
  const std::vector<std::string_view> chain = pki::pem_blocks(ca_pem, "CERTIFICATE");
  auto ca_sha256 = pki::certificate_sha256(chain.size() > 1 ? chain.back() : ca_pem);
  if (!ca_sha256) return ca_sha256.error();
  const DeviceFiles devices(fs, state_dir);
  const std::string prefix = std::string(render::kPickupDir) + "/";
  for (const std::string& name : live) {
    const desired::Device* d = desired.find_device(name);
    if (!d || d->is_revoked()) continue;
    auto cert = read_if_present(fs, sys::join_path(devices.dir(name), "cert.pem"));
    if (!cert) return cert.error();
    if (*cert) out.files[prefix + name + ".pem"] = std::move(**cert);
    if (d->has_csr()) continue;  // its key stays on the device: no bundle
    const std::string bundle_path = sys::join_path(devices.dir(name), "bundle.p12");
    if (auto r = sys::check_private(fs, bundle_path); !r) return r.error();
    auto bundle = read_if_present(fs, bundle_path);
    if (!bundle) return bundle.error();
    if (!*bundle) continue;
    const pki::SecretString profile =
        pki::make_mobileconfig({name, desired.ca.common_name, *ca_sha256, **bundle});
    out.files[prefix + name + ".mobileconfig"] = profile.reveal();
    out.files[prefix + name + ".p12"] = std::move(**bundle);
  }
  for (const render::EnrollLinkRef& link : servable_links(desired, live, open)) {
    for (const observed::EnrollLink& l : open) {
      if (l.device != link.device) continue;
      out.files[prefix + link.device + ".html"] =
          render::enroll_page({link.device, desired.ca.common_name, l.expires_at});
    }
    out.links.push_back(link);
  }
  return out;
}

}  // namespace certgate::apply
