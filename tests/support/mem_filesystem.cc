#include "support/mem_filesystem.h"

namespace certgate::testing {

Result<std::string> MemFilesystem::read(const std::string& path) {
  auto it = files_.find(path);
  if (it == files_.end()) return make_error(Errc::not_found, "open " + path + ": not found");
  return it->second.bytes;
}

Result<void> MemFilesystem::write_atomic(const std::string& path, const std::string& bytes,
                                         std::uint32_t mode) {
  if (!dirs_.contains(sys::parent_path(path))) {
    return make_error(Errc::not_found, "create " + path + ": no parent directory");
  }
  files_[path] = File{bytes, mode};
  groups_.erase(path);  // a new file (temp file and rename): the writer's own group
  ++writes_;
  written_.push_back(path);
  return {};
}

Result<void> MemFilesystem::write_deferred(const std::string& path, const std::string& bytes,
                                           std::uint32_t mode) {
  return write_atomic(path, bytes, mode);
}

Result<void> MemFilesystem::sync() {
  ++syncs_;
  return {};
}

namespace {

// `path` with its leading `from` (a directory) replaced by `to`, or "" when it is not under it.
std::string moved(const std::string& path, const std::string& from, const std::string& to) {
  if (path == from) return to;
  if (!path.starts_with(from + "/")) return "";
  return to + path.substr(from.size());
}

// Re-keys every entry of `m` under directory `from` to `to`.
template <typename Map>
void move_keys(Map& m, const std::string& from, const std::string& to) {
  Map out;
  for (auto& [k, v] : m) {
    const std::string n = moved(k, from, to);
    out[n.empty() ? k : n] = v;
  }
  m = std::move(out);
}

}  // namespace

Result<void> MemFilesystem::rename(const std::string& from, const std::string& to) {
  if (dirs_.contains(from)) {  // a directory, as rename(2) moves one: `to` must not exist
    if (dirs_.contains(to) || files_.contains(to))
      return make_error(Errc::io, "rename " + from + " " + to + ": target exists");
    if (!dirs_.contains(sys::parent_path(to)))
      return make_error(Errc::not_found, "rename to " + to + ": no parent directory");
    move_keys(files_, from, to);
    move_keys(groups_, from, to);
    std::set<std::string> dirs;
    for (const std::string& d : dirs_) {
      const std::string n = moved(d, from, to);
      dirs.insert(n.empty() ? d : n);
    }
    dirs_ = std::move(dirs);
    ++writes_;
    written_.push_back(to);
    return {};
  }
  auto it = files_.find(from);
  if (it == files_.end()) return make_error(Errc::not_found, "rename " + from + ": not found");
  if (!dirs_.contains(sys::parent_path(to)))
    return make_error(Errc::not_found, "rename to " + to + ": no parent directory");
  files_[to] = it->second;
  files_.erase(from);
  if (auto g = groups_.find(from); g != groups_.end()) {
    groups_[to] = g->second;
    groups_.erase(g);
  } else {
    groups_.erase(to);  // a new inode: it keeps the group it was made with
  }
  ++writes_;
  written_.push_back(to);
  return {};
}

Result<std::vector<std::string>> MemFilesystem::list(const std::string& path) {
  if (!dirs_.contains(path)) return make_error(Errc::not_found, "list " + path + ": not found");
  std::set<std::string> names;
  const std::string prefix = path == "." ? "" : (path.ends_with('/') ? path : path + "/");
  const auto add = [&](const std::string& p) {
    if (!p.starts_with(prefix) || p == path) return;
    const std::string rest = p.substr(prefix.size());
    if (!rest.empty()) names.insert(rest.substr(0, rest.find('/')));
  };
  for (const auto& [p, f] : files_) add(p);
  for (const std::string& d : dirs_) add(d);
  names.erase(".");
  return std::vector<std::string>(names.begin(), names.end());
}

namespace {
template <class It>
const std::string* it_key(It it) {
  if constexpr (requires { it->first; }) {
    return &it->first;
  } else {
    return &*it;
  }
}
}  // namespace

Result<void> MemFilesystem::remove(const std::string& path) {
  // As rmdir(2): a directory with anything below it stays, with an error.
  const std::string below = path + "/";
  auto has_below = [&below](const auto& container) {
    auto it = container.lower_bound(below);
    return it != container.end() && std::string_view(*it_key(it)).starts_with(below);
  };
  if (dirs_.contains(path) && (has_below(files_) || has_below(dirs_)))
    return make_error(Errc::io, "remove " + path + ": Directory not empty");
  files_.erase(path);
  dirs_.erase(path);
  return {};
}

Result<sys::FileInfo> MemFilesystem::stat(const std::string& path) {
  if (auto it = files_.find(path); it != files_.end()) {
    return sys::FileInfo{sys::FileKind::file, it->second.mode, it->second.bytes.size()};
  }
  if (dirs_.contains(path)) return sys::FileInfo{sys::FileKind::directory, 0755, 0};
  return make_error(Errc::not_found, "stat " + path + ": not found");
}

Result<void> MemFilesystem::make_dirs(const std::string& path, std::uint32_t) {
  for (std::string p = path; !dirs_.contains(p); p = sys::parent_path(p)) dirs_.insert(p);
  return {};
}

Result<void> MemFilesystem::set_group(const std::string& path, const std::string& group) {
  if (group == "nosuchgroup")
    return make_error(Errc::invalid, "set the group of " + path + ": there is no group \"" + group +
                                         "\" on this machine");
  if (!files_.contains(path) && !dirs_.contains(path))
    return make_error(Errc::not_found, "chgrp " + path + ": not found");
  groups_[path] = group;
  return {};
}

void MemFilesystem::put(const std::string& path, std::string bytes, std::uint32_t mode) {
  (void)make_dirs(sys::parent_path(path), 0755);
  files_[path] = File{std::move(bytes), mode};
}

}  // namespace certgate::testing
