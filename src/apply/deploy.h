// Deploying the nginx files to one target: stage, keep the previous versions, install
// atomically, `nginx -t`, reload; on any failure restore the previous files byte for byte and
// do not reload (DESIGN.md sections 2 and 4).
//
// The previous versions of the files a deploy replaces wait in DIR/.certgate-previous/ until the
// reload has succeeded. A deploy killed half way leaves that folder behind: the next one keeps
// it (it holds the last files nginx accepted), installs again, tests, and reloads, so a failed
// test then still restores what nginx last accepted.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "desired/desired_state.h"
#include "observed/observed_state.h"
#include "targets/target.h"

namespace certgate::apply {

// The bytes every file of a target should hold now, from the CA database as apply left it:
// nginx_files() for `sites` with the live certificates of `observed` and its CRL number, plus
// ca.pem and crl.pem, and on a target serving [enroll] the files of DIR/pickup/ from the state
// directory on `state_fs` (apply/pickup_files.h), for nginx's `worker_group`. Fails with
// Errc::invalid, deploying nothing, when the CRL is not one nginx should be given: unsigned by this
// CA, or with a nextUpdate less than an hour ahead
// (`nginx -t` accepts both, and an expired CRL turns every client away).
Result<std::map<std::string, std::string>> target_files(
    const desired::DesiredState& desired, const std::vector<std::string>& sites,
    const std::string& dir, const observed::ObservedState& observed, const std::string& ca_pem,
    const std::string& crl_pem, const std::string& generated_from, base::Instant now,
    sys::Filesystem& state_fs, const std::string& worker_group);

struct DeployRequest {
  std::string dir;
  std::string test;                          // [nginx].test, run with /bin/sh -c on the target
  std::string reload;                        // [nginx].reload
  std::map<std::string, std::string> files;  // path relative to dir -> bytes
  std::chrono::seconds command_timeout{120};
  // false: only the files listed may change (a CRL-only deploy); true: generated site files
  // that are not listed belong to removed sites and go, and so do the files of DIR/pickup/ that
  // are not listed (devices revoked or deleted, links closed).
  bool prunes_sites = true;
  // [nginx].worker_group: DIR/pickup/ (0750) and its files (0640), which hold bundles and the
  // links' tokens, get this group so that nginx's workers read them and nobody else does. The
  // files list pickup/.group (target_files writes it): when its bytes change, every pickup file
  // is written again, with the new group.
  std::string group = "";
};

struct DeployResult {
  std::vector<std::string> written;  // relative paths, sorted
  std::vector<std::string> removed;  // generated files of sites no longer wanted
  bool reloaded = false;
  std::map<std::string, std::string> deployed;  // relative path -> sha256, as now on the target

  bool operator==(const DeployResult&) const = default;
};

// Brings `target` to `request.files`. Nothing changed and no interrupted deploy: no command
// runs. Otherwise writes what differs (0644, pickup/ 0640 with `group`; ca.pem, crl.pem, sites/
// and pickup/, then http.conf), removes
// generated site files no longer wanted, runs test then reload. When either fails, restores
// every replaced file byte for byte (and removes new ones) and returns Errc::command_failed with
// the command's own output; nginx is not reloaded after a failed test, and after a failed reload
// it is reloaded again with the restored files (it may have loaded the new ones). Errc::io when a
// file cannot be written (the previous versions are then restored too, as far as the disk lets).
Result<DeployResult> deploy(targets::Target& target, const DeployRequest& request);

}  // namespace certgate::apply
