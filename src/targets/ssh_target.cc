#include "targets/ssh_target.h"

namespace certgate::targets {
namespace {

bool touches(const std::string& queued, const std::string& path) {
  return queued == path || sys::parent_path(queued) == path;
}

}  // namespace

Result<void> SshFilesystem::flush_queue() {
  if (queue_.empty()) return {};
  Renames queue = std::move(queue_);
  queue_.clear();
  return session_.commit(queue, false, {});
}

Result<void> SshFilesystem::settle(const std::string& path) {
  for (const auto& [from, to] : queue_) {
    if (touches(from, path) || touches(to, path)) return flush_queue();
  }
  return {};
}

Result<std::string> SshFilesystem::read(const std::string& path) {
  if (auto r = settle(path); !r) return r.error();
  return session_.read(path);
}

Result<void> SshFilesystem::write_atomic(const std::string& path, const std::string& bytes,
                                         std::uint32_t mode) {
  if (auto r = write_deferred(path, bytes, mode); !r) return r;
  return sync();
}

Result<void> SshFilesystem::write_deferred(const std::string& path, const std::string& bytes,
                                           std::uint32_t mode) {
  const std::string dir = sys::parent_path(path);
  // The file's own name: `dir` is "/" or "." (not a prefix plus a slash) for some paths.
  const std::string name = path.substr(path.find_last_of('/') + 1);
  const std::string temp = sys::join_path(dir, ".certgate-part." + name);
  if (auto r = settle(path); !r) return r;
  if (auto r = settle(temp); !r) return r;
  if (auto r = session_.write(temp, bytes, mode); !r) return r;
  queue_.emplace_back(temp, path);
  dirs_.insert(dir);
  return {};
}

Result<void> SshFilesystem::sync() {
  Renames queue = std::move(queue_);
  queue_.clear();
  std::vector<std::string> dirs(dirs_.begin(), dirs_.end());
  dirs_.clear();
  if (queue.empty() && dirs.empty()) return {};
  return session_.commit(queue, true, dirs);
}

Result<void> SshFilesystem::rename(const std::string& from, const std::string& to) {
  if (auto r = settle(from); !r) return r;
  if (auto r = settle(to); !r) return r;
  queue_.emplace_back(from, to);
  dirs_.insert(sys::parent_path(to));
  return {};
}

Result<std::vector<std::string>> SshFilesystem::list(const std::string& path) {
  if (auto r = settle(path); !r) return r.error();
  return session_.list(path);
}

Result<void> SshFilesystem::remove(const std::string& path) {
  // Runs at once, so the queued renames go first: they were asked for first.
  if (auto r = flush_queue(); !r) return r;
  dirs_.insert(sys::parent_path(path));
  return session_.remove(path);
}

Result<sys::FileInfo> SshFilesystem::stat(const std::string& path) {
  if (auto r = settle(path); !r) return r.error();
  return session_.stat(path);
}

Result<void> SshFilesystem::make_dirs(const std::string& path, std::uint32_t mode) {
  auto info = session_.stat(path);
  if (info) {
    if (info->kind == sys::FileKind::directory) return {};
    return make_error(Errc::io, "create directory " + path + ": a file is in the way");
  }
  if (info.error().code != Errc::not_found) return info.error();
  const std::string parent = sys::parent_path(path);
  if (parent != path && parent != "." && parent != "/") {
    if (auto r = make_dirs(parent, mode); !r) return r;
  }
  dirs_.insert(parent);
  return session_.make_dir(path, mode);
}

Result<void> SshFilesystem::set_group(const std::string& path, const std::string& group) {
  if (auto r = settle(path); !r) return r;
  // `group` is a name desired/ checked ([a-z_][a-z0-9_-]*), `path` one under [nginx].dir.
  auto quote = [](const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  };
  auto out = session_.exec({"chgrp " + quote(group) + " " + quote(path), std::chrono::seconds{30}});
  if (!out) return out.error();
  if (!out->succeeded())
    return make_error(Errc::io, "chgrp " + group + " " + path + " on the host failed: " + out->err);
  return {};
}

Result<sys::CommandOutput> SshRunner::run(const sys::Command& command) {
  if (auto r = fs_.flush_queue(); !r) return r.error();
  return session_.exec(command);
}

}  // namespace certgate::targets
