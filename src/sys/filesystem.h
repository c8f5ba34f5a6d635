// sys::Filesystem: every file access certgate makes goes through this interface.
//
// The real implementation (RealFilesystem) talks to POSIX; tests use MemFilesystem and
// FaultyFilesystem from tests/support/. Writes are atomic: a temp file beside the target, fsync,
// rename, fsync of the directory (as leveldb's Env does), so a reader or a crash sees either the
// old bytes or the new ones, never a mixture.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace certgate::sys {

enum class FileKind { file, directory, other };

// The end of a file (Filesystem::read_tail): `bytes` start at byte `offset` of it; offset 0 means
// the whole file was read.
struct FileTail {
  std::string bytes;
  std::uint64_t offset = 0;
};

struct FileInfo {
  FileKind kind = FileKind::file;
  std::uint32_t mode = 0;  // permission bits, e.g. 0600
  std::uint64_t size = 0;
};

class Filesystem {
 public:
  virtual ~Filesystem() = default;

  // The whole content of `path`. Errc::not_found when it does not exist, Errc::io otherwise.
  virtual Result<std::string> read(const std::string& path) = 0;

  // Replaces `path` with `bytes` atomically; the file has exactly `mode` from its creation on.
  // REQUIRES: the parent directory exists.
  virtual Result<void> write_atomic(const std::string& path, const std::string& bytes,
                                    std::uint32_t mode) = 0;

  // Replaces `path` with `bytes` atomically (temp file, rename) like write_atomic, but without
  // waiting for the disk: the write is durable only after the next sync(). Readers and a
  // killed process see the old bytes or the new ones; a power cut before sync() may lose it.
  // For batches (group commit), where one sync() replaces an fsync per file.
  virtual Result<void> write_deferred(const std::string& path, const std::string& bytes,
                                      std::uint32_t mode) = 0;

  // Makes every write_deferred, remove and make_dirs since the last sync() durable, in one
  // flush per filesystem touched (syncfs on Linux) rather than one per file.
  virtual Result<void> sync() = 0;

  // Moves file `from` over `to` (rename(2): atomic, replacing `to`), without waiting for the
  // disk; durable after the next sync(). A batch installs staged files this way instead of
  // writing them twice. Errc::not_found when `from` does not exist.
  virtual Result<void> rename(const std::string& from, const std::string& to) = 0;

  // Names (not paths) of the entries of directory `path`, sorted, without "." and "..".
  virtual Result<std::vector<std::string>> list(const std::string& path) = 0;

  // Removes a file or an empty directory. Removing what does not exist succeeds.
  virtual Result<void> remove(const std::string& path) = 0;

  // Kind, mode and size of `path`, following symlinks. Errc::not_found when it does not exist.
  virtual Result<FileInfo> stat(const std::string& path) = 0;

  // Creates directory `path` and missing parents with `mode`. An existing directory is kept
  // as it is (its mode is not changed).
  virtual Result<void> make_dirs(const std::string& path, std::uint32_t mode) = 0;

  // The content of `root`/`relative` when it is a regular file of at most `max_size` bytes
  // reached without following a symlink: for files that a source names (a CSR), which must not
  // hang on a FIFO, read /dev/zero without end, or lead out of the source. Messages name
  // `relative`, never the content. Errc::not_found when a component is missing; Errc::invalid
  // for a symlink, a FIFO, a device or a directory (on the way or at the end), or a file over
  // `max_size`; Errc::io otherwise. REQUIRES: is a plain relative path (no "..", no leading
  // '/'). This default, for filesystems without symlinks or FIFOs (fakes, SFTP), checks kind
  // and size with stat(); RealFilesystem opens each component with O_NOFOLLOW.
  virtual Result<std::string> read_inside(const std::string& root, const std::string& relative,
                                          std::uint64_t max_size);

  // Gives `path` (a file or directory) the group named `group`, keeping its owner: files that
  // nginx's workers must read and nobody else (0640 root:www-data). Errc::invalid when no such
  // group exists, Errc::io otherwise. This default, for filesystems without groups, refuses.
  virtual Result<void> set_group(const std::string& path, const std::string& group);

  // The last `max_bytes` bytes of regular file `path` (all of it when smaller), for logs that
  // may be gigabytes: only the tail is read, never the whole file. Errc::not_found when it does
  // not exist, Errc::invalid when it is not a regular file (a FIFO is not opened for a blocking
  // read), Errc::io otherwise. This default, for fakes and SFTP, reads the whole file and keeps
  // its end; RealFilesystem seeks.
  virtual Result<FileTail> read_tail(const std::string& path, std::uint64_t max_bytes);

  // Appends `bytes` to `path` (created with `mode` when missing) and waits for the disk: for
  // logs that only grow (STATE/audit.log). A crash may leave the end of the last append cut
  // off, never an earlier one. This default, for fakes and SFTP, rewrites the whole file with
  // write_atomic; RealFilesystem appends (O_APPEND) and fsyncs.
  virtual Result<void> append_durable(const std::string& path, const std::string& bytes,
                                      std::uint32_t mode);
};

// read_inside's refusals, shared with sources that are not a filesystem (a git commit), so
// both say the same: "csr/a.csr is not a regular file", "csr/a.csr is larger than 64 KiB",
// "csr/a.csr is a symlink out of the source" (its `target` is absolute or climbs above the
// root) or "... is a symlink (certgate follows no link in the source)".
Error not_regular_error(const std::string& relative);
Error too_large_error(const std::string& relative, std::uint64_t max_size);
Error symlink_error(const std::string& relative, const std::string& target);

// The parent directory of `path` ("." for a bare name), and `dir` joined with `name`.
std::string parent_path(const std::string& path);
std::string join_path(const std::string& dir, const std::string& name);

}  // namespace certgate::sys
