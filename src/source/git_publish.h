// Publishing files to a git branch (issue #14): the agent on the CA host commits its non-secret
// JSON snapshot to a branch such as "certgate/snapshot", so CI on a pull request can fetch it with
// plain git and plan against it. The branch holds only what is published: each commit's tree is
// exactly PublishRequest::files. History is only ever extended (fast-forward pushes, never a force
// push), and the other branches of the repository are not touched. libgit2 stays in this folder.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "source/git_source.h"

namespace certgate::source {

struct PublishRequest {
  // file://, ssh://, scp-like (user@host:path), or a local path of a repository, bare or not.
  // A bare repository (and every URL but file://) is pushed to through a bare clone in work_dir;
  // the branch of a local non-bare repository is updated in place (libgit2 cannot push to one),
  // which is refused when that branch is checked out there.
  std::string url;
  std::string branch;                        // e.g. "certgate/snapshot"
  std::map<std::string, std::string> files;  // path in the tree -> bytes: the commit's whole tree
  std::string message;                       // commit message
  std::string author_name = "certgate", author_email = "certgate@localhost";  // also committer
  std::string work_dir;  // a private directory for the bare clone (inside the state dir)
  SshAccess ssh;         // as git_source uses; an unknown or changed host key is refused
  // Optional: for a path the tip also has (as a regular file), whether `published` (the tip's
  // bytes) may stand for `next` (the bytes in `files`). When it says so the tip's bytes are kept,
  // so a snapshot that differs only in its timestamp makes no commit. Unset: bytes must be equal.
  std::function<bool(const std::string& path, const std::string& published,
                     const std::string& next)>
      unchanged;
  // Optional: signs each commit, as `git commit -S` does. Given the commit object without a
  // signature (what `git verify-commit` checks), returns the armored signature that goes into
  // its "gpgsig" header (pki/ssh_sign.h makes SSH signatures). Its error ends the publish with
  // nothing pushed. Unset: commits are unsigned.
  std::function<Result<std::string>(const std::string& commit_buffer)> sign;
};

// Fetches `branch` of `url` (absent: the first commit makes it, with no parent). When the tree of
// `files` differs from the tip's tree, commits it on top of the tip and pushes it, fast-forward
// only. A rejected push (someone else moved the branch) fetches once more and retries once, on
// top of the new tip; `unchanged` is asked again then.
// Returns the full id of the commit pushed, or the tip's id when nothing changed (no commit, no
// push). Touches work_dir (created when missing) and the branch of the remote, nothing else.
// Errc::invalid for a bad branch name or file path (each must be relative, without "." or ".."
// parts, and no path may be a folder of another); Errc::not_found when a local path or file://
// URL holds no repository; Errc::refused when the SSH host key or credentials are refused, or the
// branch is checked out in a local non-bare repository; Errc::stale when the retry is rejected
// too (the branch moved again, or the server refuses the update; its reason is included);
// Errc::io for other failures (libgit2's message included); req.sign's error as it returns it.
// REQUIRES: a GitLibrary is alive.
Result<std::string> publish_files(const PublishRequest& req);

// The largest file read_published_files reads: a published file is an nginx include.
inline constexpr size_t kMaxPublishedFile = 16 * 1024 * 1024;

// What a published branch holds at its tip.
struct PublishedFiles {
  std::string commit;                        // the tip's full id; empty: no such branch yet
  std::map<std::string, std::string> files;  // path in the tree -> bytes, every regular file
  std::vector<std::string> others;  // sorted paths of what is no regular file (symlinks, ...)
  // Each folder at the top of the tree -> the newest commit that changed it, along first
  // parents (a folder changed more than 10000 commits ago is left out).
  std::map<std::string, std::string> folder_commits;
};

// Fetches req.branch of req.url as publish_files does (through req.work_dir, with req.ssh; no
// other field is used) and reads the tip's whole tree. Changes nothing but work_dir.
// Errc::invalid for a file larger than kMaxPublishedFile; otherwise the errors of publish_files.
// REQUIRES: a GitLibrary is alive.
Result<PublishedFiles> read_published_files(const PublishRequest& req);

}  // namespace certgate::source
