#include "sys/recording_filesystem.h"

#include <algorithm>

namespace certgate::sys {

namespace {

std::string error_print(const Error& e) {
  return "error:" + std::to_string(static_cast<int>(e.code));
}

std::string kind_name(FileKind k) {
  switch (k) {
    case FileKind::file:
      return "file";
    case FileKind::directory:
      return "dir";
    case FileKind::other:
      return "other";
  }
  return "other";
}

std::string content_print(const Result<std::string>& r, const Hasher& hash) {
  return r ? "sha256:" + hash(*r) : error_print(r.error());
}

std::string stat_print(const Result<FileInfo>& r) {
  if (!r) return error_print(r.error());
  return kind_name(r->kind) + " " + std::to_string(r->mode) + " " + std::to_string(r->size);
}

std::string list_print(const Result<std::vector<std::string>>& r, const Hasher& hash) {
  if (!r) return error_print(r.error());
  std::string names;
  for (const std::string& n : *r) names += n + '\n';
  return "names:" + hash(names);
}

}  // namespace

std::string fingerprint_now(Filesystem& fs, const TraceEntry& e, const Hasher& hash) {
  switch (e.op) {
    case TraceOp::read:
      return content_print(fs.read(e.path), hash);
    case TraceOp::stat:
      return stat_print(fs.stat(e.path));
    case TraceOp::list:
      return list_print(fs.list(e.path), hash);
    case TraceOp::read_inside: {
      const size_t cut = e.path.find('\n');
      return content_print(fs.read_inside(e.path.substr(0, cut), e.path.substr(cut + 1), e.limit),
                           hash);
    }
  }
  return "";
}

bool trace_holds(Filesystem& fs, const Trace& trace, const Hasher& hash) {
  if (!trace.complete) return false;
  return std::all_of(trace.entries.begin(), trace.entries.end(), [&](const TraceEntry& e) {
    return fingerprint_now(fs, e, hash) == e.fingerprint;
  });
}

Trace RecordingFilesystem::trace() const {
  std::lock_guard lock(mu_);
  Trace t;
  t.complete = complete_ && !stopped_;
  for (const Kept& k : kept_) {
    t.entries.push_back(k.entry);
    if (k.is_bytes) t.entries.back().fingerprint = "sha256:" + hash_(k.entry.fingerprint);
  }
  return t;
}

void RecordingFilesystem::keep(TraceOp op, const std::string& path, std::uint64_t limit,
                               std::string print, bool is_bytes) {
  std::lock_guard lock(mu_);
  if (stopped_) return;
  auto [it, inserted] = index_.try_emplace(Key{op, path, limit}, kept_.size());
  if (!inserted) {
    // The same path read twice otherwise in one run (someone changed it meanwhile): what the
    // run decided rests on both, which no single fingerprint describes.
    const Kept& k = kept_[it->second];
    if (k.is_bytes != is_bytes || k.entry.fingerprint != print) complete_ = false;
    return;
  }
  if (op == TraceOp::read_inside) inside_.push_back(kept_.size());
  kept_.push_back({{op, path, limit, std::move(print)}, is_bytes});
}

void RecordingFilesystem::keep_content(TraceOp op, const std::string& path, std::uint64_t limit,
                                       const Result<std::string>& r) {
  if (r) {
    keep(op, path, limit, *r, true);
  } else {
    keep(op, path, limit, error_print(r.error()), false);
  }
}

void RecordingFilesystem::refresh(TraceOp op, const std::string& path) {
  auto it = index_.find(Key{op, path, 0});
  if (it == index_.end()) return;
  Kept& k = kept_[it->second];
  k.entry.fingerprint = fingerprint_now(inner_, k.entry, hash_);
  k.is_bytes = false;
}

// After a change of `path`, the entries that read it or its folder describe what is there now.
void RecordingFilesystem::wrote(const std::string& path) {
  std::lock_guard lock(mu_);
  if (stopped_) return;
  refresh(TraceOp::read, path);
  refresh(TraceOp::stat, path);
  refresh(TraceOp::list, path);
  refresh(TraceOp::list, parent_path(path));
  // A file of the source read with read_inside, only when it is the very file written (never,
  // in certgate: it writes nothing into a source). Refreshing the others would put a CSR that
  // changed since it was read into the trace as if the run had read that one.
  for (size_t i : inside_) {
    TraceEntry& e = kept_[i].entry;
    const size_t cut = e.path.find('\n');
    if (join_path(e.path.substr(0, cut), e.path.substr(cut + 1)) != path) continue;
    e.fingerprint = fingerprint_now(inner_, e, hash_);
    kept_[i].is_bytes = false;
  }
}

Result<std::string> RecordingFilesystem::read(const std::string& path) {
  auto r = inner_.read(path);
  keep_content(TraceOp::read, path, 0, r);
  return r;
}

Result<void> RecordingFilesystem::write_atomic(const std::string& path, const std::string& bytes,
                                               std::uint32_t mode) {
  auto r = inner_.write_atomic(path, bytes, mode);
  wrote(path);
  return r;
}

Result<void> RecordingFilesystem::write_deferred(const std::string& path, const std::string& bytes,
                                                 std::uint32_t mode) {
  auto r = inner_.write_deferred(path, bytes, mode);
  wrote(path);
  return r;
}

Result<void> RecordingFilesystem::rename(const std::string& from, const std::string& to) {
  auto r = inner_.rename(from, to);
  wrote(from);
  wrote(to);
  return r;
}

Result<std::vector<std::string>> RecordingFilesystem::list(const std::string& path) {
  auto r = inner_.list(path);
  keep(TraceOp::list, path, 0, list_print(r, hash_), false);
  return r;
}

Result<void> RecordingFilesystem::remove(const std::string& path) {
  auto r = inner_.remove(path);
  wrote(path);
  return r;
}

Result<FileInfo> RecordingFilesystem::stat(const std::string& path) {
  auto r = inner_.stat(path);
  keep(TraceOp::stat, path, 0, stat_print(r), false);
  return r;
}

Result<void> RecordingFilesystem::make_dirs(const std::string& path, std::uint32_t mode) {
  auto r = inner_.make_dirs(path, mode);
  // Parents it made are named in their own parents' listings: look again at every folder on
  // the way.
  for (std::string p = path; !p.empty() && p != "/" && p != "."; p = parent_path(p)) wrote(p);
  return r;
}

Result<std::string> RecordingFilesystem::read_inside(const std::string& root,
                                                     const std::string& relative,
                                                     std::uint64_t max_size) {
  auto r = inner_.read_inside(root, relative, max_size);
  keep_content(TraceOp::read_inside, root + '\n' + relative, max_size, r);
  return r;
}

Result<void> RecordingFilesystem::set_group(const std::string& path, const std::string& group) {
  {
    std::lock_guard lock(mu_);
    complete_ = false;
  }
  return inner_.set_group(path, group);
}

}  // namespace certgate::sys
