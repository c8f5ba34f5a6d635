// The files of DIR/pickup/ on a target that serves the [enroll] site (render/pickup_conf.h says
// how nginx serves them), from the state directory as apply left it:
//
//   pickup/DEVICE.pem           the device's newest certificate (every device with a live one)
//   pickup/DEVICE.p12           its bundle, when certgate made its key (not for CSR devices)
//   pickup/DEVICE.mobileconfig  that bundle as an Apple configuration profile (pki/mobileconfig.h)
//   pickup/DEVICE.html          the page of its open first-enrollment link, if it has one
//   pickup/links.conf           (render/nginx_files.h) the locations of those links
//   pickup/.group               the group they are given ([nginx].worker_group): a new one
//                               rewrites them all (apply/deploy.h)
//
// The bundles keep the device's password (apply/pki_apply.h), so the owner types the one they
// know. A revoked or deleted device has no live certificate, hence no file here: the deploy
// removes its files (apply/deploy.h prunes pickup/).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "desired/desired_state.h"
#include "observed/enroll_links.h"
#include "render/pickup_conf.h"
#include "sys/filesystem.h"

namespace certgate::apply {

struct PickupFiles {
  std::map<std::string, std::string> files;  // "pickup/alice-phone.p12" -> bytes
  std::vector<render::EnrollLinkRef> links;  // the open links these files serve, by device
};

// The links of `open` that may serve a bundle: of a device in `desired` that is not revoked,
// makes no CSR, and is in `live` (holds a live certificate, or is about to).
std::vector<render::EnrollLinkRef> servable_links(const desired::DesiredState& desired,
                                                  const std::set<std::string>& live,
                                                  const std::vector<observed::EnrollLink>& open);

// Reads STATE/devices/DEVICE/{cert.pem,bundle.p12} of every device of `live` that `desired`
// names, and builds the files above. `ca_pem` is the CA certificate the profiles name. A device
// whose files are missing gets what exists (a certificate being issued has none yet).
Result<PickupFiles> pickup_files(sys::Filesystem& fs, const std::string& state_dir,
                                 const desired::DesiredState& desired,
                                 const std::set<std::string>& live, const std::string& ca_pem,
                                 const std::vector<observed::EnrollLink>& open,
                                 const std::string& group);

}  // namespace certgate::apply
