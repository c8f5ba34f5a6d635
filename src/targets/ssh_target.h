// targets::SshTarget: a [[host]] as a Target. Its filesystem and runner work through one
// SshSession (SFTP and exec channels), so apply/ and observed/ treat it as they treat "local".
//
// Writes are staged: write_deferred() uploads to a temporary name beside the file and queues its
// rename; rename() queues too. The queue is carried out, in order and each rename atomically
// (SshSession::commit), at the next sync(), before any command runs, and before any other call
// that touches a queued path; so the caller reads its own writes, while the host sees a file
// change only whole, and only once everything before the sync() has been uploaded. An error of
// a queued rename is reported by the call that carries the queue out.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "targets/ssh_session.h"
#include "targets/target.h"

namespace certgate::targets {

class SshFilesystem final : public sys::Filesystem {
 public:
  explicit SshFilesystem(SshSession& session) : session_(session) {}

  Result<std::string> read(const std::string& path) override;
  Result<void> write_atomic(const std::string& path, const std::string& bytes,
                            std::uint32_t mode) override;
  Result<void> write_deferred(const std::string& path, const std::string& bytes,
                              std::uint32_t mode) override;
  Result<void> sync() override;
  Result<void> rename(const std::string& from, const std::string& to) override;
  Result<std::vector<std::string>> list(const std::string& path) override;
  Result<void> remove(const std::string& path) override;
  Result<sys::FileInfo> stat(const std::string& path) override;
  Result<void> make_dirs(const std::string& path, std::uint32_t mode) override;
  // chgrp on the host: SFTP sets owner and group by number, and names resolve on the host.
  Result<void> set_group(const std::string& path, const std::string& group) override;

  // Carries out the queued renames (without flushing the disks).
  Result<void> flush_queue();

 private:
  // Carries the queue out first when `path` is, or is in the directory of, a queued path.
  Result<void> settle(const std::string& path);

  SshSession& session_;
  Renames queue_;
  std::set<std::string> dirs_;  // directories written since the last sync()
};

class SshRunner final : public sys::CommandRunner {
 public:
  SshRunner(SshSession& session, SshFilesystem& fs) : session_(session), fs_(fs) {}
  // Runs on the host after carrying out the filesystem's queue (a command must see the files).
  Result<sys::CommandOutput> run(const sys::Command& command) override;

 private:
  SshSession& session_;
  SshFilesystem& fs_;
};

class SshTarget final : public Target {
 public:
  SshTarget(std::string name, std::unique_ptr<SshSession> session)
      : name_(std::move(name)),
        session_(std::move(session)),
        fs_(*session_),
        runner_(*session_, fs_) {}
  const std::string& name() const override { return name_; }
  sys::Filesystem& fs() override { return fs_; }
  sys::CommandRunner& runner() override { return runner_; }

 private:
  std::string name_;
  std::unique_ptr<SshSession> session_;
  SshFilesystem fs_;
  SshRunner runner_;
};

}  // namespace certgate::targets
