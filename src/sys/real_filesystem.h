// RealFilesystem: sys::Filesystem on POSIX calls, with leveldb-style atomic writes.
#pragma once

#include "sys/filesystem.h"

namespace certgate::sys {

class RealFilesystem final : public Filesystem {
 public:
  Result<std::string> read(const std::string& path) override;
  Result<void> write_atomic(const std::string& path, const std::string& bytes,
                            std::uint32_t mode) override;
  Result<std::vector<std::string>> list(const std::string& path) override;
  Result<void> remove(const std::string& path) override;
  Result<FileInfo> stat(const std::string& path) override;
  Result<void> make_dirs(const std::string& path, std::uint32_t mode) override;
};

}  // namespace certgate::sys
