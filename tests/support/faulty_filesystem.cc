#include "support/faulty_filesystem.h"

namespace certgate::testing {

FaultyFilesystem::FaultyFilesystem(const MemFilesystem& disk) {
  for (const std::string& dir : disk.dirs()) {
    (void)live_.make_dirs(dir, 0755);
    durable_dirs_.insert(dir);
  }
  for (const auto& [path, file] : disk.files()) {
    live_.put(path, file.bytes, file.mode);
    live_names_[path] = durable_names_[path] = new_inode(file.bytes, file.mode, true);
  }
}

Result<void> FaultyFilesystem::begin_change(const std::string& what) {
  ++changes_;
  const bool fails =
      fail_at_ > 0 && (fault_ == Fault::stop ? changes_ >= fail_at_ : changes_ == fail_at_);
  if (fails)
    return make_error(Errc::io, what + ": injected fault at change " + std::to_string(changes_));
  log_.push_back(what);
  return {};
}

int FaultyFilesystem::new_inode(const std::string& bytes, std::uint32_t mode, bool is_synced) {
  inodes_.push_back(Inode{MemFilesystem::File{bytes, mode}, is_synced});
  return static_cast<int>(inodes_.size()) - 1;
}

void FaultyFilesystem::sync_dir(const std::string& dir) {
  std::erase_if(durable_names_,
                [&](const auto& entry) { return sys::parent_path(entry.first) == dir; });
  for (const auto& [path, inode] : live_names_) {
    if (sys::parent_path(path) == dir) durable_names_[path] = inode;
  }
  std::erase_if(durable_dirs_, [&](const std::string& d) {
    return d != dir && sys::parent_path(d) == dir && !live_.dirs().contains(d);
  });
  for (const std::string& d : live_.dirs()) {
    if (d == dir || sys::parent_path(d) != dir) continue;
    // A directory that was not durable under this name (renamed here, or new) now is, and with
    // it what is in it as it is now.
    if (durable_dirs_.insert(d).second) {
      for (const std::string& sub : live_.dirs())
        if (sub.starts_with(d + "/")) durable_dirs_.insert(sub);
      for (const auto& [path, inode] : live_names_)
        if (path.starts_with(d + "/")) durable_names_[path] = inode;
    }
  }
}

Result<void> FaultyFilesystem::write_atomic(const std::string& path, const std::string& bytes,
                                            std::uint32_t mode) {
  if (auto r = begin_change("write_atomic " + path); !r) return r;
  if (auto r = live_.write_atomic(path, bytes, mode); !r) return r;
  live_names_[path] = new_inode(bytes, mode, true);
  sync_dir(sys::parent_path(path));
  return {};
}

Result<void> FaultyFilesystem::write_deferred(const std::string& path, const std::string& bytes,
                                              std::uint32_t mode) {
  if (auto r = begin_change("write_deferred " + path); !r) return r;
  if (auto r = live_.write_deferred(path, bytes, mode); !r) return r;
  live_names_[path] = new_inode(bytes, mode, false);
  return {};
}

Result<void> FaultyFilesystem::sync() {
  if (auto r = begin_change("sync"); !r) return r;
  durable_names_ = live_names_;
  durable_dirs_ = live_.dirs();
  for (Inode& inode : inodes_) inode.is_synced = true;
  return {};
}

Result<void> FaultyFilesystem::rename(const std::string& from, const std::string& to) {
  if (auto r = begin_change("rename " + from + " " + to); !r) return r;
  const bool dir = live_.dirs().contains(from);
  if (auto r = live_.rename(from, to); !r) return r;
  if (dir) {  // its entries move with it; durable like any rename, at the next sync()
    std::map<std::string, int> names;
    for (const auto& [path, inode] : live_names_) {
      const bool under = path.starts_with(from + "/");
      names[under ? to + path.substr(from.size()) : path] = inode;
    }
    live_names_ = std::move(names);
    return {};
  }
  live_names_[to] = live_names_.at(from);
  live_names_.erase(from);
  return {};
}

Result<void> FaultyFilesystem::remove(const std::string& path) {
  if (auto r = begin_change("remove " + path); !r) return r;
  if (auto r = live_.remove(path); !r) return r;
  live_names_.erase(path);
  return {};
}

Result<void> FaultyFilesystem::make_dirs(const std::string& path, std::uint32_t mode) {
  if (auto r = begin_change("make_dirs " + path); !r) return r;
  return live_.make_dirs(path, mode);
}

bool FaultyFilesystem::has_durable_parents(const std::string& path) const {
  for (std::string p = sys::parent_path(path); p != "/" && p != "."; p = sys::parent_path(p)) {
    if (!durable_dirs_.contains(p)) return false;
  }
  return true;
}

std::map<std::string, MemFilesystem::File> FaultyFilesystem::durable_files() const {
  std::map<std::string, MemFilesystem::File> out;
  for (const auto& [path, inode] : durable_names_) {
    if (!durable_dirs_.contains(sys::parent_path(path)) || !has_durable_parents(path)) continue;
    const Inode& i = inodes_[inode];
    // A name whose bytes never reached the disk: an empty file.
    out[path] = i.is_synced ? i.file : MemFilesystem::File{"", i.file.mode};
  }
  return out;
}

void FaultyFilesystem::crash() {
  const auto files = durable_files();
  std::set<std::string> dirs;
  for (const std::string& d : durable_dirs_) {
    if (has_durable_parents(d)) dirs.insert(d);
  }
  durable_dirs_ = std::move(dirs);
  live_ = MemFilesystem();
  for (const std::string& dir : durable_dirs_) (void)live_.make_dirs(dir, 0755);
  live_names_.clear();
  for (const auto& [path, file] : files) {
    live_.put(path, file.bytes, file.mode);
    live_names_[path] = new_inode(file.bytes, file.mode, true);
  }
  durable_names_ = live_names_;
  changes_ = 0;
  fail_at_ = 0;
  log_.clear();
}

}  // namespace certgate::testing
