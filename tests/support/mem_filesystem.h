// MemFilesystem: sys::Filesystem in memory, for unit tests of every stage that reads or writes.
//
// Records each write so tests can assert exact effects; paths are plain strings and directories
// exist when made with make_dirs or implied by a file below them.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "sys/filesystem.h"

namespace certgate::testing {

class MemFilesystem final : public sys::Filesystem {
 public:
  struct File {
    std::string bytes;
    std::uint32_t mode = 0644;

    bool operator==(const File&) const = default;
  };

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
  Result<void> set_group(const std::string& path, const std::string& group) override;

  // Test setup: puts a file (and its parent directories) in place without counting a write.
  void put(const std::string& path, std::string bytes, std::uint32_t mode = 0644);

  const std::map<std::string, File>& files() const { return files_; }
  const std::set<std::string>& dirs() const { return dirs_; }
  // What set_group gave files and directories: path -> group (a rename moves it along).
  const std::map<std::string, std::string>& groups() const { return groups_; }
  int write_count() const { return writes_; }
  // The path of every write and rename target, in order (put() is not recorded).
  const std::vector<std::string>& written() const { return written_; }
  int sync_count() const { return syncs_; }

 private:
  std::map<std::string, File> files_;
  std::set<std::string> dirs_{".", "/"};
  std::map<std::string, std::string> groups_;
  int writes_ = 0;
  int syncs_ = 0;
  std::vector<std::string> written_;
};

}  // namespace certgate::testing
