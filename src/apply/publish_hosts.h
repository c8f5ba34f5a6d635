// Pull mode on the CA host (issue #15): the files of every [[host]] with mode = "pull" are
// committed, SSH-signed, to the [publish] branch, and `certgate edge` on each such host fetches
// its own directory. The tree is the contract between the two, and holds nothing secret:
//
//   HOST/ca.pem  HOST/crl.pem  HOST/http.conf  HOST/sites/SITE.conf  HOST/sites/SITE.proxy.conf
//   HOST/.certgate-manifest.json   (observed/manifest.h: host, dir, source, sha256 of each file)
//
// one directory per pull host and nothing else: a host no longer in pull mode leaves the tree.
// Keys, bundles, passwords and link tokens (pickup/) are never published; publish_hosts refuses
// them by name. Each commit's message is "certgate: publish SOURCE", with a trailer
// "Certgate-Source-Commit: ID" for a git source. Writing goes through source/git_publish.h
// (fast-forward only, never a force push).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "desired/desired_state.h"
#include "observed/manifest.h"
#include "source/git_source.h"
#include "sys/command_runner.h"
#include "sys/filesystem.h"

namespace certgate::apply {

// Signs a commit object and returns the armored signature for its gpgsig header.
using CommitSigner = std::function<Result<std::string>(const std::string& commit_buffer)>;

// A signer that runs `ssh-keygen -Y sign -n git` with `key_path` (pki/ssh_sign.h), its
// temporary files below `scratch_dir`. `fs` and `runner` must outlive it.
CommitSigner ssh_commit_signer(sys::Filesystem& fs, sys::CommandRunner& runner,
                               std::string key_path, std::string scratch_dir);

// What one pull host gets: its files as rendered for it, and its manifest.
struct PullHostFiles {
  std::string host;                          // the [[host]] name: its directory in the tree
  std::map<std::string, std::string> files;  // path relative to its [nginx].dir -> bytes
  // source, commit, dir and generated_at as the caller sets them; publish_hosts sets `target`
  // (the host) and `files` (the sha256 of each file above) itself.
  observed::Manifest manifest;
};

struct PublishHostsRequest {
  desired::Publish publish;          // repo, branch (signing_key is the signer's business)
  std::vector<PullHostFiles> hosts;  // every pull host, in any order
  std::string source;                // the source's description: "git 1a2b3c4 (main)"
  std::string source_commit;         // its full commit id when it is git; else empty
  std::string work_dir;              // the bare clone, inside the state dir: STATE/git/publish.git
  source::SshAccess ssh;             // for ssh:// and scp-like repositories
  CommitSigner sign;                 // REQUIRED: every publish commit is signed
};

// "certgate: publish SOURCE\n", and "\nCertgate-Source-Commit: ID\n" when `source_commit` is set.
std::string publish_message(const std::string& source, const std::string& source_commit);

// Commits the files of every host of `req` in one signed commit on req.publish.branch and pushes
// it. A host whose files are byte-identical to the tip's (the same names and sha256 in its
// manifest, for the same dir) keeps the tip's manifest too, so a source commit that changes no
// file of any pull host makes no commit at all. Returns the id of the commit pushed, or the tip's
// when nothing changed. Touches req.work_dir and the branch, nothing else.
// Errc::invalid, before anything is fetched, for a host name that is no valid name or appears
// twice, a file under pickup/ (bundles and link tokens), or a path that is not one of the layout
// above; otherwise the errors of source::publish_files and of the signer.
// REQUIRES: req.sign is set; a source::GitLibrary is alive.
Result<std::string> publish_hosts(const PublishHostsRequest& req);

// What one host's directory holds at the tip.
struct PublishedHost {
  // The newest commit that changed HOST/: what the host got last, the tip or an older commit
  // (empty when that is more than 10000 commits back).
  std::string commit;
  std::map<std::string, std::string> files;  // relative to HOST/, without the manifest
  std::optional<observed::Manifest> manifest;
  std::string manifest_problem;  // why there is no manifest (missing, or not one); else empty
};

// The tip of the [publish] branch as the CA host plans and reports against it.
struct Published {
  std::string commit;                          // the tip's full id; empty: nothing published yet
  std::map<std::string, PublishedHost> hosts;  // by directory (host) name
  // Paths at the tip that are no part of the layout (a file at the top, a symlink, a foreign
  // name); the next publish leaves them out.
  std::vector<std::string> unexpected;
};

// Fetches req.publish.branch into `work_dir` and reads its tip (nothing is written elsewhere).
// Errors as source::read_published_files.
// REQUIRES: a source::GitLibrary is alive.
Result<Published> read_published(const desired::Publish& publish, const std::string& work_dir,
                                 const source::SshAccess& ssh);

}  // namespace certgate::apply
