// FaultyFilesystem: a sys::Filesystem in memory that fails at the Nth change and simulates a
// crash (a power cut) by dropping what was not made durable, for the crash tests of apply/
// (../shared/STYLE.md section 7; leveldb's ErrorEnv and FaultInjectionTestEnv).
//
// It keeps two views of one disk: what processes see (a MemFilesystem) and what a crash would
// leave. Durability follows sys::RealFilesystem:
//  - write_atomic: the new bytes and the directory entry are durable at once (temp file, fsync,
//    rename, fsync of the directory). That fsync of the directory also makes every other entry
//    of the directory durable as it is now: a file renamed there or written deferred keeps its
//    name, but not bytes that were never synced;
//  - write_deferred, rename, remove and make_dirs are durable only after the next sync();
//  - sync() makes everything durable.
// crash() reverts to the durable view: unsynced writes, renames, removals and new directories
// are undone, entries below a directory that is not itself durable are lost, and a file whose
// name is durable but whose bytes never were is left empty (ext4's zero-length file).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "support/mem_filesystem.h"
#include "sys/filesystem.h"

namespace certgate::testing {

class FaultyFilesystem final : public sys::Filesystem {
 public:
  // How a fault behaves: `stop` fails change N and every later one, changing nothing (the
  // process died there); `once` fails change N only (a full disk for a moment).
  enum class Fault { stop, once };

  FaultyFilesystem() = default;
  // Starts from the files and directories of `disk`, all of them durable.
  explicit FaultyFilesystem(const MemFilesystem& disk);

  Result<std::string> read(const std::string& path) override { return live_.read(path); }
  Result<void> write_atomic(const std::string& path, const std::string& bytes,
                            std::uint32_t mode) override;
  Result<void> write_deferred(const std::string& path, const std::string& bytes,
                              std::uint32_t mode) override;
  Result<void> sync() override;
  Result<void> rename(const std::string& from, const std::string& to) override;
  Result<std::vector<std::string>> list(const std::string& path) override {
    return live_.list(path);
  }
  Result<void> remove(const std::string& path) override;
  Result<sys::FileInfo> stat(const std::string& path) override { return live_.stat(path); }
  Result<void> make_dirs(const std::string& path, std::uint32_t mode) override;

  // Change `n` (counted from 1 since construction or the last crash()) fails with Errc::io.
  void fail_at(int n, Fault fault = Fault::stop) {
    fail_at_ = n;
    fault_ = fault;
  }
  // Power cut: reverts to the durable view, clears the fault and restarts the count.
  void crash();

  // Changes asked for since construction or the last crash(), failed ones included.
  int change_count() const { return changes_; }
  // One line per change that took effect, e.g. "write_atomic /state/ca/index.txt".
  const std::vector<std::string>& log() const { return log_; }
  // The files as a process sees them now, and as a crash now would leave them.
  const std::map<std::string, MemFilesystem::File>& files() const { return live_.files(); }
  std::map<std::string, MemFilesystem::File> durable_files() const;

 private:
  struct Inode {
    MemFilesystem::File file;
    bool is_synced = false;  // its bytes are on disk
  };

  // Counts a change; an error when it is to fail.
  Result<void> begin_change(const std::string& what);
  int new_inode(const std::string& bytes, std::uint32_t mode, bool is_synced);
  // fsync of directory `dir`: its entries, as they are now, become durable.
  void sync_dir(const std::string& dir);
  bool has_durable_parents(const std::string& path) const;

  MemFilesystem live_;
  std::map<std::string, int> live_names_;     // file path -> inode, as processes see it
  std::map<std::string, int> durable_names_;  // file path -> inode, after a crash
  std::set<std::string> durable_dirs_{".", "/"};
  std::vector<Inode> inodes_;
  int changes_ = 0;
  int fail_at_ = 0;
  Fault fault_ = Fault::stop;
  std::vector<std::string> log_;
};

}  // namespace certgate::testing
