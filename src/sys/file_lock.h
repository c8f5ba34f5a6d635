// FileLock: one apply at a time per state directory (STATE/lock), with flock(2).
//
// The lock dies with its process, so a kill -9 never leaves a stale lock behind.
#pragma once

#include <string>

#include "base/result.h"

namespace certgate::sys {

class FileLock {
 public:
  // Takes the lock on `path` (creating the file 0600), without waiting. Errc::refused when
  // another process holds it, Errc::io when the file cannot be opened.
  static Result<FileLock> acquire(const std::string& path);

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace certgate::sys
