// Filesystem::read_inside: reading a file a source names without following it anywhere.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

#include "sys/filesystem.h"
#include "sys/real_filesystem.h"

namespace certgate::sys {
namespace {

std::string size_text(std::uint64_t bytes) {
  if (bytes % (1024 * 1024) == 0) return std::to_string(bytes / (1024 * 1024)) + " MiB";
  if (bytes % 1024 == 0) return std::to_string(bytes / 1024) + " KiB";
  return std::to_string(bytes) + " bytes";
}

// Whether the link `relative` (under the root) pointing at `target` resolves, by its text,
// above the root. Links are refused either way; this only picks the message.
bool leaves_root(const std::string& relative, const std::string& target) {
  if (target.empty() || target.front() == '/') return true;
  long depth = static_cast<long>(std::count(relative.begin(), relative.end(), '/'));
  size_t start = 0;
  while (start <= target.size()) {
    size_t slash = target.find('/', start);
    if (slash == std::string::npos) slash = target.size();
    const std::string_view part(target.data() + start, slash - start);
    if (part == "..") {
      if (--depth < 0) return true;
    } else if (!part.empty() && part != ".") {
      ++depth;
    }
    start = slash + 1;
  }
  return false;
}

std::vector<std::string> components(const std::string& relative) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= relative.size()) {
    size_t slash = relative.find('/', start);
    if (slash == std::string::npos) slash = relative.size();
    out.push_back(relative.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

Error posix_error(const std::string& what, int err) {
  return make_error(err == ENOENT || err == ENOTDIR ? Errc::not_found : Errc::io,
                    what + ": " + std::strerror(err));
}

// An owned descriptor (read_inside opens one per component).
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Fd& operator=(Fd&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// Checks what `name` in `dir` is, without following it: `shown` is its path under the root.
Result<void> check_entry(int dir, const std::string& name, const std::string& shown, bool is_last,
                         std::uint64_t max_size) {
  struct stat st {};
  if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return posix_error("stat " + shown, errno);
  if (S_ISLNK(st.st_mode)) {
    std::string target(4096, '\0');
    const ssize_t n = ::readlinkat(dir, name.c_str(), target.data(), target.size());
    target.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return symlink_error(shown, target);
  }
  if (!is_last && !S_ISDIR(st.st_mode)) return posix_error("open " + shown, ENOTDIR);
  if (is_last && !S_ISREG(st.st_mode)) return not_regular_error(shown);
  if (is_last && static_cast<std::uint64_t>(st.st_size) > max_size)
    return too_large_error(shown, max_size);
  return {};
}

// Reads at most `max_size` bytes of the open regular file `fd` (it may grow while read).
Result<std::string> read_bounded(int fd, const std::string& shown, std::uint64_t max_size) {
  std::string out;
  char buf[16384];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return posix_error("read " + shown, errno);
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max_size) return too_large_error(shown, max_size);
  }
}

}  // namespace

Error not_regular_error(const std::string& relative) {
  return make_error(Errc::invalid, relative + " is not a regular file");
}

Error too_large_error(const std::string& relative, std::uint64_t max_size) {
  return make_error(Errc::invalid, relative + " is larger than " + size_text(max_size));
}

Error symlink_error(const std::string& relative, const std::string& target) {
  return make_error(Errc::invalid,
                    relative + (leaves_root(relative, target)
                                    ? " is a symlink out of the source"
                                    : " is a symlink (certgate follows no link in the source)"));
}

Result<std::string> Filesystem::read_inside(const std::string& root, const std::string& relative,
                                            std::uint64_t max_size) {
  const std::string path = join_path(root, relative);
  auto info = stat(path);
  if (!info) return info.error();
  if (info->kind != FileKind::file) return not_regular_error(relative);
  if (info->size > max_size) return too_large_error(relative, max_size);
  auto bytes = read(path);
  if (bytes && bytes->size() > max_size) return too_large_error(relative, max_size);
  return bytes;
}

Result<std::string> RealFilesystem::read_inside(const std::string& root,
                                                const std::string& relative,
                                                std::uint64_t max_size) {
  Fd dir(::open(root.empty() ? "." : root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) return posix_error("open directory " + root, errno);
  const std::vector<std::string> parts = components(relative);
  std::string shown;
  for (size_t i = 0; i < parts.size(); ++i) {
    const bool is_last = i + 1 == parts.size();
    shown += (i ? "/" : "") + parts[i];
    if (auto r = check_entry(dir.get(), parts[i], shown, is_last, max_size); !r) return r.error();
    // O_NOFOLLOW and O_NONBLOCK again at open: what was checked may have been swapped since.
    const int flags =
        O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (is_last ? O_NONBLOCK | O_NOCTTY : O_DIRECTORY);
    Fd next(::openat(dir.get(), parts[i].c_str(), flags));
    if (next.get() < 0) {
      if (errno == ELOOP) return symlink_error(shown, "");
      return posix_error("open " + shown, errno);
    }
    dir = std::move(next);
  }
  struct stat st {};
  if (::fstat(dir.get(), &st) != 0) return posix_error("stat " + relative, errno);
  if (!S_ISREG(st.st_mode)) return not_regular_error(relative);
  return read_bounded(dir.get(), relative, max_size);
}

Result<void> Filesystem::set_group(const std::string& path, const std::string& group) {
  return make_error(
      Errc::io, "set the group of " + path + " to " + group + ": this filesystem has no groups");
}

}  // namespace certgate::sys
