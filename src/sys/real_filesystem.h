// RealFilesystem: sys::Filesystem on POSIX calls, with leveldb-style atomic writes.
#pragma once

#include <set>

#include "sys/filesystem.h"

namespace certgate::sys {

class RealFilesystem final : public Filesystem {
 public:
  Result<std::string> read(const std::string& path) override;
  Result<void> write_atomic(const std::string& path, const std::string& bytes,
                            std::uint32_t mode) override;
  Result<void> write_deferred(const std::string& path, const std::string& bytes,
                              std::uint32_t mode) override;
  Result<void> sync() override;
  Result<void> rename(const std::string& from, const std::string& to) override;
  Result<std::vector<std::string>> list(const std::string& path) override;
  Result<void> remove(const std::string& path) override;
  Result<FileInfo> stat(const std::string& path) override;
  Result<void> make_dirs(const std::string& path, std::uint32_t mode) override;
  Result<void> set_group(const std::string& path, const std::string& group) override;
  // Walks `relative` with openat(O_NOFOLLOW) from `root`; defined in read_inside.cc.
  Result<std::string> read_inside(const std::string& root, const std::string& relative,
                                  std::uint64_t max_size) override;
  // One fstat and one pread loop from size - max_bytes: the cost is max_bytes, not the file.
  Result<FileTail> read_tail(const std::string& path, std::uint64_t max_bytes) override;
  Result<void> append_durable(const std::string& path, const std::string& bytes,
                              std::uint32_t mode) override;

 private:
  Result<void> sync_each();
  Result<void> sync_filesystems();
  // Files and directories with deferred changes since the last sync().
  std::set<std::string> unsynced_files_;
  std::set<std::string> unsynced_dirs_;
};

}  // namespace certgate::sys
