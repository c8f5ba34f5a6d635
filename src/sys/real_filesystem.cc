#include "sys/real_filesystem.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>

namespace certgate::sys {
namespace {

// "what path: strerror" (leveldb's PosixError), with not_found kept apart for callers.
Error posix_error(std::string_view what, const std::string& path, int err) {
  return make_error(err == ENOENT ? Errc::not_found : Errc::io,
                    std::string(what) + " " + path + ": " + std::strerror(err));
}

// Closes the descriptor on every path out of a function.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now and reports the error close() gives (NFS reports write errors only here).
  int close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

Result<void> write_all(int fd, const std::string& bytes, const std::string& path) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return posix_error("write", path, errno);
    done += static_cast<size_t>(n);
  }
  return {};
}

Result<void> fsync_dir(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return posix_error("open directory", dir, errno);
  if (::fsync(fd.get()) != 0) return posix_error("fsync directory", dir, errno);
  return {};
}

// Fills a freshly created temp file and makes it durable; the caller renames it into place.
Result<void> write_temp(Fd& fd, const std::string& temp, const std::string& bytes,
                        std::uint32_t mode, bool durable) {
  // The umask may have narrowed the mode; set it exactly before any byte is written.
  if (::fchmod(fd.get(), mode) != 0) return posix_error("chmod", temp, errno);
  if (auto r = write_all(fd.get(), bytes, temp); !r) return r;
  if (durable && ::fsync(fd.get()) != 0) return posix_error("fsync", temp, errno);
  if (fd.close() != 0) return posix_error("close", temp, errno);
  return {};
}

std::string temp_name_for(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  const std::string dir = parent_path(path);
  const std::string base = path.substr(path.find_last_of('/') + 1);
  return join_path(
      dir, "." + base + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++));
}

}  // namespace

std::string parent_path(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string join_path(const std::string& dir, const std::string& name) {
  if (dir.empty() || dir == ".") return name;
  if (dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

Result<FileTail> Filesystem::read_tail(const std::string& path, std::uint64_t max_bytes) {
  auto info = stat(path);
  if (!info) return info.error();
  if (info->kind != FileKind::file)
    return make_error(Errc::invalid, "read " + path + ": not a regular file");
  auto bytes = read(path);
  if (!bytes) return bytes.error();
  FileTail tail;
  if (bytes->size() > max_bytes) {
    tail.offset = bytes->size() - max_bytes;
    tail.bytes = bytes->substr(tail.offset);
  } else {
    tail.bytes = std::move(*bytes);
  }
  return tail;
}

Result<void> Filesystem::append_durable(const std::string& path, const std::string& bytes,
                                        std::uint32_t mode) {
  auto old = read(path);
  if (!old && old.error().code != Errc::not_found) return old.error();
  return write_atomic(path, (old ? *old : std::string()) + bytes, mode);
}

Result<void> RealFilesystem::append_durable(const std::string& path, const std::string& bytes,
                                            std::uint32_t mode) {
  const bool existed = ::access(path.c_str(), F_OK) == 0;
  Fd fd(::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode));
  if (fd.get() < 0) return posix_error("open", path, errno);
  // A crash may have cut the last append short: end that line first, so this one parses.
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return posix_error("stat", path, errno);
  std::string text = bytes;
  char last = '\n';
  if (st.st_size > 0 && ::pread(fd.get(), &last, 1, st.st_size - 1) == 1 && last != '\n')
    text.insert(0, "\n");
  if (auto r = write_all(fd.get(), text, path); !r) {
    // Not a half line left behind for the next append to glue onto.
    if (::ftruncate(fd.get(), st.st_size) != 0)
      return make_error(r.error().code,
                        r.error().message + "; cutting the half line off failed too");
    return r;
  }
  if (::fsync(fd.get()) != 0) return posix_error("fsync", path, errno);
  if (fd.close() != 0) return posix_error("close", path, errno);
  return existed ? Result<void>() : fsync_dir(parent_path(path));
}

Result<FileTail> RealFilesystem::read_tail(const std::string& path, std::uint64_t max_bytes) {
  // O_NONBLOCK: a FIFO put where a log was expected must not hang the command at open.
  Fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (fd.get() < 0) return posix_error("open", path, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return posix_error("stat", path, errno);
  if (!S_ISREG(st.st_mode))
    return make_error(Errc::invalid, "read " + path + ": not a regular file");
  const auto size = static_cast<std::uint64_t>(st.st_size);
  FileTail tail;
  tail.offset = size > max_bytes ? size - max_bytes : 0;
  tail.bytes.resize(static_cast<size_t>(size - tail.offset));
  size_t done = 0;
  while (done < tail.bytes.size()) {
    // The file may shrink meanwhile (truncated by a rotation): keep what was there.
    const ssize_t n = ::pread(fd.get(), tail.bytes.data() + done, tail.bytes.size() - done,
                              static_cast<off_t>(tail.offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return posix_error("read", path, errno);
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  tail.bytes.resize(done);
  return tail;
}

Result<std::string> RealFilesystem::read(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return posix_error("open", path, errno);
  std::string out;
  char buf[65536];
  while (true) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return posix_error("read", path, errno);
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  // The buffer held whatever the file holds, keys included; leave no copy on the stack.
  ::explicit_bzero(buf, sizeof buf);
  return out;
}

namespace {

// Temp file beside `path`, rename over it; with `durable`, fsync of the file before the rename
// and of the directory after it (leveldb's PosixWritableFile::Sync and SyncDirIfManifest).
Result<void> replace_file(const std::string& path, const std::string& bytes, std::uint32_t mode,
                          bool durable) {
  const std::string temp = temp_name_for(path);
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (fd.get() < 0) return posix_error("create", temp, errno);
  Result<void> r = write_temp(fd, temp, bytes, mode, durable);
  if (r && ::rename(temp.c_str(), path.c_str()) != 0) r = posix_error("rename to", path, errno);
  if (!r) {
    ::unlink(temp.c_str());
    return r;
  }
  return durable ? fsync_dir(parent_path(path)) : Result<void>();
}

}  // namespace

Result<void> RealFilesystem::write_atomic(const std::string& path, const std::string& bytes,
                                          std::uint32_t mode) {
  return replace_file(path, bytes, mode, true);
}

Result<void> RealFilesystem::write_deferred(const std::string& path, const std::string& bytes,
                                            std::uint32_t mode) {
  if (auto r = replace_file(path, bytes, mode, false); !r) return r;
  unsynced_files_.insert(path);
  unsynced_dirs_.insert(parent_path(path));
  return {};
}

Result<void> RealFilesystem::sync() {
  // A few changes: fsync each file and directory, which touches nothing else. A batch: syncfs,
  // which flushes a whole filesystem (data and metadata, renames included) in one call, one per
  // distinct device among the touched directories, instead of an fsync per file.
  constexpr size_t kFewChanges = 32;
  Result<void> r = unsynced_files_.size() + unsynced_dirs_.size() <= kFewChanges
                       ? sync_each()
                       : sync_filesystems();
  if (r) {
    unsynced_files_.clear();
    unsynced_dirs_.clear();
  }
  return r;
}

Result<void> RealFilesystem::sync_each() {
  for (const std::string& file : unsynced_files_) {
    Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
      if (errno == ENOENT) continue;  // renamed or removed since; its directory is synced below
      return posix_error("open", file, errno);
    }
    if (::fsync(fd.get()) != 0) return posix_error("fsync", file, errno);
  }
  for (const std::string& dir : unsynced_dirs_) {
    auto r = fsync_dir(dir);
    if (!r && r.error().code != Errc::not_found) return r;
  }
  return {};
}

Result<void> RealFilesystem::sync_filesystems() {
  std::set<dev_t> done;
  for (const std::string& dir : unsynced_dirs_) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) {
      if (errno == ENOENT) continue;  // removed since; nothing left to flush there
      return posix_error("stat", dir, errno);
    }
    if (!done.insert(st.st_dev).second) continue;
    Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) return posix_error("open directory", dir, errno);
    if (::syncfs(fd.get()) != 0) return posix_error("syncfs", dir, errno);
  }
  return {};
}

Result<void> RealFilesystem::rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0)
    return posix_error("rename", from + " to " + to, errno);
  unsynced_files_.erase(from);
  unsynced_files_.insert(to);
  unsynced_dirs_.insert(parent_path(from));
  unsynced_dirs_.insert(parent_path(to));
  return {};
}

Result<std::vector<std::string>> RealFilesystem::list(const std::string& path) {
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(path.c_str()), ::closedir);
  if (!dir) return posix_error("list", path, errno);
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(dir.get())) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<void> RealFilesystem::remove(const std::string& path) {
  if (::remove(path.c_str()) != 0 && errno != ENOENT) return posix_error("remove", path, errno);
  unsynced_dirs_.insert(parent_path(path));
  return {};
}

Result<FileInfo> RealFilesystem::stat(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return posix_error("stat", path, errno);
  FileInfo info;
  info.kind = S_ISREG(st.st_mode)   ? FileKind::file
              : S_ISDIR(st.st_mode) ? FileKind::directory
                                    : FileKind::other;
  info.mode = st.st_mode & 07777;
  info.size = static_cast<std::uint64_t>(st.st_size);
  return info;
}

Result<void> RealFilesystem::make_dirs(const std::string& path, std::uint32_t mode) {
  if (path.empty() || path == "." || path == "/") return {};
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return {};
    return make_error(Errc::io, "create directory " + path + ": a file is in the way");
  }
  if (auto r = make_dirs(parent_path(path), mode); !r) return r;
  if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) {
    return posix_error("create directory", path, errno);
  }
  if (::chmod(path.c_str(), mode) != 0) return posix_error("chmod", path, errno);
  unsynced_dirs_.insert(parent_path(path));
  return {};
}

Result<void> RealFilesystem::set_group(const std::string& path, const std::string& group) {
  struct group entry {};
  struct group* found = nullptr;
  std::vector<char> buffer(16384);
  const int rc = ::getgrnam_r(group.c_str(), &entry, buffer.data(), buffer.size(), &found);
  if (rc != 0) return posix_error("look up group " + group + " for", path, rc);
  if (found == nullptr)
    return make_error(Errc::invalid, "set the group of " + path + ": there is no group \"" + group +
                                         "\" on this machine");
  if (::chown(path.c_str(), static_cast<uid_t>(-1), found->gr_gid) != 0)
    return posix_error("chgrp " + group, path, errno);
  return {};
}

}  // namespace certgate::sys
