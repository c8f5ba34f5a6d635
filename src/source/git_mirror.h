// What git_source (fetch the desired state) and git_publish (push the snapshot) share: the bare
// mirror under the state directory, its "origin" remote, and the remote callbacks that check an
// SSH server's host key against known_hosts and offer the configured key. Internal to source/:
// this header includes <git2.h>, so no other folder includes it (STYLE.md section 1).
#pragma once

#include <git2.h>

#include <memory>
#include <string>

#include "base/free_with.h"
#include "base/result.h"
#include "source/git_source.h"

namespace certgate::source {

using RepoPtr = std::unique_ptr<git_repository, base::FreeWith<git_repository_free>>;
using RemotePtr = std::unique_ptr<git_remote, base::FreeWith<git_remote_free>>;
using ObjectPtr = std::unique_ptr<git_object, base::FreeWith<git_object_free>>;
using CommitPtr = std::unique_ptr<git_commit, base::FreeWith<git_commit_free>>;
using TreePtr = std::unique_ptr<git_tree, base::FreeWith<git_tree_free>>;
using EntryPtr = std::unique_ptr<git_tree_entry, base::FreeWith<git_tree_entry_free>>;
using BlobPtr = std::unique_ptr<git_blob, base::FreeWith<git_blob_free>>;

// libgit2's last error, as "what: why".
Error last_git_error(Errc code, const std::string& what);

// The full hex id of `oid`.
std::string oid_hex(const git_oid* oid);

// Opens the bare repository `dir`, creating it (and its parents) when missing.
// Errc::io when it can be neither opened nor created.
Result<RepoPtr> open_mirror(const std::string& dir);

// The remote "origin" of the mirror, pointing at `url` (its URL is changed when it differs), with
// the fetch refspec "+refs/heads/*:refs/remotes/origin/*".
Result<RemotePtr> origin(git_repository* repo, const std::string& url);

// What the remote callbacks need while one fetch or push runs, and why they refused. It must
// outlive the libgit2 call its callbacks are given to.
struct SshContext {
  const SshAccess* ssh = nullptr;
  std::string host;
  int port = 22;
  int credential_attempts = 0;
  std::string refusal;
  std::string push_rejection;  // the server's reason when it refused a pushed ref update
};

// A context for `url` (ssh://[user@]host[:port]/path or scp-like user@host:path); `ssh` must
// outlive it.
SshContext ssh_context(const std::string& url, const SshAccess& ssh);

// Sets the host-key check and the credential callbacks of `callbacks`, with `ctx` as payload.
// An unknown, changed or revoked host key fails the call (see SshContext::refusal). For a push,
// a ref update the server refuses does not fail git_remote_push: its reason is kept in
// ctx.push_rejection.
void use_ssh_checks(git_remote_callbacks& callbacks, SshContext& ctx);

// The error for a failed remote call: Errc::refused with the callbacks' reason when they
// refused, else Errc::io with libgit2's message; both start with `what`.
Error remote_error(const SshContext& ctx, const std::string& what);

}  // namespace certgate::source
