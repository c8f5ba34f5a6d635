// source/: where the desired state comes from, the first stage of the pipeline.
//
// A source is a TOML file, a directory holding `certgate.toml` (or --file), or (issue #5) a git
// commit. Each is read into a SourceSnapshot: the desired-state file's bytes plus a SourceTree
// through which desired/ reads the CSR files that devices name, so a git commit and a directory
// are read the same way. Nothing here interprets TOML.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "sys/filesystem.h"

namespace certgate::source {

// The global --source / --ref / --file options (DESIGN.md section 2).
struct SourceOptions {
  std::string source = ".";
  std::string ref = "main";
  std::string file = "certgate.toml";
  // Where git sources are fetched to (a bare mirror; cli/ puts it in the state directory).
  std::string mirror_dir;
  // Read a git work tree given as a path from its commits (sync and agent), not from the files
  // in it (plan on a pull request's checkout reads the files).
  bool prefer_git = false;
  // ssh:// sources: the private key (empty: ssh-agent) and the known_hosts file that must list
  // the server's host key (never learned: an unknown or changed key is refused).
  std::string ssh_key;
  std::string known_hosts;
};

// The largest file a device may name in the source (a CSR is about 1 KiB).
inline constexpr std::uint64_t kMaxSourceFileSize = 64 * 1024;
// The largest desired-state file read at all. desired/ refuses anything over 8 MiB with a
// diagnostic (desired/toml_limits.h); this only keeps a read from running without bound.
inline constexpr std::uint64_t kMaxDesiredStateRead = 16 * 1024 * 1024;

// Read access to the files beside the desired-state file, for paths such as "csr/alice.csr".
class SourceTree {
 public:
  virtual ~SourceTree() = default;
  // The bytes of `relative`, resolved against the folder of the desired-state file: a regular
  // file of at most kMaxSourceFileSize, reached through no symlink, the same in a directory, a
  // work tree and a git commit (sys::Filesystem::read_inside). Errc::invalid for an absolute
  // path or one that climbs out with "..", for a symlink, a FIFO or device, a directory, or a
  // file too large (messages name `relative`, never the content); Errc::not_found when the
  // file is missing.
  virtual Result<std::string> read(const std::string& relative) const = 0;
};

struct SourceSnapshot {
  std::string kind;                      // "file", "directory" or "git"
  std::string description;               // for plan headers and logs: "file examples/home.toml"
  std::string file_path;                 // the desired-state file as diagnostics name it
  std::string text;                      // its bytes
  std::optional<std::string> commit;     // the commit id, for git sources only
  std::optional<long long> commit_time;  // its committer time (Unix seconds), git only
  std::optional<std::string> author;     // its author, "Name <email>", git only (the audit log)
  // The commit's signature (the armored gpgsig header) and the bytes it signs (the commit
  // object without that header); absent for an unsigned commit or a source that is not git.
  std::optional<std::string> signature;
  std::string signed_data;
  std::shared_ptr<const SourceTree> tree;  // never null
};

// A SourceTree over the folder `root` of `fs`, which must outlive it.
std::shared_ptr<const SourceTree> make_filesystem_tree(sys::Filesystem& fs, std::string root);

// Reads the desired state named by `options`. Fails with Errc::not_found when nothing is there,
// Errc::invalid for a source kind that is not supported, Errc::io for read errors.
// The snapshot's tree reads through `fs`, which must outlive it.
Result<SourceSnapshot> load(const SourceOptions& options, sys::Filesystem& fs);

// True when `relative` is a plain relative path: not empty, not absolute, no "." or ".."
// component, no empty component.
bool is_safe_relative_path(const std::string& relative);

}  // namespace certgate::source
