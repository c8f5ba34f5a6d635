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
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "targets/target.h"

namespace certgate::apply {

// Fails with Errc::invalid when `crl_pem` is not a CRL nginx should be given: unsigned by the CA
// of `ca_pem`, or with a nextUpdate less than an hour after `now` (`nginx -t` accepts both, and
// an expired CRL turns every client away). Checked before any target gets it.
Result<void> check_crl_deployable(const std::string& crl_pem, const std::string& ca_pem,
                                  base::Instant now);

// One target's share of a plan: the files its file actions change, with the bytes the plan
// decided (render/target_contents.h). Nothing else on the target is written or removed: the
// plan alone decides what changes (which stale site files go, what a revocation rewrites).
struct DeployRequest {
  std::string dir;
  std::string test;    // [nginx].test, run with /bin/sh -c on the target
  std::string reload;  // [nginx].reload
  // Path relative to dir -> the new bytes, or nullopt to remove the file.
  std::map<std::string, std::optional<std::string>> changes = {};
  // sha256 of a changed file as the plan saw it ("" when it was absent). A file that does not hold
  // it any more was changed by someone else since the plan: nothing is deployed (Errc::stale).
  // A change without an entry here is not checked (DIR/.certgate-manifest.json).
  std::map<std::string, std::string> expected = {};
  std::chrono::seconds command_timeout{120};
  // [nginx].worker_group: DIR/pickup/ (0750) and its files (0640), which hold bundles and the
  // links' tokens, get this group so that nginx's workers read them and nobody else does.
  std::string group = "";
  // A first deploy to this target (nothing recorded for it yet): only then may a reload that
  // says no nginx runs keep the files nginx -t accepted (a first run before nginx starts). On
  // a target certgate deployed to before, such a reload fails and restores as any other: the
  // nginx that ran its files may still run, reached by other means than the reload.
  bool first_deploy = false;
  // True when a server answers at one of the target's probes. A reload that says no nginx runs
  // is then a failure like any other (the files are restored): a server the reload cannot
  // reach (another pid file, another nginx) serves, and would not run them. Null: not checked.
  std::function<bool()> serves = nullptr;
};

struct DeployResult {
  std::vector<std::string> written;  // relative paths, sorted
  std::vector<std::string> removed;  // relative paths, sorted
  bool reloaded = false;
  // The reload failed because no nginx runs (apply/nginx_commands.h): the files nginx -t
  // accepted stay in place for nginx to start with.
  bool nginx_not_running = false;

  bool operator==(const DeployResult&) const = default;
};

// Carries out `request` on `target`. No change and no interrupted deploy: no command runs.
// Otherwise checks that every changed file still holds what the plan saw (Errc::stale, nothing
// changed, when one does not), writes the changes (0644, pickup/ 0640 with `group`; PEM files,
// sites/ and pickup/, then http.conf, then the manifest), runs test then reload. When either
// fails, restores every replaced file byte for byte (and removes new ones) and returns
// Errc::command_failed with the command's own output; nginx is not reloaded after a failed test,
// and after a failed reload it is reloaded again with the restored files (it may have loaded the
// new ones). When the reload fails because no nginx runs, the files `nginx -t` accepted stay and
// the result says nginx_not_running. Errc::io when a file cannot be written (the previous versions
// are then restored too, as far as the disk lets); the message says which live files had changed.
Result<DeployResult> deploy(targets::Target& target, const DeployRequest& request);

}  // namespace certgate::apply
