// FakeSsh: a targets::SshSession for unit tests of SshTarget and of what runs over it (deploy,
// rollout). A MemFilesystem stands for the host's disk and a CommandRunner (a FakeRunner, or a
// test's own) for its shell; both are borrowed and must outlive the session, so that a test can
// look at the disk after an SshTarget that owns the session is gone.
//
// Every call is recorded in `calls` ("write PATH", "commit 2 renames flush", "exec SHELL") and
// every commit in `commits`. It can be told to lose the connection, as a dropped link fails every
// later SFTP and exec call: at once (disconnect) or at the write after the next `n`
// (fail_after_writes). A failing commit renames nothing and keeps the connection.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "support/mem_filesystem.h"
#include "sys/command_runner.h"
#include "targets/ssh_session.h"

namespace certgate::testing {

class FakeSsh final : public targets::SshSession {
 public:
  struct Commit {
    targets::Renames renames;
    bool flush = false;
    std::vector<std::string> dirs;

    bool operator==(const Commit&) const = default;
  };

  FakeSsh(MemFilesystem& disk, sys::CommandRunner& shell) : disk_(disk), shell_(shell) {}

  // The next `n` writes succeed; then the connection drops: every later call fails with
  // Errc::io "connection lost".
  void fail_after_writes(int n) { writes_left_ = n; }
  // The next `n` calls of any kind succeed; then the connection drops.
  void fail_after_calls(int n) { calls_left_ = n; }
  // The connection drops now.
  void disconnect() { is_connected_ = false; }
  // The next commit fails (Errc::io) before renaming anything.
  void fail_next_commit() { fails_next_commit_ = true; }

  bool is_connected() const { return is_connected_; }
  int flushes() const { return flushes_; }

  std::vector<std::string> calls;
  std::vector<Commit> commits;

  Result<sys::CommandOutput> exec(const sys::Command& command) override {
    if (auto r = call("exec " + command.shell); !r) return r.error();
    return shell_.run(command);
  }
  Result<std::string> read(const std::string& path) override {
    if (auto r = call("read " + path); !r) return r.error();
    return disk_.read(path);
  }
  Result<void> write(const std::string& path, const std::string& bytes,
                     std::uint32_t mode) override {
    if (writes_left_ == 0) is_connected_ = false;
    if (writes_left_ > 0) --writes_left_;
    if (auto r = call("write " + path); !r) return r;
    return disk_.write_atomic(path, bytes, mode);
  }
  Result<std::vector<std::string>> list(const std::string& path) override {
    if (auto r = call("list " + path); !r) return r.error();
    return disk_.list(path);
  }
  Result<sys::FileInfo> stat(const std::string& path) override {
    if (auto r = call("stat " + path); !r) return r.error();
    return disk_.stat(path);
  }
  Result<void> remove(const std::string& path) override {
    if (auto r = call("remove " + path); !r) return r;
    return disk_.remove(path);
  }
  Result<void> make_dir(const std::string& path, std::uint32_t mode) override {
    if (auto r = call("make_dir " + path); !r) return r;
    if (!disk_.stat(sys::parent_path(path)))
      return make_error(Errc::not_found, "mkdir " + path + ": no parent directory");
    return disk_.make_dirs(path, mode);
  }
  Result<void> commit(const targets::Renames& renames, bool flush,
                      const std::vector<std::string>& dirs) override {
    const std::string what = "commit " + std::to_string(renames.size()) + " renames";
    if (auto r = call(flush ? what + " flush" : what); !r) return r;
    commits.push_back(Commit{renames, flush, dirs});
    if (std::exchange(fails_next_commit_, false))
      return make_error(Errc::io, "mv: Permission denied");
    for (const auto& [from, to] : renames) {
      if (auto r = disk_.rename(from, to); !r) return r;
    }
    if (flush) ++flushes_;
    return {};
  }

 private:
  Result<void> call(std::string what) {
    calls.push_back(std::move(what));
    if (calls_left_ == 0) is_connected_ = false;
    if (calls_left_ > 0) --calls_left_;
    if (!is_connected_) return make_error(Errc::io, calls.back() + ": connection lost");
    return {};
  }

  MemFilesystem& disk_;
  sys::CommandRunner& shell_;
  int writes_left_ = -1;  // negative: no limit
  int calls_left_ = -1;
  bool is_connected_ = true;
  bool fails_next_commit_ = false;
  int flushes_ = 0;
};

}  // namespace certgate::testing
