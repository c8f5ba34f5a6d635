// The branch a publish moves (git_publish.h): a branch of a remote, fetched into and pushed
// from a bare clone, or a branch of a local non-bare repository, moved in place. Internal to
// source/: this header includes <git2.h> through git_mirror.h.
#pragma once

#include <memory>
#include <optional>

#include "source/git_mirror.h"
#include "source/git_publish.h"

namespace certgate::source {

// Where the branch lives: what its tip is now, and how it is moved.
class Branch {
 public:
  virtual ~Branch() = default;
  // The repository commits are written into.
  virtual git_repository* repo() = 0;
  // The branch's current tip (fetched first where it is remote); nullopt when it does not exist.
  virtual Result<std::optional<git_oid>> tip() = 0;
  // Moves the branch from `tip` to `next`, a descendant of it. Returns "" when it moved, else
  // why it was rejected (the branch no longer is at `tip`, or the server said no).
  virtual Result<std::string> update(const git_oid& next, const std::optional<git_oid>& tip) = 0;
};

// The branch of req.url named req.branch: a LocalBranch for a local non-bare repository, else a
// RemoteBranch through a bare clone in req.work_dir (created when missing). `req` must outlive
// it. Errc::not_found when a local path or file:// URL holds no repository; Errc::refused when
// the branch is checked out in a local non-bare repository; Errc::io otherwise.
Result<std::unique_ptr<Branch>> open_branch(const PublishRequest& req);

}  // namespace certgate::source
