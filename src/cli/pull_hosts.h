// Pull hosts on the CA host ([[host]] mode = "pull", DESIGN.md section 3): they are never
// contacted over SSH. Their "deployed files" are those of their folders on the [publish] branch,
// read once per run for all of them (observe_pull_hosts, called by run_pipeline), so that the plan
// diffs them like any target's and ends their changes in a publish action instead of a reload.
// Apply commits the files of every pull host in one SSH-signed commit (publish_pull_hosts, on
// apply/publish_hosts.h); `certgate edge` on each host fetches its folder, tests and reloads.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "apply/publish_hosts.h"
#include "apply/rollout.h"
#include "base/result.h"
#include "base/time.h"
#include "cli/global_options.h"
#include "cli/pipeline.h"
#include "observed/deployed.h"
#include "source/git_source.h"
#include "sys/command_runner.h"
#include "sys/filesystem.h"

namespace certgate::cli {

// STATE/git/publish.git: the bare clone of the [publish] repository.
std::string publish_work_dir(const std::string& state_dir);

// How an ssh:// or scp-like [publish] repository is reached: --ssh-key (and its .pub when there
// is one) and the text of --known-hosts (default ~/.ssh/known_hosts; a missing file knows no
// host). Errc::io when --known-hosts cannot be read.
Result<source::SshAccess> publish_ssh_access(const GlobalOptions& g, sys::Filesystem& fs);

// `host`'s folder at the tip (`published`, null when the tip has none), as the files deployed
// on a target whose [nginx].dir is `dir`: the sha256 and, for a .conf, the text of each file, what
// its manifest says the files came from, and the publish commit that last changed the folder.
observed::TargetFiles published_target(const std::string& host, const std::string& dir,
                                       const apply::PublishedHost* published);

// When the desired state has [publish]: reads its branch once (fetching into publish_work_dir)
// and gives each pull host of run.targets its folder's files in files[i] (the same index), and
// sets run.published_tip, run.stale_published (folders of hosts that are no pull host any
// more) and run.publish_notes (paths there that are no part of the layout). When the branch cannot
// be read, every pull host is unreachable, with why, and is not compared. Touches nothing but the
// clone (and STATE/git, created 0700 when missing). REQUIRES: files.size() == run.targets.size(); a
// source::GitLibrary is alive.
void observe_pull_hosts(const GlobalOptions& g, sys::Filesystem& fs, PlanRun& run,
                        std::vector<observed::TargetFiles>& files);

// The whole file set of every pull host of `run`, from run.wants (REQUIRES: resolved, after
// apply_pki), with its manifest (source run.generated_from, the source commit, the host's dir and
// `now`). Errc::invalid, naming the host, for a file whose bytes are still unknown or a crl.pem
// nginx should not be given (apply/deploy.h check_crl_deployable).
Result<std::vector<apply::PullHostFiles>> pull_host_files(const PlanRun& run, base::Instant now);

// What publishing did, per pull host, as the rollout reports push targets.
struct PublishOutcome {
  std::vector<apply::TargetResult> results;  // each pull host and removed folder: deployed,
                                             // unchanged or failed (why in error)
  // Pull host -> path relative to its dir -> sha256 of what its folder holds now (state.json);
  // absent for a host whose publish failed.
  std::map<std::string, std::map<std::string, std::string>> deployed;
  int files = 0;       // files the commit changed or removed, over every host
  std::string commit;  // the publish commit pushed; empty when none was made

  bool is_empty() const { return results.empty(); }
};

// When the plan has a publish action: one commit signed with [publish].signing_key
// (apply::ssh_commit_signer, its temporary files in STATE/git) holding every pull host's files
// (pull_host_files), pushed to [publish].branch; nothing is committed when no file of any pull
// host changes. A pull host whose branch could not be read when the plan was made fails without
// a try; a failed publish fails every pull host the plan changes, and changes nothing else (the
// PKI and the push targets are not undone). Touches the [publish] branch and STATE/git only.
// REQUIRES: a source::GitLibrary is alive.
PublishOutcome publish_pull_hosts(const GlobalOptions& g, const PlanRun& run, sys::Filesystem& fs,
                                  sys::CommandRunner& runner, base::Instant now);

}  // namespace certgate::cli
