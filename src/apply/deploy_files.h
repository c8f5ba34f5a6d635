// Deploying a whole set of files, for callers that hold the files a target's dir should contain
// rather than a plan's file actions: `certgate edge` (the files published for its host) and
// tests. The changes come from the plan's own rules (plan/deploy.h add_deploy_actions): what
// differs is written, generated files under sites/ and pickup/ that are not in the set go, and a
// new pickup/.group rewrites every pickup/ file. Nothing else is compared a second way.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "apply/deploy.h"
#include "base/result.h"
#include "targets/target.h"

namespace certgate::apply {

struct FileSet {
  std::string dir;
  std::string test;  // run with /bin/sh -c on the target
  std::string reload;
  std::map<std::string, std::string> files;  // path relative to dir -> bytes
  std::string group = "";                    // DeployRequest::group
  // DIR/.certgate-manifest.json, written with the files when any of them changes (empty: none).
  std::string manifest = "";
  std::chrono::seconds command_timeout{120};
  std::function<bool()> serves = nullptr;  // DeployRequest::serves
  bool first_deploy = false;               // DeployRequest::first_deploy
};

// The request that brings `target` to `set`, from what its dir holds now. Errc::refused when a
// file of the set would replace one certgate did not write (no generated-by header), as a plan
// refuses it; Errc::io when the dir cannot be read.
Result<DeployRequest> request_for(targets::Target& target, const FileSet& set);

// Finishes an interrupted deploy first (deploy() with no change), then deploys request_for(set).
Result<DeployResult> deploy_files(targets::Target& target, const FileSet& set);

}  // namespace certgate::apply
