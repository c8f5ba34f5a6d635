// Git sources (DESIGN.md section 2): --source as a repository path or a file://, ssh:// or
// https:// URL, --ref a branch, tag or commit. The repository is fetched into a bare mirror
// (SourceOptions::mirror_dir, under the state directory) and the desired-state file and the CSR
// files are read straight from the commit's tree: no work tree, no checkout. `plan --base REF`
// reads a commit of the local repository the same way, without fetching. libgit2 stays in this
// folder; nothing here interprets TOML.
#pragma once

#include <string>

#include "base/result.h"
#include "source/source.h"

namespace certgate::source {

// libgit2's global state, for the process's lifetime: cli/ holds one while a command runs.
class GitLibrary {
 public:
  GitLibrary();
  ~GitLibrary();
  GitLibrary(const GitLibrary&) = delete;
  GitLibrary& operator=(const GitLibrary&) = delete;
};

// What an ssh:// fetch needs, read by the caller through sys::Filesystem (source.cc).
struct SshAccess {
  std::string private_key;       // empty: ask ssh-agent
  std::string public_key;        // private_key + ".pub" when that file exists, else empty
  std::string known_hosts_path;  // for messages
  std::string known_hosts;       // the file's text; empty when it is missing (nothing is known)
};

// Fetches `url` into options.mirror_dir (created bare when missing; its "origin" follows `url`),
// resolves options.ref (a branch of the remote, a tag, or a commit id) and reads options.file
// from that commit. The snapshot's kind is "git", its commit the full id, its file_path
// "1a2b3c4:certgate.toml" (git's rev:path, so diagnostics name the commit).
// Errc::not_found for an unknown ref or a file missing from the commit, Errc::io when the fetch
// fails (libgit2's message included).
// For ssh:// the server's host key must be in ssh.known_hosts (an unknown, changed or revoked key
// is Errc::refused, before anything is fetched).
Result<SourceSnapshot> load_git(const SourceOptions& options, const std::string& url,
                                const SshAccess& ssh);

// Reads `file` and its CSR files from the commit `ref` names (git_revparse_single: "main",
// "origin/main", "v3", "HEAD~1", a commit id) of the git repository holding `path`, found
// upwards from it as git does: a work tree, a folder inside one, or a bare repository. `file` is
// relative to `path`: in the folder "infra/" of a work tree it is read as "infra/" + file. When
// `path` is a regular file, that file is read instead of `file` (as --source FILE is). For
// `certgate plan --base REF`: nothing is fetched, created or written; the work tree's files are
// not read. The snapshot is as load_git's (kind "git", file_path "1a2b3c4:infra/certgate.toml").
// Errc::not_found with the ref in the message for no repository ("--base main: no git
// repository at PATH: ..."), an unknown ref ("--base main: no such branch, tag or commit in
// ROOT (a shallow CI checkout needs `git fetch origin main`)") or a file missing from the commit
// ("commit 1a2b3c4 of ROOT (--base main): certgate.toml: not in the commit").
// REQUIRES: a GitLibrary is alive while the snapshot and its tree are used.
Result<SourceSnapshot> load_local_ref(const std::string& path, const std::string& ref,
                                      const std::string& file);

// Whether `commit` is `ancestor` or descends from it, in the mirror of options.mirror_dir.
// Errc::not_found when either commit is not in the mirror.
Result<bool> is_descendant(const std::string& mirror_dir, const std::string& commit,
                           const std::string& ancestor);

}  // namespace certgate::source
