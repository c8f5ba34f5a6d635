#include "source/source.h"

#include <array>
#include <filesystem>
#include <string_view>

#include "source/git_source.h"

namespace certgate::source {
namespace {

class FilesystemTree final : public SourceTree {
 public:
  FilesystemTree(sys::Filesystem& fs, std::string root) : fs_(fs), root_(std::move(root)) {}

  Result<std::string> read(const std::string& relative) const override {
    if (!is_safe_relative_path(relative)) {
      return make_error(Errc::invalid, "\"" + relative +
                                           "\" must be a relative path inside the source "
                                           "(no leading '/', no \"..\")");
    }
    return fs_.read_inside(root_, relative, kMaxSourceFileSize);
  }

 private:
  sys::Filesystem& fs_;
  std::string root_;
};

bool looks_like_url(std::string_view source) {
  constexpr std::array<std::string_view, 5> kSchemes = {"file://", "ssh://", "https://", "http://",
                                                        "git://"};
  for (std::string_view s : kSchemes) {
    if (source.starts_with(s)) return true;
  }
  // scp-like "user@host:path"
  const size_t at = source.find('@'), colon = source.find(':');
  return at != std::string_view::npos && colon != std::string_view::npos && at < colon &&
         source.find('/') > colon;
}

Result<SourceSnapshot> from_git(const SourceOptions& options, sys::Filesystem& fs,
                                const std::string& url) {
  if (options.mirror_dir.empty())
    return make_error(Errc::invalid, "source " + url +
                                         " is a git repository; it needs a state "
                                         "directory to fetch into");
  // The mirror's folder is private like the rest of the state directory.
  if (auto r = fs.make_dirs(sys::parent_path(options.mirror_dir), 0700); !r) return r.error();
  SshAccess ssh{options.ssh_key, "", options.known_hosts, ""};
  const bool over_ssh =
      url.starts_with("ssh://") || (url.find("://") == std::string::npos && looks_like_url(url));
  if (over_ssh) {
    if (!ssh.private_key.empty() && fs.stat(ssh.private_key + ".pub"))
      ssh.public_key = ssh.private_key + ".pub";
    if (auto text = fs.read(options.known_hosts)) {
      ssh.known_hosts = std::move(*text);
    } else if (text.error().code != Errc::not_found) {
      return make_error(text.error().code, "--known-hosts: " + text.error().message);
    }
  }
  return load_git(options, url, ssh);
}

// A local repository path as a URL libgit2 fetches from: absolute, so the mirror finds it.
std::string local_url(const std::string& path) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

// The desired-state file: --source itself (the operator's own path, which may be a symlink),
// or --file inside a directory, read like a CSR (no symlink, regular, bounded).
Result<std::string> read_desired_file(sys::Filesystem& fs, const std::string& kind,
                                      const std::string& root, const std::string& relative) {
  if (kind == "directory") {
    auto text = fs.read_inside(root, relative, kMaxDesiredStateRead);
    if (!text)
      return make_error(text.error().code,
                        "read desired state in " + root + ": " + text.error().message);
    return text;
  }
  const std::string path = sys::join_path(root, relative);
  auto info = fs.stat(path);
  if (!info) return info.error();
  if (info->size > kMaxDesiredStateRead)
    return sys::too_large_error("read desired state: " + path, kMaxDesiredStateRead);
  return fs.read(path);
}

// `root` is empty for a file source (then `relative` is --source itself).
Result<SourceSnapshot> snapshot_of_file(sys::Filesystem& fs, const std::string& kind,
                                        const std::string& root, const std::string& relative) {
  const std::string path = sys::join_path(root, relative);
  auto text = read_desired_file(fs, kind, root, relative);
  if (!text) return text.error();
  SourceSnapshot snap;
  snap.kind = kind;
  snap.description = kind + " " + path;
  snap.file_path = path;
  snap.text = std::move(*text);
  snap.tree = make_filesystem_tree(fs, sys::parent_path(path));
  return snap;
}

}  // namespace

std::shared_ptr<const SourceTree> make_filesystem_tree(sys::Filesystem& fs, std::string root) {
  return std::make_shared<FilesystemTree>(fs, std::move(root));
}

bool is_safe_relative_path(const std::string& relative) {
  if (relative.empty() || relative.front() == '/') return false;
  size_t start = 0;
  while (start <= relative.size()) {
    size_t slash = relative.find('/', start);
    if (slash == std::string::npos) slash = relative.size();
    const std::string_view part(relative.data() + start, slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = slash + 1;
  }
  return true;
}

Result<SourceSnapshot> load(const SourceOptions& options, sys::Filesystem& fs) {
  const std::string& source = options.source;
  if (looks_like_url(source)) return from_git(options, fs, source);
  auto info = fs.stat(source);
  if (!info) {
    return make_error(info.error().code, "read desired state: " + info.error().message);
  }
  if (info->kind == sys::FileKind::file) return snapshot_of_file(fs, "file", "", source);
  if (info->kind != sys::FileKind::directory) {
    return make_error(Errc::invalid, "source " + source + " is neither a file nor a directory");
  }
  if (!is_safe_relative_path(options.file)) {
    return make_error(Errc::invalid,
                      "--file " + options.file + " must be a relative path inside the source");
  }
  const std::string path = sys::join_path(source, options.file);
  const bool work_tree = fs.stat(sys::join_path(source, ".git")).has_value();
  if (options.prefer_git && work_tree) return from_git(options, fs, local_url(source));
  if (fs.stat(path)) return snapshot_of_file(fs, "directory", source, options.file);
  if (fs.stat(sys::join_path(source, "HEAD")) && fs.stat(sys::join_path(source, "objects"))) {
    return from_git(options, fs, local_url(source));
  }
  if (work_tree) return from_git(options, fs, local_url(source));
  return make_error(Errc::not_found, "read desired state: no " + options.file + " in " + source +
                                         " (run `certgate init " + source +
                                         "` to write a starter file)");
}

}  // namespace certgate::source
