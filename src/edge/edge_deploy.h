// Deploying what an edge fetched (edge/published_check.h) to its own nginx: the crash-safe
// deployer of apply/deploy.h on this machine (targets::LocalTarget), which stages, renames
// atomically, runs the edge's test and reload commands and restores the previous files byte for
// byte when either fails; then DIR/.certgate-manifest.json, which records the publish commit the
// files came from (the next tick refuses a tip that does not descend from it).
//
// The test and reload commands come only from the edge's own command line or environment, never
// from the publish repository.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "edge/published_check.h"
#include "observed/manifest.h"
#include "targets/target.h"

namespace certgate::edge {

struct EdgeCommands {
  std::string test;    // run with /bin/sh -c, e.g. "nginx -t"
  std::string reload;  // e.g. "nginx -s reload"
  std::chrono::seconds timeout{120};
};

struct EdgeDeployResult {
  std::vector<std::string> written;  // relative paths, sorted
  std::vector<std::string> removed;  // site files no longer published
  bool reloaded = false;
  bool wrote_manifest = false;
  bool nginx_not_running = false;  // the files stay for nginx to start with (apply/deploy.h)

  bool operator==(const EdgeDeployResult&) const = default;
};

// DIR/.certgate-manifest.json on `target`; nullopt when there is none (a new edge).
// Errc::invalid when it does not parse, Errc::io when it cannot be read.
Result<std::optional<observed::Manifest>> read_deployed_manifest(targets::Target& target,
                                                                 const std::string& nginx_dir);

// Brings `nginx_dir` on `target` to `published.files`, generated site files no longer published
// removed. When nothing differs (and no deploy was interrupted) no file is touched and no
// command runs. After a successful deploy, and whenever the manifest on disk does not list the
// files published, writes the published manifest with `published_commit` set to `commit`
// (0644, atomically). Failures are those of apply::deploy (the previous files are restored) and
// Errc::io when the manifest cannot be written.
Result<EdgeDeployResult> deploy_published(targets::Target& target, const std::string& nginx_dir,
                                          const PublishedFiles& published,
                                          const std::string& commit, const EdgeCommands& commands);

}  // namespace certgate::edge
