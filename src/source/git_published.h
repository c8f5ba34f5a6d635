// The edge side of pull mode (issue #15): reading what the CA host published for one host.
//
// The CA host commits each pull host's public nginx files to a branch of a "publish" repository,
// one folder per host (HOST/ca.pem, HOST/http.conf, HOST/sites/..., HOST/.certgate-manifest.json).
// `certgate edge` fetches that branch into a private bare mirror and reads HOST/ from the tip's
// tree: no work tree, no checkout, nothing of the repository is executed or interpreted here.
// What the files must be is checked by edge/published_check.h. libgit2 stays in this folder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "source/git_source.h"

namespace certgate::source {

// The largest file read from a host's folder (an http.conf of 100,000 devices is about 15 MiB),
// and the most entries it may hold: a hostile repository cannot make the edge read without bound.
inline constexpr std::uint64_t kMaxPublishedFileSize = 64 * 1024 * 1024;
inline constexpr std::size_t kMaxPublishedEntries = 10000;

struct PublishedFetch {
  std::string url;         // file://, ssh://, https://, scp-like, or an absolute local path
  std::string branch;      // e.g. "main"
  std::string host;        // the folder to read: the host's name (no '/')
  std::string mirror_dir;  // the bare mirror (created when missing), e.g. STATE/edge/HOST.git
  SshAccess ssh;           // for ssh:// and scp-like URLs; an unknown host key is refused
};

struct PublishedTree {
  std::string commit;  // the full id of the branch's tip
  long long commit_time = 0;
  // The tip's signature (the gpgsig header) and the bytes it signs; absent when unsigned.
  std::optional<std::string> signature;
  std::string signed_data;
  // Every regular file under HOST/, by its path relative to HOST/ ("sites/admin.conf").
  std::map<std::string, std::string> files;
  // Entries under HOST/ that are not regular files, for the checks to refuse:
  // "sites/x.conf (a symlink)", "vendor (a submodule)".
  std::vector<std::string> not_regular;
};

// Fetches only refs/heads/BRANCH of `url` into the mirror (the mirror's "origin" follows `url`;
// a branch deleted there is pruned) and reads HOST/ at its tip. Touches the mirror only.
// Errc::invalid for a branch or host name git or certgate cannot take; Errc::not_found when the
// branch is not on the remote or its tip has no folder HOST/; Errc::refused for an unknown or
// changed SSH host key or refused credentials; Errc::invalid when HOST/ holds more than
// kMaxPublishedEntries entries or a file larger than kMaxPublishedFileSize (named, never shown);
// Errc::io for other failures (libgit2's message included).
// REQUIRES: a GitLibrary is alive.
Result<PublishedTree> fetch_published(const PublishedFetch& fetch);

}  // namespace certgate::source
