// What one target must hold once a plan has run, decided in one place (issue #15): the exact
// bytes of every file, or, for a file whose bytes only apply can make, that they are not known
// yet. PURE, like nginx_files() which it wraps.
//
// The plan renders each target with the certificates and the CRL number the plan leaves
// (plan::live_certs_after, Plan::crl_number) and diffs the result with what the target holds
// (plan/deploy.h); apply writes exactly the bytes of the plan's file actions. A file is unknown
// when it holds something apply makes: the CRL it signs (crl.pem), a new CA (ca.pem), a serial it
// chooses (http.conf, whose maps list certificates it issues or renews), a new bundle (pickup/).
// Apply fills those in once it has signed, from the same function, and checks that every file the
// plan knew comes out byte for byte the same.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "desired/desired_state.h"
#include "plan/deploy.h"
#include "render/nginx_files.h"

namespace certgate::render {

struct FileContent {
  // The file's bytes; for an unknown .conf a preview (planned serials shown as "(new)"), for
  // other unknown files empty.
  std::string bytes;
  bool known = true;

  bool operator==(const FileContent&) const = default;
};

// Path relative to the target's dir -> content.
using TargetContents = std::map<std::string, FileContent>;

// The files of `sites` on a target (nginx_files with `in`: in.ca_pem or in.crl_pem unset means
// apply signs it, and the file is listed unknown), plus `pickup` (DIR/pickup/, made from the state
// directory by the caller) and `pickup_unknown` (pickup/ files of devices apply issues or
// renews). http.conf is unknown when its maps name a planned serial (plan::kPlannedSerial) or its
// generation header mixes an unknown file.
TargetContents target_contents(const desired::DesiredState& desired,
                               const std::vector<std::string>& sites, const NginxInputs& in,
                               const std::map<std::string, std::string>& pickup,
                               const std::vector<std::string>& pickup_unknown);

}  // namespace certgate::render
